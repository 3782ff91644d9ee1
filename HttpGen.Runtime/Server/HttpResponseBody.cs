using System.Buffers;
using HttpGen.Transport;
using System.Runtime.CompilerServices;
using HttpGen.Chunked;

namespace HttpGen.Server;

/// <summary>
/// Where a handler writes the response body. Small bodies are buffered and sent with Content-Length when the handler
/// returns (the common case, and allocation-free); a body that outgrows
/// <see cref="HttpServerOptions.MaxBufferedResponseBody"/> in <see cref="WriteAsync"/>, or after <see cref="FlushAsync"/>,
/// is streamed: with the handler's own Content-Length if it set one, else chunked (or, to HTTP/1.0, until close).
/// For HEAD requests and 1xx/204/304 responses the bytes are counted but not sent. A chunked response can end with
/// trailer fields (<see cref="DeclareTrailers"/>, <see cref="AddTrailer"/>). Instead of a response, a handler can take
/// the connection over for another protocol: <see cref="AcceptUpgradeAsync"/> (101) or <see cref="AcceptTunnelAsync"/>
/// (CONNECT).
/// </summary>
public sealed class HttpResponseBody : IBufferWriter<byte>
{
    internal interface IStarter
    {
        /// <summary>Writes the response head for streaming into the send buffer and returns how the body is framed.</summary>
        BodyKind StartStreaming();

        /// <summary>The Content-Length the head announced, when <see cref="StartStreaming"/> returned ContentLength.</summary>
        long DeclaredLength { get; }

        /// <summary>Whether the request may switch protocols: HTTP/1.1 with <c>Connection: upgrade</c>.</summary>
        bool CanUpgrade { get; }

        /// <summary>
        /// Checks that the request can be handed over (throwing at once when not), queues the 101 (or, for a tunnel,
        /// 2xx) head, and returns the task that sends it and hands the connection over.
        /// </summary>
        ValueTask<Stream> HandOver(HeaderValue protocol, bool tunnel);
    }

    private ConnectionIO? _io;
    private IStarter? _starter;
    private byte[] _buffer = Array.Empty<byte>(); // rented on first write, returned when the response is queued
    private int _length;
    private int _maxBuffered;
    private BodyKind _streaming;
    private long _declaredLength = -1;
    private bool _discard;
    private string? _declaredTrailers;
    private HeaderList? _trailers; // the trailer lines added; kept, with its buffer, for the connection's life
    private bool _handedOver;

    internal HttpResponseBody()
    {
    }

    /// <summary>Whether the response head has been sent (the body is streaming).</summary>
    public bool HasStarted { get; private set; }

    /// <summary>Body bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    internal ReadOnlySpan<byte> Buffered => _buffer.AsSpan(0, _length);

    internal BodyKind StreamingKind => _streaming;

    internal void Start(ConnectionIO io, IStarter starter, int maxBuffered)
    {
        _io = io;
        _starter = starter;
        _maxBuffered = maxBuffered;
        _length = 0;
        BytesWritten = 0;
        HasStarted = false;
        _streaming = BodyKind.None;
        _declaredLength = -1;
        _discard = false;
        _declaredTrailers = null;
        _trailers?.Clear();
        _handedOver = false;
    }

    /// <summary>
    /// Whether the request asked to switch protocols in a way this server may accept: an HTTP/1.1 request with
    /// <c>Connection: upgrade</c> (RFC 9110 §7.8; an HTTP/1.0 request's Upgrade is ignored). Which protocols it asked
    /// for is in its <c>Upgrade</c> field: declare that header on your request type to read it.
    /// </summary>
    public bool CanUpgrade => _starter?.CanUpgrade == true;

    /// <summary>
    /// Accepts the request's upgrade: sends <c>101 Switching Protocols</c> with <c>Connection: upgrade</c>,
    /// <c>Upgrade: <paramref name="protocol"/></c> and the headers set on the response (such as
    /// <c>Sec-WebSocket-Accept</c>), and hands the connection over as a duplex stream. The stream's first bytes are any
    /// that arrived after the request head; the server reads no more HTTP from the connection, and closes it when the
    /// handler's task completes (or when the stream is disposed first). The response body is not used after this.
    /// </summary>
    /// <param name="protocol">The protocol switched to, as the Upgrade field names it (e.g. <c>websocket</c>).</param>
    /// <param name="cancellationToken">Checked before the head is sent.</param>
    /// <returns>The connection, both directions, in the new protocol.</returns>
    /// <exception cref="InvalidOperationException">
    /// The request cannot be upgraded (<see cref="CanUpgrade"/> is false), its body was not read to the end, the
    /// response has started, or body bytes were written.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is empty or not a valid field value.</exception>
    public ValueTask<Stream> AcceptUpgradeAsync(HeaderValue protocol, CancellationToken cancellationToken = default) =>
        HandOver(protocol, tunnel: false, cancellationToken);

    /// <summary>
    /// Accepts a CONNECT request: sends the response's 2xx status (200 when none was set) with no body framing (RFC
    /// 9110 §9.3.6) and the headers set on the response, and hands the connection over as a duplex stream, as
    /// <see cref="AcceptUpgradeAsync"/> does. Connecting to the requested target (its <c>host:port</c> is the
    /// request-target) and relaying bytes is the handler's work.
    /// </summary>
    /// <param name="cancellationToken">Checked before the head is sent.</param>
    /// <returns>The connection, both directions, as a tunnel.</returns>
    /// <exception cref="InvalidOperationException">
    /// The request is not a CONNECT, the status set is not 2xx, the request body was not read to the end, the response
    /// has started, or body bytes were written.
    /// </exception>
    public ValueTask<Stream> AcceptTunnelAsync(CancellationToken cancellationToken = default) =>
        HandOver(default, tunnel: true, cancellationToken);

    private ValueTask<Stream> HandOver(HeaderValue protocol, bool tunnel, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (HasStarted)
        {
            throw new InvalidOperationException(_handedOver ? "The connection has already been handed over." : "The response has already started: the connection can no longer be handed over.");
        }

        if (BytesWritten > 0)
        {
            throw new InvalidOperationException("A response that hands the connection over has no body: nothing may be written to it first.");
        }

        ValueTask<Stream> handOver = _starter!.HandOver(protocol, tunnel);
        HasStarted = true;
        _handedOver = true;
        return handOver;
    }

    private void ThrowIfHandedOver()
    {
        if (_handedOver)
        {
            throw new InvalidOperationException("The connection was handed over: write to the stream the hand-off returned.");
        }
    }

    /// <summary>
    /// Declares the trailer fields this response ends with, as a comma-separated list of field names sent in the head's
    /// <c>Trailer</c> field (RFC 9110 §6.6.2); then add their values with <see cref="AddTrailer"/> before the handler
    /// returns. Trailers need the chunked coding: the body is sent chunked even when it is small (a Content-Length set by
    /// the handler is then an error). To an HTTP/1.0 client, or in a response without a body (HEAD, 204, 304), they
    /// cannot be sent: the head has no <c>Trailer</c> field and the values are dropped.
    /// </summary>
    /// <param name="names">Field names, e.g. <c>"X-Checksum, X-Signature"</c>; not Content-Length, Transfer-Encoding or Host.</param>
    /// <exception cref="ArgumentException">The list is not a list of field names, or names a forbidden field.</exception>
    /// <exception cref="InvalidOperationException">The response head has already been sent.</exception>
    public void DeclareTrailers(string names)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("Trailer fields must be declared before the response head is sent.");
        }

        Client.ClientHeadLists.Validate(names, nameof(names));
        _declaredTrailers = names;
    }

    /// <summary>Adds a trailer field, sent after the last chunk; its name must be one declared with <see cref="DeclareTrailers"/>.</summary>
    /// <param name="name">A declared field name (ASCII case ignored).</param>
    /// <param name="value">The value: no control characters but HTAB, no white space at either end. Copied at once.</param>
    /// <exception cref="ArgumentException">The value is not a valid field value.</exception>
    /// <exception cref="InvalidOperationException">No trailers were declared, or this name was not.</exception>
    public void AddTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_declaredTrailers is null)
        {
            throw new InvalidOperationException("Declare the trailer fields with DeclareTrailers before adding one.");
        }

        if (!Client.ClientHeadLists.Contains(_declaredTrailers, name))
        {
            throw new InvalidOperationException($"'{System.Text.Encoding.Latin1.GetString(name)}' is not among the declared trailer fields ({_declaredTrailers}).");
        }

        (_trailers ??= new HeaderList()).Add(name, value);
    }

    /// <summary>The trailer names the handler declared, or null.</summary>
    internal string? DeclaredTrailers => _declaredTrailers;

    /// <summary>Set by the server when the body must not be sent (HEAD, 1xx, 204, 304).</summary>
    internal bool Discard
    {
        get => _discard;
        set => _discard = value;
    }

    /// <summary>Writes bytes (buffered; sent when the handler returns or on the next flush).</summary>
    /// <param name="data">The bytes.</param>
    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        Advance(data.Length);
    }

    /// <summary>
    /// Writes bytes, streaming the body once it outgrows the buffer limit. Once streaming, a write of
    /// <see cref="DirectWriteThreshold"/> bytes or more is sent from <paramref name="data"/> itself, without a copy, in
    /// bounded slices; the task completes when the peer has taken them, so a large body never sits in memory twice.
    /// </summary>
    /// <param name="data">The bytes; not used after the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the bytes are buffered or sent.</returns>
    /// <exception cref="InvalidOperationException">More bytes than the response's Content-Length.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!HasStarted && _length + data.Length <= _maxBuffered)
        {
            Write(data.Span);
            return default;
        }

        if (data.Length < DirectWriteThreshold)
        {
            Write(data.Span);
            return FlushAsync(cancellationToken);
        }

        return WriteDirectAsync(data, cancellationToken);
    }

    /// <summary>The size from which <see cref="WriteAsync"/> sends a streamed write without copying it (16 KiB).</summary>
    public const int DirectWriteThreshold = 16 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteDirectAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StartIfNeeded();
        AppendBufferedToOut();
        CheckDeclaredLength(BytesWritten + data.Length);
        BytesWritten += data.Length;
        if (_discard)
        {
            return;
        }

        if (_streaming == BodyKind.Chunked)
        {
            ChunkedEncoder.TryWriteChunkHeader(_io!.GetOutSpan(ChunkedEncoder.MaxChunkHeaderLength), data.Length, out int written);
            _io.OutLength += written;
        }

        await _io!.FlushAsync().ConfigureAwait(false);
        await _io.SendAsync(data).ConfigureAwait(false);
        if (_streaming == BodyKind.Chunked)
        {
            _io.AppendOut("\r\n"u8);
        }
    }

    private void StartIfNeeded()
    {
        ThrowIfHandedOver();
        if (!HasStarted)
        {
            _streaming = _starter!.StartStreaming();
            _declaredLength = _streaming == BodyKind.ContentLength ? _starter.DeclaredLength : -1;
            HasStarted = true;
        }
    }

    // A streamed body must not run past the Content-Length its head announced: the extra bytes would be read as the
    // start of the next response. Writing too much is a handler bug, reported before any of it is sent.
    private void CheckDeclaredLength(long total)
    {
        if (_declaredLength >= 0 && total > _declaredLength && !_discard)
        {
            throw new InvalidOperationException($"The response body is longer than its Content-Length of {_declaredLength}.");
        }
    }

    /// <summary>Sends the response head (if not yet sent) and every body byte written so far.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the bytes are sent.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StartIfNeeded();
        AppendBufferedToOut();
        await _io!.FlushAsync().ConfigureAwait(false);
    }

    // Moves the buffered body bytes into the send buffer with the streaming framing.
    private void AppendBufferedToOut()
    {
        if (_length == 0)
        {
            return;
        }

        if (!_discard)
        {
            // The bytes were counted as written; the check is against what the head declared.
            CheckDeclaredLength(BytesWritten);
            if (_streaming == BodyKind.Chunked)
            {
                Span<byte> span = _io!.GetOutSpan(ChunkedEncoder.MaxChunkHeaderLength + _length + 2);
                ChunkedEncoder.TryWriteChunk(span, _buffer.AsSpan(0, _length), out int written);
                _io.OutLength += written;
            }
            else
            {
                _io!.AppendOut(_buffer.AsSpan(0, _length));
            }
        }

        _length = 0;
    }

    /// <summary>Sends a fully buffered body as one chunk and the last chunk (the handler chose chunked framing).</summary>
    internal void AppendBufferedAsChunked()
    {
        _streaming = BodyKind.Chunked;
        CompleteStreaming();
    }

    /// <summary>Ends a streamed body: the last chunk, and the trailer fields, for chunked coding.</summary>
    internal void CompleteStreaming()
    {
        AppendBufferedToOut();
        if (_streaming == BodyKind.Chunked && !_discard)
        {
            if (_trailers is { Count: > 0 })
            {
                _io!.AppendOut("0\r\n"u8);
                _io.AppendOut(_trailers.Lines);
                _io.AppendOut("\r\n"u8);
            }
            else
            {
                _io!.AppendOut("0\r\n\r\n"u8);
            }
        }
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        ThrowIfHandedOver();

        _length += count;
        BytesWritten += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length < sizeHint)
        {
            byte[] bigger = BufferPolicy.Rent(Math.Max(Math.Max(_buffer.Length * 2, 1024), _length + sizeHint));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            Release();
            _buffer = bigger;
        }
    }

    /// <summary>Returns the body buffer to the pool (the response is queued; nothing buffered is needed any more).</summary>
    internal void Release()
    {
        BufferPolicy.Return(_buffer);
        _buffer = Array.Empty<byte>();
    }
}
