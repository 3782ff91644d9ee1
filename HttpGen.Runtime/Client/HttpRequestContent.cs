namespace HttpGen.Client;

/// <summary>
/// The body of a request: none, bytes, or a callback that streams it through a <see cref="HttpRequestBodyWriter"/>.
/// A small value type; <c>default</c> is no body.
/// </summary>
/// <remarks>
/// The client sets the request's <c>BodyFraming</c> from the content before writing the head: Content-Length for bytes
/// and for a writer with a declared length, chunked for a writer without one, and for no content Content-Length: 0 on
/// POST, PUT and PATCH (RFC 9110 §8.6) and no framing header otherwise.
/// </remarks>
public readonly struct HttpRequestContent
{
    private HttpRequestContent(ReadOnlyMemory<byte> bytes, Func<HttpRequestBodyWriter, CancellationToken, ValueTask>? writer, long length, bool present, string? trailers = null)
    {
        Bytes = bytes;
        Writer = writer;
        DeclaredLength = length;
        IsPresent = present;
        Trailers = trailers;
    }

    internal ReadOnlyMemory<byte> Bytes { get; }

    internal Func<HttpRequestBodyWriter, CancellationToken, ValueTask>? Writer { get; }

    /// <summary>-1 when the length is not known in advance (sent chunked).</summary>
    internal long DeclaredLength { get; }

    /// <summary>The trailer field names declared in the head's <c>Trailer</c> field, for a chunked writer; otherwise null.</summary>
    internal string? Trailers { get; }

    /// <summary>True unless this is <c>default</c> (no body at all).</summary>
    public bool IsPresent { get; }

    /// <summary>The body length when known in advance: the byte count, or a writer's declared length; null for a chunked writer.</summary>
    public long? Length => !IsPresent ? 0 : DeclaredLength < 0 ? null : DeclaredLength;

    /// <summary>True when the content can be sent again (bytes or none), so an idempotent request may be retried.</summary>
    internal bool IsReplayable => Writer is null;

    /// <summary>No body.</summary>
    public static HttpRequestContent None => default;

    /// <summary>A body of bytes, sent with Content-Length. The memory must stay unchanged until the send completes.</summary>
    /// <param name="body">The body.</param>
    /// <returns>The content.</returns>
    public static HttpRequestContent FromBytes(ReadOnlyMemory<byte> body) => new(body, null, body.Length, true);

    /// <summary>
    /// A body written by <paramref name="write"/> once the head is sent: with Content-Length when
    /// <paramref name="contentLength"/> is given (the callback must write exactly that many bytes), chunked otherwise.
    /// A chunked body can end with trailer fields: name them in <paramref name="trailers"/> (sent in the head's
    /// <c>Trailer</c> field) and add them with <see cref="HttpRequestBodyWriter.AddTrailer"/>. A request with such a
    /// body is not retried.
    /// </summary>
    /// <param name="write">Writes the body; it gets the exchange's cancellation token (timeout and caller's token).</param>
    /// <param name="contentLength">The exact body length, or null to send it chunked.</param>
    /// <param name="trailers">For a chunked body, the trailer field names the writer may add, comma-separated
    /// (<c>"X-Checksum, X-Signature"</c>); not Content-Length, Transfer-Encoding or Host. Null for none.</param>
    /// <returns>The content.</returns>
    /// <exception cref="ArgumentException">Trailers with a content length, or a trailer list that is not valid.</exception>
    public static HttpRequestContent FromWriter(Func<HttpRequestBodyWriter, CancellationToken, ValueTask> write, long? contentLength = null, string? trailers = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (contentLength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(contentLength), contentLength, "A content length cannot be negative.");
        }

        if (trailers is not null)
        {
            if (contentLength is not null)
            {
                throw new ArgumentException("Trailer fields need a chunked body: leave contentLength null.", nameof(trailers));
            }

            ClientHeadLists.Validate(trailers, nameof(trailers));
        }

        return new(default, write, contentLength ?? -1, true, trailers);
    }

    /// <summary>A body of bytes.</summary>
    /// <param name="body">The body.</param>
    public static implicit operator HttpRequestContent(byte[] body) => FromBytes(body);

    /// <summary>A body of bytes.</summary>
    /// <param name="body">The body.</param>
    public static implicit operator HttpRequestContent(ReadOnlyMemory<byte> body) => FromBytes(body);
}

/// <summary>
/// Streams a request body onto the connection, inside the callback given to
/// <see cref="HttpRequestContent.FromWriter"/>: chunked coding when no length was declared, otherwise raw bytes that
/// must add up to the declared length. Small writes are gathered in the connection's send buffer.
/// </summary>
public sealed class HttpRequestBodyWriter
{
    private readonly IRequestBodySink _sink;

    internal HttpRequestBodyWriter(IRequestBodySink sink) => _sink = sink;

    /// <summary>Body bytes written so far (before chunked framing).</summary>
    public long BytesWritten => _sink.RequestBodyWritten;

    /// <summary>Writes body bytes. The memory may be reused once the returned task completes.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cancellationToken">Cancels the write (and the exchange).</param>
    /// <returns>A task that completes when the bytes are buffered or sent.</returns>
    /// <exception cref="InvalidOperationException">Used outside its callback, or more bytes than the declared length.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        _sink.WriteBodyAsync(data, cancellationToken);

    /// <summary>Sends the bytes gathered so far.</summary>
    /// <param name="cancellationToken">Cancels the flush (and the exchange).</param>
    /// <returns>A task that completes when they are sent.</returns>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _sink.FlushBodyAsync(cancellationToken);

    /// <summary>
    /// Adds a trailer field, sent after the last chunk. The name must be one declared with
    /// <see cref="HttpRequestContent.FromWriter"/>; the value is checked and copied here, so its memory may be reused at
    /// once (and a CR or LF in it can never reach the wire).
    /// </summary>
    /// <param name="name">A declared trailer field name (ASCII case ignored).</param>
    /// <param name="value">The field value: no control characters but HTAB, no white space at either end.</param>
    /// <exception cref="InvalidOperationException">Used outside its callback, no trailers declared, or the name is not declared.</exception>
    /// <exception cref="ArgumentException">The value is not a valid field value.</exception>
    public void AddTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => _sink.AddTrailer(name, value);
}

/// <summary>The connection side of <see cref="HttpRequestBodyWriter"/>.</summary>
internal interface IRequestBodySink
{
    long RequestBodyWritten { get; }

    ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    ValueTask FlushBodyAsync(CancellationToken cancellationToken);

    void AddTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
