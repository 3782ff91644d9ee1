namespace HttpGen.Client;

/// <summary>What went wrong with a request sent by <see cref="HttpGenClient{TRequest, TResponse}"/>.</summary>
public enum HttpClientErrorKind : byte
{
    /// <summary>The host name could not be resolved to an address.</summary>
    NameResolution,
    /// <summary>No address of the host accepted a connection.</summary>
    ConnectFailed,
    /// <summary>Connecting took longer than <see cref="HttpGenClientOptions.ConnectTimeout"/> for every address.</summary>
    ConnectTimeout,
    /// <summary>The request waited for a free connection longer than <see cref="HttpGenClientOptions.QueueTimeout"/>.</summary>
    QueueTimeout,
    /// <summary>The exchange took longer than its request timeout.</summary>
    RequestTimeout,
    /// <summary>The server closed or reset the connection before the response was complete.</summary>
    ConnectionClosed,
    /// <summary>The response head or its chunked body is malformed: see <see cref="HttpResponseException.ParseError"/>.</summary>
    InvalidResponse,
    /// <summary>The response body is longer than <see cref="HttpGenClientOptions.MaxResponseBodySize"/>, or than the caller's buffer.</summary>
    ResponseBodyTooLarge,
    /// <summary>
    /// The TLS handshake with an <c>https</c> origin failed: no protocol or cipher in common, the server closed or spoke
    /// something else, or it asked for a client certificate the client does not have. (A handshake slower than the
    /// connect timeout is <see cref="ConnectTimeout"/>.)
    /// </summary>
    TlsHandshakeFailed,
    /// <summary>
    /// The <c>https</c> server's certificate was rejected: untrusted, expired, issued for another host name, or refused by
    /// <see cref="HttpGenClientOptions.ServerCertificateValidation"/>. The message says which errors were found.
    /// </summary>
    CertificateRejected,
}

/// <summary>
/// Thrown by <see cref="HttpGenClient{TRequest, TResponse}"/> and <see cref="HttpGenResponse{TResponse}"/> when a request
/// cannot be completed. The connection involved is closed, never returned to the pool. Cancellation through the
/// caller's token is reported as <see cref="OperationCanceledException"/> instead.
/// </summary>
public class HttpGenClientException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">A description that names the origin.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public HttpGenClientException(HttpClientErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public HttpClientErrorKind Kind { get; }
}

/// <summary>
/// A malformed response: the status line, the header block or the chunked body broke RFC 9112. Carries the parser's
/// error value. The connection was closed; the pool opens a fresh one for the next request.
/// </summary>
public sealed class HttpResponseException : HttpGenClientException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The parse error.</param>
    /// <param name="inBody">True when the error is in the chunked body (offset from the body's first byte), false for the head.</param>
    /// <param name="message">A description that names the origin.</param>
    public HttpResponseException(ParseError error, bool inBody, string message)
        : base(HttpClientErrorKind.InvalidResponse, message)
    {
        ParseError = error;
        IsBodyError = inBody;
    }

    /// <summary>The parse error: kind and offset.</summary>
    public ParseError ParseError { get; }

    /// <summary>The kind of the parse error.</summary>
    public ParseErrorKind ErrorKind => ParseError.Kind;

    /// <summary>
    /// Where the error is: from the first byte of the (final) response head, or, when <see cref="IsBodyError"/>, from the
    /// first byte of the chunked body.
    /// </summary>
    public int Offset => ParseError.Offset;

    /// <summary>True when the error is in the chunked body rather than the head.</summary>
    public bool IsBodyError { get; }
}
