using HttpGen;

namespace WebSocketEcho;

/// <summary>The fields of a WebSocket opening handshake (RFC 6455 §4.1) that the server checks.</summary>
[HttpRequest]
public partial class WebSocketRequest
{
    [HttpHeader("Upgrade")] public partial HeaderValue Upgrade { get; }
    [HttpHeader("Sec-WebSocket-Key")] public partial HeaderValue Key { get; }
    [HttpHeader("Sec-WebSocket-Version")] public partial HeaderValue WebSocketVersion { get; }
}

/// <summary>The server's side of the handshake, or the reason it refused.</summary>
[HttpResponse]
public partial class WebSocketResponse
{
    [HttpHeader("Sec-WebSocket-Accept")] public partial HeaderValue Accept { get; set; }
    [HttpHeader("Sec-WebSocket-Version")] public partial HeaderValue WebSocketVersion { get; set; }
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
}
