namespace HttpGen.Tests.Client;

/// <summary>The request type the client tests send.</summary>
[HttpRequest]
public partial class ClientTestRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
    [HttpHeader("Accept-Encoding")] public partial string? AcceptEncoding { get; set; }
    [HttpHeader("X-Test")] public partial string? Test { get; set; }
    [HttpHeader("X-Value")] public partial HeaderValue Value { get; set; }
}

/// <summary>A request type without a Host property: the client adds the origin's Host to its extra headers.</summary>
[HttpRequest]
public partial class HostlessRequest
{
}

/// <summary>The response type the client tests parse.</summary>
[HttpResponse(EnumerateAllHeaders = true)]
public partial class ClientTestResponse
{
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("Content-Encoding")] public partial string? ContentEncoding { get; set; }
    [HttpHeader("Server")] public partial string? Server { get; set; }
    [HttpHeader("X-Request-Framing")] public partial string? RequestFraming { get; set; }
    [HttpHeader("X-Connection-Request")] public partial int? ConnectionRequest { get; set; }
    [HttpHeader("X-Request-Trailers")] public partial string? RequestTrailers { get; set; }
    [HttpHeader("Upgrade")] public partial string? Upgrade { get; set; }
}
