using HttpGen;

namespace HttpGen.Benchmarks;

/// <summary>
/// The HttpGen contender: a request type with the headers a typical server reads. Every property kind here is a view
/// into the parsed buffer (or a number), so a parse allocates nothing. Default options: strict RFC 9112.
/// </summary>
[HttpRequest]
public partial class BenchmarkRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
    [HttpHeader("Connection")] public partial HeaderValue Connection { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; }
    [HttpHeader("Accept")] public partial HeaderValue Accept { get; }
    [HttpHeader("User-Agent")] public partial HeaderValue UserAgent { get; }
    [HttpHeader("Cookie")] public partial ReadOnlySpan<byte> Cookie { get; }
}
