using HttpGen;

namespace HttpGen.Tests;

/// <summary>The request type of the public contract.</summary>
[HttpRequest]
public partial class OrderRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; }
    [HttpHeader("Content-Type")] public partial string? ContentType { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("X-Request-Id")] public partial HeaderValue RequestId { get; }
}

/// <summary>A type with every supported property kind, and all headers enumerable.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class EveryKindRequest
{
    [HttpHeader("host")] public partial HeaderValue Host { get; }
    [HttpHeader("Connection")] public partial string? Connection { get; }
    [HttpHeader("Transfer-Encoding")] public partial ReadOnlySpan<byte> TransferEncoding { get; }
    [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; }
    [HttpHeader("X-Count")] public partial long? Count { get; }
    [HttpHeader("DNT")] public partial bool DoNotTrack { get; }
    [HttpHeader("Accept")] public partial HeaderValue Accept { get; }
    [HttpHeader("A")] public partial ReadOnlySpan<byte> A { get; }
    [HttpHeader("X-Weird_Name.~")] public partial string? Weird { get; }
}

/// <summary>A type with no declared headers and the lenient switch on.</summary>
[HttpRequest(AllowBareLineFeed = true, MaxHeaderCount = 4, MaxRequestLineLength = 64)]
public partial class LenientRequest
{
}

/// <summary>The response type of the public contract, plus numeric headers.</summary>
[HttpResponse(EnumerateAllHeaders = true)]
public partial class OrderResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("ETag")] public partial string? ETag { get; set; }
    [HttpHeader("Cache-Control")] public partial HeaderValue CacheControl { get; set; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
    [HttpHeader("Retry-After")] public partial int? RetryAfter { get; set; }
}

/// <summary>A client-side request: every header can be set before writing.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class ClientRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
    [HttpHeader("Accept")] public partial string? Accept { get; set; }
    [HttpHeader("User-Agent")] public partial HeaderValue UserAgent { get; set; }
    [HttpHeader("Max-Forwards")] public partial int? MaxForwards { get; set; }
    [HttpHeader("X-Offset")] public partial long? Offset { get; set; }
    [HttpHeader("DNT")] public partial bool DoNotTrack { get; set; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
}
