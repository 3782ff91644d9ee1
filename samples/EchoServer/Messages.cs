using HttpGen;

namespace EchoServer;

/// <summary>What the echo server reads from a request: the routing facts, plus every header for /echo.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class EchoRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
}

/// <summary>What the echo server writes.</summary>
[HttpResponse]
public partial class EchoResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("Allow")] public partial HeaderValue Allow { get; set; }
}
