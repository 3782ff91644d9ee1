using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using HttpGen.Chunked;
using HttpGen.Parsing;

namespace HttpGen.Client;

/// <summary>
/// One keep-alive connection to an origin and the exchange in progress on it: the socket, a receive buffer (unconsumed
/// bytes are <c>_in[_start.._end]</c>), a send buffer, the response message the heads are parsed into, a chunked decoder,
/// and a cancellation source for the exchange's timeout. Everything is reused from one exchange to the next, so a
/// steady-state exchange allocates nothing. Used by one caller at a time: the pool hands it out exclusively.
/// </summary>
internal sealed class ClientConnection<TResponse> : IRequestBodySink
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private const int MaxBufferedBody = 16 * 1024;
    private const int MaxSendBuffer = 1024 * 1024;

    private static readonly Action<object?> s_cancel = static state => ((ClientConnection<TResponse>)state!).CancelExchange();

    private readonly ConnectionPool<TResponse> _pool;
    private readonly ClientSettings _settings;
    private readonly Socket _socket;
    private readonly TResponse _response;
    private readonly int _maxInBuffer;

    private byte[] _in;
    private int _start;
    private int _end;
    private byte[] _out;
    private int _outLength;
    private ChunkedDecoder? _decoder;
    private HttpRequestBodyWriter? _writer;
    private byte[]? _bodyBuffer;
    private CancellationTokenSource _cts = new();
    private CancellationTokenRegistration _callerRegistration;
    private CancellationToken _callerToken;
    private long _timeoutMs;
    private bool _closed;

    // The exchange in progress.
    private BodyKind _bodyKind;
    private long _bodyRemaining;
    private long _bodyRead;
    private bool _bodyDone;
    private bool _keepAlive;
    private bool _broken;
    private bool _writing;
    private bool _chunkedRequest;
    private long _requestBodyLimit;
    private long _requestBodyWritten;

    public ClientConnection(ConnectionPool<TResponse> pool, Socket socket)
    {
        _pool = pool;
        _settings = pool.Settings;
        _socket = socket;
        _response = TResponse.Create();
        ParserOptions limits = _response.Options;
        _maxInBuffer = Math.Max(_settings.ReceiveBufferSize, limits.MaxRequestLineLength + limits.MaxHeaderBlockLength + 1);
        _in = ArrayPool<byte>.Shared.Rent(_settings.ReceiveBufferSize);
        _out = ArrayPool<byte>.Shared.Rent(4096);
        _openedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        CountAs(Diagnostics.ClientMetrics.State.Active);
    }

    // How the connection is counted in http.client.open_connections, and when it opened.
    private Diagnostics.ClientMetrics.State _countedAs;
    private readonly long _openedAt;

    /// <summary>Moves the connection to <paramref name="state"/> in the open-connections metric.</summary>
    public void CountAs(Diagnostics.ClientMetrics.State state)
    {
        Diagnostics.ClientMetrics.Transition(_countedAs, state, _pool.HostTag, _pool.PortTag);
        _countedAs = state;
    }

    /// <summary>Bumped each time the connection goes back to the pool: a response value from an older exchange is stale.</summary>
    public int Version { get; private set; }

    /// <summary>When the connection became idle (<see cref="Environment.TickCount64"/>).</summary>
    public long IdleSince { get; set; }

    /// <summary>Exchanges started on this connection; more than one means it was reused.</summary>
    public int ExchangeCount { get; private set; }

    public HttpOrigin Origin => _pool.Origin;

    public TResponse Response => _response;

    public bool IsBodyComplete => _bodyDone;

    public long BodyBytesRead => _bodyRead;

    /// <summary>Whether the connection can serve another exchange once this one ends.</summary>
    public bool IsReusable => !_closed && !_broken && _keepAlive && _bodyDone && _start == _end && _outLength == 0;

    long IRequestBodySink.RequestBodyWritten => _requestBodyWritten;

    /// <summary>
    /// Idle-reuse check: not expired, and the server has not closed it (a readable idle socket means a FIN, a reset, or
    /// bytes nobody asked for; any of them makes it unusable). <see cref="Socket.Poll(int, SelectMode)"/> with a zero
    /// timeout does not block and does not allocate.
    /// </summary>
    public bool IsUsableAfterIdle(long now)
    {
        if (_closed || now - IdleSince >= _settings.IdleTimeoutMs)
        {
            return false;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead) && _socket.Connected;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Starts an exchange: arms the timeout and ties the caller's token to it.</summary>
    public void BeginExchange(long deadline, long timeoutMs, CancellationToken cancellationToken)
    {
        ExchangeCount++;
        _timeoutMs = timeoutMs;
        _callerToken = cancellationToken;
        if (deadline != long.MaxValue)
        {
            _cts.CancelAfter(TimeSpan.FromMilliseconds(ClientSettings.Remaining(deadline)));
        }

        if (cancellationToken.CanBeCanceled)
        {
            _callerRegistration = cancellationToken.UnsafeRegister(s_cancel, this);
        }

        _bodyKind = BodyKind.None;
        _bodyRemaining = 0;
        _bodyRead = 0;
        _bodyDone = false;
        _keepAlive = false;
        _broken = false;
        _writing = false;
        _requestBodyWritten = 0;
    }

    /// <summary>
    /// Ends the exchange: unties the caller's token, disarms the timeout, returns the pooled body buffer and makes the
    /// response value stale. Returns whether the connection can be reused.
    /// </summary>
    public bool EndExchange()
    {
        _callerRegistration.Dispose();
        _callerRegistration = default;
        _callerToken = default;
        if (!_cts.TryReset())
        {
            _cts.Dispose();
            _cts = new CancellationTokenSource();
        }

        if (_bodyBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_bodyBuffer);
            _bodyBuffer = null;
        }

        Version++;
        return IsReusable;
    }

    private void CancelExchange()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the socket and returns the buffers. Only when no exchange is using the connection.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Interlocked.Decrement(ref _settings.OpenConnections);
        CountAs(Diagnostics.ClientMetrics.State.None);
        Diagnostics.ClientMetrics.ConnectionClosed(_openedAt, _pool.HostTag, _pool.PortTag);
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }

        _cts.Dispose();
        ArrayPool<byte>.Shared.Return(_in);
        ArrayPool<byte>.Shared.Return(_out);
        _in = _out = [];
        _start = _end = _outLength = 0;
    }

    /// <summary>Marks the exchange as failed: the connection will be closed when it is released.</summary>
    public void MarkBroken() => _broken = true;

    // ---------------------------------------------------------------------------------------------------------------
    // Request and response head

    /// <summary>
    /// Sends the request and reads the response head (skipping 1xx interim responses). Returns false when the
    /// connection turned out to be closed before a single response byte arrived and the request can be sent again
    /// (the content is replayable); throws for anything else.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ExchangeAsync<TRequest>(TRequest request, HttpRequestContent content)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        RequestMethod method = request.Method;
        bool requestKeepAlive = request.KeepAlive;
        WriteHead(request, content);
        bool writerStarted = false;
        try
        {
            if (content.Writer is { } write)
            {
                writerStarted = true;
                _writing = true;
                _writer ??= new HttpRequestBodyWriter(this);
                try
                {
                    await write(_writer, _cts.Token).ConfigureAwait(false);
                }
                finally
                {
                    _writing = false;
                }

                if (!_chunkedRequest && _requestBodyWritten != _requestBodyLimit)
                {
                    _broken = true;
                    throw new InvalidOperationException($"The body writer wrote {_requestBodyWritten} bytes of a declared Content-Length of {_requestBodyLimit}.");
                }

                if (_chunkedRequest)
                {
                    AppendOut("0\r\n\r\n"u8);
                }

                await FlushOutAsync().ConfigureAwait(false);
            }
            else
            {
                ReadOnlyMemory<byte> body = content.Bytes;
                if (body.Length <= MaxBufferedBody)
                {
                    AppendOut(body.Span);
                    await FlushOutAsync().ConfigureAwait(false);
                }
                else
                {
                    await FlushOutAsync().ConfigureAwait(false);
                    await SendAllAsync(body).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            _broken = true;
            if (ExchangeCount > 1 && !writerStarted)
            {
                return false;
            }

            throw Closed(e, "while sending the request");
        }

        // The response head. Nothing may be buffered from before: a reusable connection ends with an empty buffer.
        ResetResponse(method);
        bool received = false;
        while (true)
        {
            if (_end > _start)
            {
                received = true;
                HeadProgress progress = ParseHead(method);
                if (progress == HeadProgress.Final)
                {
                    break;
                }

                if (progress == HeadProgress.Interim)
                {
                    continue;
                }
            }

            if (!MakeRoom())
            {
                throw HeadTooLarge();
            }

            int n;
            try
            {
                n = await _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None, _cts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsConnectionError(e))
            {
                _broken = true;
                if (!received && ExchangeCount > 1)
                {
                    return false;
                }

                throw Closed(e, received ? "in the middle of the response head" : "before sending a response");
            }

            if (n == 0)
            {
                _broken = true;
                if (!received && ExchangeCount > 1)
                {
                    return false;
                }

                throw Closed(null, received ? "in the middle of the response head" : "before sending a response");
            }

            _end += n;
        }

        StartBody(method, requestKeepAlive);
        return true;
    }

    private void WriteHead<TRequest>(TRequest request, HttpRequestContent content)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        // The framing follows the content, whatever was set before.
        _chunkedRequest = false;
        _requestBodyLimit = 0;
        if (!content.IsPresent)
        {
            request.BodyFraming = request.Method is RequestMethod.Post or RequestMethod.Put or RequestMethod.Patch
                ? new BodyFraming(BodyKind.ContentLength, 0)
                : default;
        }
        else if (content.DeclaredLength >= 0)
        {
            _requestBodyLimit = content.DeclaredLength;
            request.BodyFraming = new BodyFraming(BodyKind.ContentLength, content.DeclaredLength);
        }
        else
        {
            _chunkedRequest = true;
            request.BodyFraming = new BodyFraming(BodyKind.Chunked, 0);
        }

        _outLength = 0;
        bool hostAdded = false;
        while (true)
        {
            bool written;
            int length;
            try
            {
                written = TRequest.Format(request, _out, out length);
            }
            catch (InvalidOperationException) when (!hostAdded && !request.ExtraHeaders.ContainsHost)
            {
                // No Host: the origin's, added once to the request's extra headers (set Host to avoid this path).
                request.ExtraHeaders.Add("Host"u8, Origin.HostHeader.Span);
                hostAdded = true;
                continue;
            }

            if (written)
            {
                _outLength = length;
                return;
            }

            if (_out.Length >= MaxSendBuffer)
            {
                throw new InvalidOperationException($"The request head is longer than {MaxSendBuffer} bytes.");
            }

            byte[] bigger = ArrayPool<byte>.Shared.Rent(_out.Length * 2);
            ArrayPool<byte>.Shared.Return(_out);
            _out = bigger;
        }
    }

    private void ResetResponse(RequestMethod method)
    {
        TResponse.Clear(_response);
        TResponse.State(_response).RequestMethod = method;
    }

    private enum HeadProgress : byte { NeedMoreData, Interim, Final }

    /// <summary>Parses the buffered bytes as a head: a final one, an interim (1xx) one that was skipped, or not complete yet.</summary>
    private HeadProgress ParseHead(RequestMethod method)
    {
        var source = new ReadOnlySequence<byte>(_in, _start, _end - _start);
        OperationStatus status = TResponse.Parse(_response, source, out int consumed);
        if (status == OperationStatus.InvalidData)
        {
            _broken = true;
            ParseError error = TResponse.State(_response).Error;
            throw new HttpResponseException(error, false, $"The response from {Origin} is malformed: {error.Reason} ({error.Kind} at offset {error.Offset} of the head).");
        }

        if (status == OperationStatus.NeedMoreData)
        {
            return HeadProgress.NeedMoreData;
        }

        Consume(consumed);
        int code = TResponse.State(_response).StatusCode;
        if (code is >= 100 and < 200 && code != 101)
        {
            // 1xx interim response (100 Continue, 103 Early Hints): skip it and parse the final one.
            ResetResponse(method);
            return HeadProgress.Interim;
        }

        return HeadProgress.Final;
    }

    private HttpResponseException HeadTooLarge()
    {
        _broken = true;
        var error = new ParseError(ParseErrorKind.HeadersTooLarge, _end - _start);
        return new HttpResponseException(error, false, $"The response head from {Origin} is longer than the limit of {_maxInBuffer - 1} bytes.");
    }

    private void StartBody(RequestMethod method, bool requestKeepAlive)
    {
        ref ResponseHeadParser state = ref TResponse.State(_response);
        BodyFraming framing = state.Framing;
        int code = state.StatusCode;
        bool tunnel = code == 101 || (method == RequestMethod.Connect && code is >= 200 and < 300);
        _keepAlive = requestKeepAlive && state.KeepAlive && !tunnel;
        _bodyKind = framing.Kind;
        switch (framing.Kind)
        {
            case BodyKind.None:
                _bodyDone = true;
                break;
            case BodyKind.ContentLength:
                if (framing.ContentLength > _settings.MaxResponseBodySize)
                {
                    _broken = true;
                    throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response from {Origin} declares a body of {framing.ContentLength} bytes, more than the limit of {_settings.MaxResponseBodySize}.");
                }

                _bodyRemaining = framing.ContentLength;
                _bodyDone = _bodyRemaining == 0;
                break;
            case BodyKind.Chunked:
                _decoder ??= new ChunkedDecoder(_settings.ChunkedOptions);
                _decoder.Reset();
                break;
            default:
                _keepAlive = false;
                break;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Response body

    /// <summary>Reads body bytes into <paramref name="destination"/>; 0 at the end. Completes synchronously from buffered bytes.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_bodyDone || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        ThrowIfBroken();
        if (_end > _start)
        {
            try
            {
                int n = ReadBuffered(destination.Span);
                if (n >= 0)
                {
                    return new ValueTask<int>(n);
                }
            }
            catch
            {
                _broken = true;
                throw;
            }
        }

        return ReadSlowAsync(destination, cancellationToken);
    }

    /// <summary>Serves a read from buffered bytes: the count (0 only at the end), or -1 when more must be received.</summary>
    private int ReadBuffered(Span<byte> destination)
    {
        switch (_bodyKind)
        {
            case BodyKind.ContentLength:
            {
                int n = (int)Math.Min(Math.Min(_end - _start, _bodyRemaining), destination.Length);
                _in.AsSpan(_start, n).CopyTo(destination);
                Consume(n);
                _bodyRead += n;
                _bodyRemaining -= n;
                _bodyDone = _bodyRemaining == 0;
                return n;
            }

            case BodyKind.Chunked:
            {
                OperationStatus status = _decoder!.Decode(_in.AsSpan(_start, _end - _start), destination, out int consumed, out int written);
                Consume(consumed);
                CountBody(written);
                if (status == OperationStatus.InvalidData)
                {
                    throw ChunkedError();
                }

                if (status == OperationStatus.Done)
                {
                    _bodyDone = true;
                    return written;
                }

                return written > 0 ? written : -1;
            }

            default:
            {
                int n = Math.Min(_end - _start, destination.Length);
                _in.AsSpan(_start, n).CopyTo(destination);
                Consume(n);
                CountBody(n);
                return n;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancel, this) : default;
        try
        {
            while (true)
            {
                if (_bodyKind == BodyKind.Chunked)
                {
                    // The decoder consumed everything buffered: receive more after it.
                    MakeRoom();
                    int received = await ReceiveAsync(_in.AsMemory(_end)).ConfigureAwait(false);
                    if (received == 0)
                    {
                        throw Closed(null, $"in the middle of the chunked body, after {_bodyRead} bytes");
                    }

                    _end += received;
                    int n = ReadBuffered(destination.Span);
                    if (n >= 0)
                    {
                        return n;
                    }

                    continue;
                }

                // Content-Length and close-delimited bodies are received straight into the caller's memory.
                Memory<byte> into = _bodyKind == BodyKind.ContentLength && _bodyRemaining < destination.Length
                    ? destination[..(int)_bodyRemaining]
                    : destination;
                int count = await ReceiveAsync(into).ConfigureAwait(false);
                if (count == 0)
                {
                    if (_bodyKind == BodyKind.ReadToClose)
                    {
                        _bodyDone = true;
                        return 0;
                    }

                    throw Closed(null, $"in the middle of the body, after {_bodyRead} of {_bodyRead + _bodyRemaining} bytes");
                }

                if (_bodyKind == BodyKind.ContentLength)
                {
                    _bodyRead += count;
                    _bodyRemaining -= count;
                    _bodyDone = _bodyRemaining == 0;
                }
                else
                {
                    CountBody(count);
                }

                return count;
            }
        }
        catch (Exception e)
        {
            _broken = true;
            Exception mapped = MapException(e, cancellationToken);
            if (ReferenceEquals(mapped, e))
            {
                throw;
            }

            throw mapped;
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>
    /// Reads and discards the rest of the body, up to <paramref name="limit"/> bytes of it. True when the body ended
    /// within the limit; false (and the connection is not reusable) otherwise.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DiscardAsync(long limit, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancel, this) : default;
        try
        {
            long discarded = 0;
            while (!_bodyDone)
            {
                if (_end > _start)
                {
                    discarded += DiscardBuffered();
                    if (_bodyDone)
                    {
                        break;
                    }
                }

                if (discarded > limit || (_bodyKind == BodyKind.ContentLength && discarded + _bodyRemaining > limit))
                {
                    return false;
                }

                MakeRoom();
                int received = await ReceiveAsync(_in.AsMemory(_end)).ConfigureAwait(false);
                if (received == 0)
                {
                    if (_bodyKind == BodyKind.ReadToClose)
                    {
                        _bodyDone = true;
                        break;
                    }

                    throw Closed(null, $"in the middle of the body, after {_bodyRead} bytes");
                }

                _end += received;
            }

            return discarded <= limit;
        }
        catch (Exception e)
        {
            _broken = true;
            Exception mapped = MapException(e, cancellationToken);
            if (ReferenceEquals(mapped, e))
            {
                throw;
            }

            throw mapped;
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>Discards body bytes that are already buffered, without receiving. Returns how many body bytes went.</summary>
    public long DiscardBuffered()
    {
        switch (_bodyKind)
        {
            case BodyKind.ContentLength:
            {
                int n = (int)Math.Min(_end - _start, _bodyRemaining);
                Consume(n);
                _bodyRead += n;
                _bodyRemaining -= n;
                _bodyDone = _bodyRemaining == 0;
                return n;
            }

            case BodyKind.Chunked:
            {
                long before = _decoder!.DecodedLength;
                OperationStatus status;
                do
                {
                    status = _decoder.Read(_in.AsSpan(_start, _end - _start), out int consumed, out _);
                    Consume(consumed);
                }
                while (status == OperationStatus.NeedMoreData && _end > _start);

                long n = _decoder.DecodedLength - before;
                CountBody(n);
                if (status == OperationStatus.InvalidData)
                {
                    throw ChunkedError();
                }

                _bodyDone = status == OperationStatus.Done;
                return n;
            }

            case BodyKind.ReadToClose:
            {
                int n = _end - _start;
                Consume(n);
                CountBody(n);
                return n;
            }

            default:
                return 0;
        }
    }

    /// <summary>Reads the whole body into a pooled buffer (or a view of the receive buffer) valid until the exchange ends.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (_bodyDone)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        ThrowIfBroken();
        if (_bodyKind == BodyKind.ContentLength && _bodyRemaining <= _end - _start)
        {
            // All of it is here: hand out a view of the receive buffer, which nothing touches until the exchange ends.
            var view = new ReadOnlyMemory<byte>(_in, _start, (int)_bodyRemaining);
            DiscardBuffered();
            return view;
        }

        int capacity = _bodyKind == BodyKind.ContentLength
            ? (int)Math.Min(_bodyRemaining, Array.MaxLength)
            : (int)Math.Min(Math.Max(4096, (_end - _start) * 2L), Math.Min(_settings.MaxResponseBodySize + 1, Array.MaxLength));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        _bodyBuffer = buffer;
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (_bodyKind == BodyKind.ContentLength || buffer.Length >= Array.MaxLength)
                {
                    break;
                }

                byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, Array.MaxLength));
                buffer.AsSpan(0, total).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                _bodyBuffer = buffer = bigger;
            }

            int n = await ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return new ReadOnlyMemory<byte>(buffer, 0, total);
    }

    /// <summary>Reads the rest of the body into <paramref name="destination"/>; a body that does not fit is an error.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadToEndAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int total = 0;
        while (!_bodyDone)
        {
            if (total == destination.Length)
            {
                // Full: the body must end right here (a chunked body may still have its last chunk to come).
                if (!await DiscardAsync(0, cancellationToken).ConfigureAwait(false))
                {
                    _broken = true;
                    throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response body from {Origin} is longer than the {destination.Length}-byte buffer given for it.");
                }

                break;
            }

            int n = await ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Ends the exchange from <see cref="HttpGenResponse{TResponse}.DisposeAsync"/>: drains a short rest of the body, then releases.</summary>
    public ValueTask DisposeResponseAsync()
    {
        if (DiscardBufferedForReuse())
        {
            return DrainAndReleaseAsync();
        }

        _pool.Release(this);
        return default;
    }

    /// <summary>Ends the exchange from <see cref="HttpGenResponse{TResponse}.Dispose"/>: only buffered body bytes are discarded.</summary>
    public void DisposeResponse()
    {
        DiscardBufferedForReuse();
        _pool.Release(this);
    }

    /// <summary>Discards what is buffered of an unread body; true when more must be received to keep the connection.</summary>
    private bool DiscardBufferedForReuse()
    {
        if (_bodyDone || _broken || !_keepAlive || _closed)
        {
            return false;
        }

        try
        {
            if (_end > _start)
            {
                DiscardBuffered();
            }
        }
        catch (Exception)
        {
            _broken = true;
            return false;
        }

        return !_bodyDone;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAndReleaseAsync()
    {
        try
        {
            if (!await DiscardAsync(_settings.MaxDrainSize, default).ConfigureAwait(false))
            {
                _broken = true;
            }
        }
        catch (Exception)
        {
            _broken = true;
        }
        finally
        {
            _pool.Release(this);
        }
    }

    private void CountBody(long count)
    {
        _bodyRead += count;
        if (_bodyRead > _settings.MaxResponseBodySize)
        {
            _broken = true;
            throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response body from {Origin} is longer than the limit of {_settings.MaxResponseBodySize} bytes.");
        }
    }

    private HttpResponseException ChunkedError()
    {
        _broken = true;
        ParseError error = _decoder!.Error;
        return new HttpResponseException(error, true, $"The chunked response body from {Origin} is malformed: {error.Reason} ({error.Kind} at offset {error.Offset} of the body).");
    }

    public void ThrowIfBroken()
    {
        if (_broken)
        {
            throw new InvalidOperationException("The response body cannot be read any further: an earlier read failed and the connection was closed.");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Request body writer

    ValueTask IRequestBodySink.WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_writing)
        {
            throw new InvalidOperationException("A request body writer can only be used inside its content callback, before it completes.");
        }

        if (data.IsEmpty)
        {
            return default;
        }

        if (!_chunkedRequest && _requestBodyWritten + data.Length > _requestBodyLimit)
        {
            throw new InvalidOperationException($"The body writer wrote more than the declared Content-Length of {_requestBodyLimit}.");
        }

        _requestBodyWritten += data.Length;
        int framing = _chunkedRequest ? ChunkedEncoder.MaxChunkHeaderLength + 2 : 0;
        if (_outLength + data.Length + framing <= _out.Length)
        {
            if (_chunkedRequest)
            {
                ChunkedEncoder.TryWriteChunk(_out.AsSpan(_outLength), data.Span, out int written);
                _outLength += written;
            }
            else
            {
                AppendOut(data.Span);
            }

            return _outLength >= _out.Length / 2 ? WithCallerToken(FlushOutAsync(), cancellationToken) : default;
        }

        return WriteLargeAsync(data, cancellationToken);
    }

    ValueTask IRequestBodySink.FlushBodyAsync(CancellationToken cancellationToken)
    {
        if (!_writing)
        {
            throw new InvalidOperationException("A request body writer can only be used inside its content callback, before it completes.");
        }

        return WithCallerToken(FlushOutAsync(), cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteLargeAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancel, this) : default;
        try
        {
            if (_chunkedRequest)
            {
                ChunkedEncoder.TryWriteChunkHeader(_out.AsSpan(_outLength), data.Length, out int written);
                _outLength += written;
            }

            await FlushOutAsync().ConfigureAwait(false);
            await SendAllAsync(data).ConfigureAwait(false);
            if (_chunkedRequest)
            {
                AppendOut("\r\n"u8);
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WithCallerToken(ValueTask task, CancellationToken cancellationToken)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        CancellationTokenRegistration registration = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancel, this) : default;
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            registration.Dispose();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Bytes

    private void AppendOut(ReadOnlySpan<byte> bytes)
    {
        if (_out.Length - _outLength < bytes.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(_outLength + bytes.Length);
            _out.AsSpan(0, _outLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_out);
            _out = bigger;
        }

        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
    }

    private ValueTask FlushOutAsync()
    {
        if (_outLength == 0)
        {
            return default;
        }

        int length = _outLength;
        _outLength = 0;
        return SendAllAsync(new ReadOnlyMemory<byte>(_out, 0, length));
    }

    private ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
    {
        ValueTask<int> send = _socket.SendAsync(data, SocketFlags.None, _cts.Token);
        if (send.IsCompletedSuccessfully && send.Result == data.Length)
        {
            return default;
        }

        return SendRestAsync(send, data);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ValueTask<int> pending, ReadOnlyMemory<byte> data)
    {
        int sent = await pending.ConfigureAwait(false);
        while (sent < data.Length)
        {
            sent += await _socket.SendAsync(data[sent..], SocketFlags.None, _cts.Token).ConfigureAwait(false);
        }
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> into) => _socket.ReceiveAsync(into, SocketFlags.None, _cts.Token);

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Makes room after the buffered bytes: compacts, or grows up to the head limit. False when full at the limit.</summary>
    private bool MakeRoom()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (_end < _in.Length)
        {
            return true;
        }

        if (_start > 0)
        {
            _in.AsSpan(_start, _end - _start).CopyTo(_in);
            _end -= _start;
            _start = 0;
            return true;
        }

        if (_in.Length >= _maxInBuffer)
        {
            return false;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_in.Length * 2, _maxInBuffer));
        _in.AsSpan(0, _end).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_in);
        _in = bigger;
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Errors

    private static bool IsConnectionError(Exception e) => e is SocketException or IOException or ObjectDisposedException && e is not HttpGenClientException;

    private HttpGenClientException Closed(Exception? inner, string when)
    {
        _broken = true;
        string detail = inner is SocketException s ? $" ({s.SocketErrorCode})" : "";
        return new HttpGenClientException(HttpClientErrorKind.ConnectionClosed, $"{Origin} closed the connection {when}{detail}.", inner);
    }

    /// <summary>
    /// Turns a cancellation into what the caller should see: the caller's own <see cref="OperationCanceledException"/>
    /// when one of its tokens fired, a <see cref="HttpClientErrorKind.RequestTimeout"/> error otherwise. Socket errors
    /// become <see cref="HttpClientErrorKind.ConnectionClosed"/>. Anything else is returned as is.
    /// </summary>
    public Exception MapException(Exception e, CancellationToken callToken = default)
    {
        if (e is OperationCanceledException)
        {
            if (callToken.IsCancellationRequested)
            {
                return new OperationCanceledException("The read was canceled.", e, callToken);
            }

            if (_callerToken.IsCancellationRequested)
            {
                return new OperationCanceledException("The request was canceled.", e, _callerToken);
            }

            return new HttpGenClientException(HttpClientErrorKind.RequestTimeout, $"The request to {Origin} timed out after {_timeoutMs} ms.", e);
        }

        if (IsConnectionError(e))
        {
            return Closed(e, "during the exchange");
        }

        return e;
    }
}
