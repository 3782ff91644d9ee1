using System.Buffers;
using HttpGen.Transport;
using System.Net.Sockets;
using HttpGen.Formatting;
using HttpGen.Parsing;

namespace HttpGen.Server;

/// <summary>
/// One client connection: parse a head, frame its body, run the handler, write the response, then keep the
/// connection or close it (RFC 9112 §9). Pipelined requests are answered in order, and every response produced from
/// bytes already received is sent in one write. The message objects, buffers and body reader/writer live as long as
/// the connection, so a keep-alive request costs no allocation.
/// </summary>
internal sealed class HttpConnection<TRequest, TResponse> : HttpResponseBody.IStarter, HttpRequestBody.IContinueSender
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private const int FlushThreshold = 64 * 1024;

    private readonly HttpServer<TRequest, TResponse> _server;
    private readonly HttpServerOptions _options;
    private readonly IHttpHandler<TRequest, TResponse> _handler;
    private readonly ConnectionIO _io;

    // The messages and bodies of the request in progress (null before the first byte of the first request). When the
    // connection goes idle it parks them; a connection idle for longer than ParkedExchangeLifetime gives them back to
    // the server's pool (the heartbeat takes them), and takes a set from the pool when its next request starts.
    private Exchange<TRequest, TResponse>? _exchange;
    private Exchange<TRequest, TResponse>? _parked;
    private long _parkedSince;

    // Facts about the request being handled, kept for the streaming path (which runs inside the handler).
    private bool _requestKeepAlive;
    private ProtocolVersion _version;
    private bool _isHead;

    // Where the connection is in its cycle; see the State* constants. The loop moves it along; StopAsync may move a
    // connection that waits for, or reads, a head to StateClosed (compare-and-swap, so exactly one of them wins).
    private const int StateIdle = 0;     // waiting for the first byte of a request
    private const int StateHead = 1;     // reading a request head
    private const int StateHandling = 2; // running the handler, writing the response, draining the body
    private const int StateClosed = 3;   // closed by StopAsync before a handler ran
    private int _state;
    private int _served;

    // The handler's token: cancelled when the peer goes away, when it stops reading the response, or when the server
    // gives up waiting at shutdown. Created for the first request, reset after each.
    private CancellationTokenSource? _handlerCts;
    private volatile bool _handlerRunning;

    // The status of the last response queued, for metrics.
    private int _lastStatus;

    public HttpConnection(HttpServer<TRequest, TResponse> server, Socket socket)
    {
        _server = server;
        _options = server.Options;
        _handler = server.Handler;
        _io = new ConnectionIO(new SocketTransport(socket), _options.ReceiveBufferSize, server.MaxHeadLength);
        _io.MinSendRate = _options.MinResponseDataRate;
    }

    /// <summary>How long an idle connection keeps its parked exchange before the heartbeat takes it back.</summary>
    internal static readonly long ParkedExchangeLifetimeMs = 1000;

    private TRequest Request => _exchange!.Request;

    private TResponse Response => _exchange!.Response;

    private HttpRequestBody Body => _exchange!.Body;

    private HttpResponseBody Output => _exchange!.Output;

    // Called before a head is parsed: the parked exchange if the heartbeat left it, else one from the pool.
    private void TakeExchange()
    {
        _exchange = Interlocked.Exchange(ref _parked, null) ?? _server.Exchanges.Rent();
        _exchange.Body.Connection = this;
    }

    // Called as the connection goes idle, with the request cleared and the buffers released.
    private void ParkExchange()
    {
        if (_exchange is not null)
        {
            _parkedSince = Environment.TickCount64;
            Volatile.Write(ref _parked, _exchange);
            _exchange = null;
        }
    }

    // Called when the connection closes: a clean exchange goes back to the pool.
    private void ReturnExchange(bool clean)
    {
        Exchange<TRequest, TResponse>? exchange = Interlocked.Exchange(ref _parked, null) ?? _exchange;
        _exchange = null;
        if (exchange is not null && clean)
        {
            exchange.Output.Release();
            exchange.Body.Release();
            TRequest.Clear(exchange.Request);
            _server.Exchanges.Return(exchange);
        }
    }

    /// <summary>
    /// For the server's heartbeat: enforces the deadlines of pending receives and sends, and cancels a running handler's
    /// token when the peer has gone (reset, or its side closed) or stopped reading.
    /// </summary>
    public void CheckTimeout(long now)
    {
        if (Volatile.Read(ref _parked) is not null && now - _parkedSince >= ParkedExchangeLifetimeMs
            && Interlocked.Exchange(ref _parked, null) is { } parked)
        {
            _server.Exchanges.Return(parked);
        }

        if (_io.CheckTimeouts(now))
        {
            CancelHandler();
        }
        else if (_handlerRunning && PeerHasGone())
        {
            CancelHandler();
        }
    }

    // A readable socket with nothing to read has seen FIN or a reset. Poll with a zero timeout neither blocks nor allocates.
    private bool PeerHasGone()
    {
        try
        {
            Socket socket = _io.Transport.Socket;
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private void CancelHandler()
    {
        try
        {
            // Callbacks the handler registered run on the thread pool, not on the heartbeat.
            _ = _handlerCts?.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// At the start of a graceful stop: a connection that waits between requests, or holds part of a head, is closed
    /// at once (no handler will run on it). A new connection that has not sent anything yet gets a short while to send
    /// its first request, which is then answered with <c>Connection: close</c>.
    /// </summary>
    public void OnStopping(long firstRequestDeadline)
    {
        if ((_served > 0 && Interlocked.CompareExchange(ref _state, StateClosed, StateIdle) == StateIdle)
            || Interlocked.CompareExchange(ref _state, StateClosed, StateHead) == StateHead)
        {
            _io.Transport.Shutdown(SocketShutdown.Both);
        }
        else if (_served == 0)
        {
            _io.LimitReceiveDeadline(firstRequestDeadline);
        }
    }

    /// <summary>Closes the socket under the loop and cancels the handler's token: the server will not wait any longer.</summary>
    public void Abort()
    {
        Volatile.Write(ref _state, StateClosed);
        CancelHandler();
        _io.Transport.Shutdown(SocketShutdown.Both);
    }

    /// <summary>Whether a handler is running on this connection.</summary>
    public bool IsHandling => Volatile.Read(ref _state) == StateHandling;

    private bool Enter(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;

    /// <summary>
    /// The connection's whole life, in one async method so that a connection costs one state machine: leave the
    /// accept loop, serve requests until either side closes, then release everything.
    /// </summary>
    public async Task RunAsync()
    {
        await Task.Yield();
        long opened = System.Diagnostics.Stopwatch.GetTimestamp();
        Diagnostics.ServerMetrics.ConnectionOpened();
        try
        {
            while (true)
            {
                if (_exchange is not null)
                {
                    TRequest.Clear(_exchange.Request);
                }

                OperationStatus status;
                int consumed = 0;

                // RequestHeadTimeout runs from the head's first byte to its blank line, however the bytes trickle in:
                // the deadline is set once, when that byte is first seen, and every receive of the head shares it.
                long headDeadline = 0;
                while (true)
                {
                    status = OperationStatus.NeedMoreData;
                    if (_io.Buffered > 0)
                    {
                        if (headDeadline == 0)
                        {
                            headDeadline = ConnectionIO.DeadlineAfter(_options.RequestHeadTimeout);
                            if (!Enter(StateHandling, StateHead) && Volatile.Read(ref _state) != StateHead)
                            {
                                return; // closed by StopAsync
                            }
                        }

                        if (_exchange is null)
                        {
                            TakeExchange();
                        }

                        status = TRequest.Parse(Request, new ReadOnlySequence<byte>(_io.In, _io.Start, _io.Buffered), out consumed);
                        if (status != OperationStatus.NeedMoreData)
                        {
                            break;
                        }
                    }

                    // About to wait for bytes: first send what earlier (pipelined) requests produced.
                    if (_io.OutLength > 0)
                    {
                        await _io.FlushAsync().ConfigureAwait(false);
                    }

                    if (_io.Buffered == 0)
                    {
                        // Idle: wait for the next request holding no buffer and no state machine but this one. Closed
                        // without a word when the peer closes or resets, the keep-alive timeout passes, or the server
                        // stops (a new connection gets a short while to send its first request).
                        if (!Enter(StateHandling, StateIdle) && Volatile.Read(ref _state) != StateIdle)
                        {
                            return; // closed by StopAsync
                        }

                        bool stopping = _server.IsStopping;
                        if (stopping && _served > 0)
                        {
                            return;
                        }

                        _io.ReleaseIdleBuffers();
                        ParkExchange();
                        TimeSpan wait = stopping ? Min(_options.KeepAliveTimeout, HttpServer<TRequest, TResponse>.FirstRequestGraceOnStop) : _options.KeepAliveTimeout;
                        try
                        {
                            await _io.WaitForDataAsync(ConnectionIO.DeadlineAfter(wait)).ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is SocketException or ObjectDisposedException)
                        {
                            _io.EndWait();
                            return;
                        }

                        if (_io.EndWait() || !Enter(StateIdle, StateHead))
                        {
                            return;
                        }
                    }

                    if (headDeadline == 0)
                    {
                        headDeadline = ConnectionIO.DeadlineAfter(_options.RequestHeadTimeout);
                    }

                    int received;
                    try
                    {
                        received = await _io.ReceiveAsync(headDeadline).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        await CloseWithErrorAsync(408, "request head not received in time").ConfigureAwait(false);
                        return;
                    }

                    if (received == 0)
                    {
                        return; // closed mid-head: nothing to answer
                    }
                }

                if (status == OperationStatus.InvalidData)
                {
                    ParseError error = TRequest.State(Request).Error;
                    _server.OnRejected(error.Kind);
                    await CloseWithErrorAsync(error.StatusCode, error.Reason).ConfigureAwait(false);
                    return;
                }

                if (!Enter(StateHead, StateHandling))
                {
                    return; // closed by StopAsync before its handler could run
                }

                _io.ConsumeHead(consumed); // the head stays in place while the handler may read it
                _served++;
                RequestMethod method = TRequest.State(Request).Method;
                long started = Diagnostics.ServerMetrics.RequestStarted(method, _server.PortTag);
                bool keep = await HandleAsync().ConfigureAwait(false);
                _io.ReleaseHead();
                Output.Release();
                Body.Release();
                Diagnostics.ServerMetrics.RequestEnded(method, _lastStatus, _version, started, _server.PortTag);
                if (!keep || !_handlerCts!.TryReset())
                {
                    if (_io.OutLength > 0)
                    {
                        await _io.FlushAsync().ConfigureAwait(false);
                    }

                    await LingeringCloseAsync().ConfigureAwait(false);
                    return;
                }

                if (_io.OutLength >= FlushThreshold)
                {
                    await _io.FlushAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException or TimeoutException)
        {
            // The peer went away, stopped reading, or the server is aborting: nothing to answer.
        }
        finally
        {
            _io.Dispose();
            ReturnExchange(clean: _handlerCts?.IsCancellationRequested != true);
            _handlerCts?.Dispose();
            _server.OnConnectionClosed(this, opened);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // Runs the handler for the parsed request and queues its response. Returns whether to keep the connection.
    private async ValueTask<bool> HandleAsync()
    {
        ref RequestHeadParser head = ref TRequest.State(Request);
        BodyFraming framing = head.Framing;
        RequestMethod method = head.Method;
        // RFC 9110 §10.1.1 and §15.2: an HTTP/1.0 client is never sent a 1xx; its expectation is ignored.
        bool expectContinue = head.ExpectContinue && head.Version == ProtocolVersion.Http11;
        _requestKeepAlive = head.KeepAlive;
        _version = head.Version;
        _isHead = method == RequestMethod.Head;

        if (framing.Kind == BodyKind.ContentLength && framing.ContentLength > _options.MaxRequestBodySize)
        {
            _server.OnRejected(ParseErrorKind.None);
            QueueError(413, "request body too large");
            return false;
        }

        Body.Start(_io, framing, expectContinue, _options.MaxRequestBodySize, _options.BodyReadTimeout, _options.MinRequestBodyDataRate);
        TResponse.Clear(Response);
        TResponse.State(Response).RequestMethod = method;
        Output.Start(_io, this, _options.MaxBufferedResponseBody);

        _handlerCts ??= new CancellationTokenSource();
        try
        {
            ValueTask handled = _handler.HandleAsync(Request, Response, Body, Output, _handlerCts.Token);
            if (!handled.IsCompletedSuccessfully)
            {
                // Only a handler that waits can outlive its peer: the heartbeat watches the socket meanwhile.
                _handlerRunning = true;
                try
                {
                    await handled.ConfigureAwait(false);
                }
                finally
                {
                    _handlerRunning = false;
                }
            }
        }
        catch (HttpBodyException e)
        {
            if (!Output.HasStarted)
            {
                QueueError(e.StatusCode, e.Message);
            }

            return false;
        }
        catch (Exception) when (!Output.HasStarted && !_io.SendTimedOut)
        {
            QueueError(500, "internal server error");
            return false;
        }
        catch (Exception)
        {
            // The head is gone and part of the body with it, or the peer stopped reading: the only honest end is to
            // close, leaving the body visibly incomplete (no last chunk, or fewer bytes than Content-Length).
            return false;
        }

        bool keep = _requestKeepAlive && !_server.IsStopping && TResponse.State(Response).KeepAlive;
        if (!Body.IsComplete)
        {
            // A client that asked "Expect: 100-continue" and was never told to continue may or may not send its body:
            // the only safe way on is a fresh connection. A large unread body is not worth reading either.
            bool unreadExpect = expectContinue && !Body.ReadStarted;
            bool tooLarge = Body.Kind == BodyKind.ContentLength && Body.Length - Body.BytesRead > _options.MaxBodyDrainSize;
            keep &= !unreadExpect && !tooLarge;
        }

        if (Output.HasStarted)
        {
            try
            {
                Output.CompleteStreaming();
            }
            catch (InvalidOperationException)
            {
                return false; // more body than its Content-Length: not a byte of the excess is sent
            }

            keep &= Output.StreamingKind != BodyKind.ReadToClose && !ContentLengthBroken();
        }
        else if (!QueueBufferedResponse(ref keep))
        {
            return false;
        }

        if (keep && !Body.IsComplete)
        {
            await _io.FlushAsync().ConfigureAwait(false);
            keep = await Body.DrainAsync(_options.MaxBodyDrainSize).ConfigureAwait(false);
        }

        return keep;
    }

    private bool ContentLengthBroken()
    {
        BodyFraming framing = TResponse.State(Response).Framing;
        return framing.Kind == BodyKind.ContentLength && !Output.Discard && framing.ContentLength != Output.BytesWritten;
    }

    // The common case: the whole body is buffered, so the head can carry its exact Content-Length.
    private bool QueueBufferedResponse(ref bool keep)
    {
        ref ResponseHeadParser head = ref TResponse.State(Response);
        int status = head.StatusCode == 0 ? 200 : head.StatusCode;
        _lastStatus = status;
        bool noBody = _isHead || ReasonPhrases.ForbidsBody(status);
        BodyFraming framing = head.Framing;
        if (framing.Kind == BodyKind.None && !ReasonPhrases.ForbidsBody(status))
        {
            framing = new BodyFraming(BodyKind.ContentLength, Output.BytesWritten);
        }
        else if (framing.Kind == BodyKind.ContentLength && !noBody && framing.ContentLength != Output.BytesWritten)
        {
            // The handler declared one length and wrote another: sending either would desynchronize the client.
            QueueError(500, "response body length differs from its Content-Length");
            return false;
        }

        keep &= framing.Kind != BodyKind.ReadToClose;
        head.Framing = framing;
        head.KeepAlive = keep;
        head.AnnounceKeepAlive = keep && _version == ProtocolVersion.Http10;
        QueueHead();
        if (!noBody)
        {
            if (framing.Kind == BodyKind.Chunked)
            {
                Output.AppendBufferedAsChunked();
            }
            else
            {
                _io.AppendOut(Output.Buffered);
            }
        }

        return true;
    }

    BodyKind HttpResponseBody.IStarter.StartStreaming()
    {
        ref ResponseHeadParser head = ref TResponse.State(Response);
        int status = head.StatusCode == 0 ? 200 : head.StatusCode;
        _lastStatus = status;
        bool noBody = _isHead || ReasonPhrases.ForbidsBody(status);
        BodyKind kind = head.Framing.Kind switch
        {
            BodyKind.ContentLength => BodyKind.ContentLength,
            _ when ReasonPhrases.ForbidsBody(status) => BodyKind.None,
            _ when _version == ProtocolVersion.Http11 => BodyKind.Chunked,
            _ => BodyKind.ReadToClose, // an HTTP/1.0 client knows no chunked coding: the close ends the body
        };
        bool keep = kind != BodyKind.ReadToClose && _requestKeepAlive && !_server.IsStopping && head.KeepAlive;
        head.Framing = new BodyFraming(kind, head.Framing.ContentLength);
        head.KeepAlive = keep;
        head.AnnounceKeepAlive = keep && _version == ProtocolVersion.Http10;
        Output.Discard = noBody;
        QueueHead();
        return kind;
    }

    long HttpResponseBody.IStarter.DeclaredLength => TResponse.State(Response).Framing.ContentLength;

    private void QueueHead()
    {
        int sizeHint = 512;
        while (true)
        {
            Span<byte> span = _io.GetOutSpan(sizeHint);
            if (TResponse.Format(Response, span, out int written))
            {
                _io.OutLength += written;
                return;
            }

            sizeHint = span.Length * 2;
        }
    }

    // Error responses are written by the runtime, not through the user's response type: they must not depend on it.
    private void QueueError(int statusCode, string reason)
    {
        _lastStatus = statusCode;
        var writer = new HeadWriter(_io.GetOutSpan(512));
        writer.WriteStatusLine(statusCode, ReasonPhrases.Get(statusCode));
        writer.Write(HttpDate.HeaderLine);
        writer.Write("Content-Type: text/plain; charset=utf-8\r\n"u8);
        writer.WriteHeader("Content-Length: "u8, reason.Length + 1);
        writer.Write("Connection: close\r\n"u8);
        writer.TryComplete(out int written);
        _io.OutLength += written;
        Span<byte> body = _io.GetOutSpan(reason.Length + 1);
        System.Text.Encoding.Latin1.GetBytes(reason, body);
        body[reason.Length] = (byte)'\n';
        _io.OutLength += reason.Length + 1;
    }

    private async Task CloseWithErrorAsync(int statusCode, string reason)
    {
        QueueError(statusCode, reason);
        await _io.FlushAsync().ConfigureAwait(false);
        await LingeringCloseAsync().ConfigureAwait(false);
    }

    // Closing with unread input makes the kernel send RST, which can destroy the response we just sent before the
    // client reads it. So: stop sending, then read and drop what is still coming, briefly, before closing.
    private async Task LingeringCloseAsync()
    {
        try
        {
            _io.Transport.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                long drained = 0;
                while (drained < 1 << 20)
                {
                    int n = await _io.Transport.ReceiveAsync(scratch, linger.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    drained += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    async ValueTask HttpRequestBody.IContinueSender.SendContinueAsync()
    {
        _io.AppendOut("HTTP/1.1 100 Continue\r\n\r\n"u8);
        await _io.FlushAsync().ConfigureAwait(false);
    }
}
