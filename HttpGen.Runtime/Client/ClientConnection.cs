using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using HttpGen.Parsing;
using HttpGen.Transport;

namespace HttpGen.Client;

/// <summary>
/// One keep-alive connection to an origin and the exchange in progress on it: the buffered I/O over its transport
/// (plain TCP or TLS), the request writer, the response message the heads are parsed into, the response body reader,
/// and a cancellation source for the exchange's timeout. Everything is reused from one exchange to the next, so a
/// steady-state exchange allocates nothing. Used by one caller at a time: the pool hands it out exclusively.
/// </summary>
internal sealed class ClientConnection<TResponse>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    /// <summary>Most interim (1xx) responses skipped before a final one; together they also count against the head limit.</summary>
    internal const int MaxInterimResponses = 10;

    private static readonly Action<object?> s_cancel = static state => ((ClientConnection<TResponse>)state!).CancelExchange();

    private readonly ConnectionPool<TResponse> _pool;
    private readonly ClientSettings _settings;
    private readonly ConnectionIO _io;
    private readonly TResponse _response;
    private readonly ClientRequestWriter<TResponse> _request;
    private readonly ClientResponseBody<TResponse> _body;
    private readonly int _maxHead;
    private readonly long _openedAt;

    private CancellationTokenSource _cts = new();
    private CancellationTokenRegistration _callerRegistration;
    private CancellationToken _callerToken;
    private long _timeoutMs;
    private bool _closed;
    private bool _keepAlive;
    private bool _broken;
    private RequestMethod _method;
    private int _headStart, _headLength; // where the last head parsed lies in the receive buffer

    // TLS only: a zero-byte read left pending while the connection is idle. Decrypted bytes or records held inside the
    // TLS stream are invisible to a socket poll; this read completes when any arrive (or at close_notify).
    private ValueTask<int> _probe;
    private bool _probing;

    // How the connection is counted in http.client.open_connections.
    private Diagnostics.ClientMetrics.State _countedAs;

    public ClientConnection(ConnectionPool<TResponse> pool, NetworkTransport transport)
    {
        _pool = pool;
        _settings = pool.Settings;
        _response = TResponse.Create();
        ParserOptions limits = _response.Options;
        _maxHead = Math.Max(_settings.ReceiveBufferSize, limits.MaxRequestLineLength + limits.MaxHeaderBlockLength + 1) - 1;
        _io = new ConnectionIO(transport, _settings.ReceiveBufferSize, _maxHead + 1);
        _io.TryMakeRoom();
        _io.GetOutSpan(4096);
        _request = new ClientRequestWriter<TResponse>(this, _io);
        _body = new ClientResponseBody<TResponse>(this, _io, _settings);
        _openedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        CountAs(Diagnostics.ClientMetrics.State.Active);
    }

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

    public ClientResponseBody<TResponse> Body => _body;

    /// <summary>The token of the exchange in progress: its timeout, the caller's token, and any read's token.</summary>
    public CancellationToken ExchangeToken => _cts.Token;

    /// <summary>Whether the connection can serve another exchange once this one ends.</summary>
    public bool IsReusable => !_closed && !_broken && _keepAlive && _body.IsComplete && _io.Start == _io.End && _io.OutLength == 0;

    /// <summary>
    /// Idle-reuse check: not expired, and the server has not closed it (a readable idle socket means a FIN, a reset, or
    /// bytes nobody asked for, a TLS record among them; any of them makes it unusable; over TLS also the pending
    /// probe read, for bytes the TLS stream already held). <see cref="Socket.Poll(int, SelectMode)"/> with a zero
    /// timeout does not block and does not allocate. On a connection driven by the epoll engine, no read event since
    /// its last receive found the socket empty already says that nothing arrived, without the poll's system call,
    /// unless <paramref name="exact"/> (a request that could not be sent again) asks for the poll anyway: an event the
    /// engine has not handled yet (a FIN that has just arrived) would be missed, and only a retryable request can
    /// afford to find out by sending.
    /// </summary>
    public bool IsUsableAfterIdle(long now, bool exact)
    {
        if (_closed || now - IdleSince >= _settings.IdleTimeoutMs || (_probing && _probe.IsCompleted))
        {
            return false;
        }

        EpollTransport? epoll = _io.Transport as EpollTransport;
        int seen = 0;
        if (epoll is not null)
        {
            if (!exact && !epoll.HadEventSinceDrained)
            {
                return true;
            }

            seen = epoll.ReadEvents;
        }

        try
        {
            Socket socket = _io.Transport.Socket;
            if (socket.Poll(0, SelectMode.SelectRead))
            {
                return false;
            }

            epoll?.MarkDrained(seen); // the events so far were the last exchange's own
            return socket.Connected;
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

        _body.Reset();
        _keepAlive = false;
        _broken = false;
        CacheStatus = default;
    }

    /// <summary>
    /// Ends the exchange: unties the caller's token, disarms the timeout, returns the pooled buffers of the bodies and
    /// makes the response value stale. Returns whether the connection can be reused (over TLS, a probe read is then
    /// left pending on it).
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

        _body.End();
        _request.End();
        Version++;
        return IsReusable && StartProbe();
    }

    // Over TLS, a zero-byte read that stays pending while the connection is idle; true when it did not complete at once.
    private bool StartProbe()
    {
        if (_io.Transport is not TlsTransport)
        {
            return true;
        }

        try
        {
            _probe = _io.Transport.ReceiveAsync(Memory<byte>.Empty, _cts.Token);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            return false;
        }

        _probing = true;
        return !_probe.IsCompleted;
    }

    // Before the first receive of an exchange on a probed connection: the probe's read finishes first (one read at a time).
    private ValueTask<int> EndProbeAsync()
    {
        _probing = false;
        return _probe;
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

    /// <summary>Ties a read's or write's own token to the exchange for the duration of that call.</summary>
    public CancellationTokenRegistration LinkCallerToken(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(s_cancel, this) : default;

    /// <summary>Receives into <paramref name="into"/> under the exchange's token; 0 when the peer closed.</summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> into) => _io.Transport.ReceiveAsync(into, _cts.Token);

    /// <summary>Closes the transport and returns the buffers. Only when no exchange is using the connection.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        Retire();
        if (_probing)
        {
            _probing = false;
            _ = ObserveProbeAsync(_probe);
        }

        _io.Dispose();
        _cts.Dispose();
    }

    // The connection leaves the pool's counts and metrics: closed, or handed over.
    private void Retire()
    {
        _closed = true;
        Interlocked.Decrement(ref _settings.OpenConnections);
        CountAs(Diagnostics.ClientMetrics.State.None);
        Diagnostics.ClientMetrics.ConnectionClosed(_openedAt, _pool.HostTag, _pool.PortTag);
    }

    // A probe read left pending when the connection closes fails then; its error is expected and dropped here.
    private static async Task ObserveProbeAsync(ValueTask<int> probe)
    {
        try
        {
            await probe.ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }

    /// <summary>Marks the exchange as failed: the connection will be closed when it is released.</summary>
    public void MarkBroken() => _broken = true;

    /// <summary>Whether the exchange failed (the connection will be closed).</summary>
    public bool IsBroken => _broken;

    public void ThrowIfBroken()
    {
        if (_broken)
        {
            throw new InvalidOperationException("The response body cannot be read any further: an earlier read failed and the connection was closed.");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The exchange

    /// <summary>
    /// Sends the request and reads the response head (skipping 1xx interim responses, at most
    /// <see cref="MaxInterimResponses"/> and together within the head limit). Returns false when the connection turned
    /// out to be closed before a single response byte arrived and the request can be sent again (the content is
    /// replayable); throws for anything else. With <paramref name="upgrade"/>, the request asks to switch to that protocol.
    /// </summary>
    public ValueTask<bool> ExchangeAsync<TRequest>(TRequest request, HttpRequestContent content, string? upgrade, ReadOnlyMemory<byte> extraFields)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        RequestMethod method = HttpGenClient<TRequest, TResponse>.EffectiveMethod(request.Method);
        _request.WriteHead(request, method, content, upgrade, extraFields.Span);
        return ExchangeCoreAsync(method, request.KeepAlive, content);
    }

    /// <summary>As <see cref="ExchangeAsync{TRequest}"/> for a head formatted earlier, without a body (a background revalidation).</summary>
    public ValueTask<bool> ExchangeRawAsync(ReadOnlyMemory<byte> head, RequestMethod method)
    {
        _request.WriteRawHead(head.Span);
        return ExchangeCoreAsync(method, requestKeepAlive: true, default);
    }

    /// <summary>
    /// The head of the final response as received (status line through the blank line), for the cache: valid from the
    /// end of <see cref="ExchangeAsync{TRequest}"/> until the body is read (receiving may move the buffer's bytes).
    /// </summary>
    public ReadOnlySpan<byte> ReceivedHead => _io.In.AsSpan(_headStart, _headLength);

    /// <summary>What the client's cache did with the exchange in progress (default without a cache).</summary>
    public Caching.CacheStatus CacheStatus { get; set; }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ExchangeCoreAsync(RequestMethod method, bool requestKeepAlive, HttpRequestContent content)
    {
        _method = method;
        try
        {
            await _request.SendAsync(content).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            _broken = true;
            if (ExchangeCount > 1 && content.Writer is null)
            {
                return false;
            }

            throw Closed(e, "while sending the request");
        }

        // The response head. Nothing may be buffered from before: a reusable connection ends with an empty buffer.
        ResetResponse(method);
        bool received = false;
        int interim = 0;
        int interimBytes = 0;
        while (true)
        {
            if (_io.End > _io.Start)
            {
                received = true;
                HeadProgress progress = ParseHead(method, out int consumed);
                if (progress == HeadProgress.Final)
                {
                    break;
                }

                if (progress == HeadProgress.Interim)
                {
                    interimBytes += consumed;
                    if (++interim > MaxInterimResponses || interimBytes > _maxHead)
                    {
                        throw TooManyInterim(interim, interimBytes);
                    }

                    continue;
                }
            }

            if (!_io.TryMakeRoom())
            {
                throw HeadTooLarge();
            }

            int n;
            try
            {
                if (_probing)
                {
                    await EndProbeAsync().ConfigureAwait(false);
                }

                n = await _io.Transport.ReceiveAsync(_io.In.AsMemory(_io.End), _cts.Token).ConfigureAwait(false);
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

            _io.End += n;
        }

        ref ResponseHeadParser state = ref TResponse.State(_response);
        int code = state.StatusCode;
        bool tunnel = code == 101 || (method == RequestMethod.Connect && code is >= 200 and < 300);
        _keepAlive = requestKeepAlive && state.KeepAlive && !tunnel && state.Framing.Kind != BodyKind.ReadToClose;
        _body.Start(state.Framing);
        return true;
    }

    private void ResetResponse(RequestMethod method)
    {
        TResponse.Clear(_response);
        TResponse.State(_response).RequestMethod = method;
    }

    private enum HeadProgress : byte { NeedMoreData, Interim, Final }

    /// <summary>Parses the buffered bytes as a head: a final one, an interim (1xx) one that was skipped, or not complete yet.</summary>
    private HeadProgress ParseHead(RequestMethod method, out int consumed)
    {
        var source = new ReadOnlySequence<byte>(_io.In, _io.Start, _io.End - _io.Start);
        OperationStatus status = TResponse.Parse(_response, source, out consumed);
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

        _headStart = _io.Start;
        _headLength = consumed;
        _io.Consume(consumed);
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
        var error = new ParseError(ParseErrorKind.HeadersTooLarge, _io.End - _io.Start);
        return new HttpResponseException(error, false, $"The response head from {Origin} is longer than the limit of {_maxHead} bytes.");
    }

    private HttpResponseException TooManyInterim(int count, int bytes)
    {
        _broken = true;
        var error = new ParseError(ParseErrorKind.HeadersTooLarge, Math.Min(bytes, _maxHead));
        string what = count > MaxInterimResponses
            ? $"more than {MaxInterimResponses} interim (1xx) responses"
            : $"interim (1xx) responses longer than the head limit of {_maxHead} bytes together";
        return new HttpResponseException(error, false, $"{Origin} sent {what} before a final response.");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The end of an exchange

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
        if (_body.IsComplete || _broken || !_keepAlive || _closed)
        {
            return false;
        }

        try
        {
            if (_io.End > _io.Start)
            {
                _body.DiscardBuffered();
            }
        }
        catch (Exception)
        {
            _broken = true;
            return false;
        }

        return !_body.IsComplete;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAndReleaseAsync()
    {
        try
        {
            if (!await _body.DiscardAsync(_settings.MaxDrainSize, default).ConfigureAwait(false))
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

    /// <summary>
    /// Hands the connection over after a 101 (Switching Protocols) or a 2xx answer to CONNECT: a duplex stream that
    /// yields first the bytes that came after the head. The connection leaves the pool for good (its slot is freed)
    /// and the response value goes stale.
    /// </summary>
    public Stream TakeOver()
    {
        ThrowIfBroken();
        int code = TResponse.State(_response).StatusCode;
        if (code != 101 && !(_method == RequestMethod.Connect && code is >= 200 and < 300))
        {
            throw new InvalidOperationException($"Only a 101 (Switching Protocols) response, or a 2xx response to CONNECT, hands its connection over; this response is {code}.");
        }

        HandOffStream stream = HandOffStream.TakeOver(_io);
        _callerRegistration.Dispose();
        _callerRegistration = default;
        _callerToken = default;
        _cts.Dispose();
        _body.End();
        _request.End();
        Version++;
        Retire();
        _pool.ReleaseSlot();
        return stream;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Errors

    private static bool IsConnectionError(Exception e) => e is SocketException or IOException or ObjectDisposedException && e is not HttpGenClientException;

    /// <summary>The error for a connection that closed (or failed) <paramref name="when"/>; marks the exchange broken.</summary>
    public HttpGenClientException Closed(Exception? inner, string when)
    {
        _broken = true;
        string detail = inner is SocketException s ? $" ({s.SocketErrorCode})"
            : inner?.InnerException is SocketException si ? $" ({si.SocketErrorCode})"
            : "";
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
