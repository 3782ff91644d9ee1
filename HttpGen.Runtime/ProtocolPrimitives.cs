namespace HttpGen;

/// <summary>The request method, as recognised by the parser. Methods are case-sensitive (RFC 9110 §9.1).</summary>
public enum RequestMethod : byte
{
    /// <summary>No request has been parsed.</summary>
    None = 0,
    /// <summary><c>GET</c></summary>
    Get,
    /// <summary><c>HEAD</c></summary>
    Head,
    /// <summary><c>POST</c></summary>
    Post,
    /// <summary><c>PUT</c></summary>
    Put,
    /// <summary><c>DELETE</c></summary>
    Delete,
    /// <summary><c>OPTIONS</c></summary>
    Options,
    /// <summary><c>PATCH</c></summary>
    Patch,
    /// <summary><c>TRACE</c></summary>
    Trace,
    /// <summary><c>CONNECT</c></summary>
    Connect,
    /// <summary>Any other valid token; the raw bytes are available from the message's <c>RawMethod</c>.</summary>
    Custom,
}

/// <summary>The HTTP version of a parsed message.</summary>
public enum ProtocolVersion : byte
{
    /// <summary>No message has been parsed.</summary>
    None = 0,
    /// <summary><c>HTTP/1.0</c></summary>
    Http10,
    /// <summary><c>HTTP/1.1</c></summary>
    Http11,
}

/// <summary>The form of a request-target (RFC 9112 §3.2).</summary>
public enum RequestTargetForm : byte
{
    /// <summary>No request has been parsed.</summary>
    None = 0,
    /// <summary><c>/path?query</c></summary>
    Origin,
    /// <summary><c>http://host/path?query</c></summary>
    Absolute,
    /// <summary><c>host:port</c>, CONNECT only.</summary>
    Authority,
    /// <summary><c>*</c>, OPTIONS only.</summary>
    Asterisk,
}

/// <summary>How the body that follows a message head is delimited (RFC 9112 §6.3).</summary>
public enum BodyKind : byte
{
    /// <summary>The message has no body.</summary>
    None = 0,
    /// <summary>The body is exactly <see cref="BodyFraming.ContentLength"/> bytes.</summary>
    ContentLength,
    /// <summary>The body uses the chunked transfer coding.</summary>
    Chunked,
    /// <summary>The body runs until the connection closes (responses only).</summary>
    ReadToClose,
}

/// <summary>The framing of the body that follows a parsed head, or of the body a message will carry.</summary>
/// <param name="Kind">How the body is delimited.</param>
/// <param name="ContentLength">The body length when <paramref name="Kind"/> is <see cref="BodyKind.ContentLength"/>; otherwise 0. Never negative.</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="ContentLength"/> is negative.</exception>
public readonly record struct BodyFraming(BodyKind Kind, long ContentLength)
{
    /// <summary>The body length when <see cref="Kind"/> is <see cref="BodyKind.ContentLength"/>; otherwise 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative: it would be written as <c>Content-Length: -1</c>.</exception>
    public long ContentLength
    {
        get;
        init => field = NonNegative(value);
    } = NonNegative(ContentLength); // an initializer sets the field, not through init: both check

    private static long NonNegative(long value) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(ContentLength), value, "A body length cannot be negative.");

    /// <summary>True when the body uses the chunked transfer coding.</summary>
    public bool IsChunked => Kind == BodyKind.Chunked;

    /// <summary>True when a body follows the head (a chunked body, a close-delimited one, or a non-zero Content-Length).</summary>
    public bool HasBody => Kind is BodyKind.Chunked or BodyKind.ReadToClose || (Kind == BodyKind.ContentLength && ContentLength > 0);
}
