using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using HttpGen.Diagnostics;
using HttpGen.Parsing;
using HttpGen.Transport;

namespace HttpGen.Server;

/// <summary>
/// One client connection: parse a head, frame its body, run the handler, write the response, then keep the
/// connection or close it (RFC 9112 §9). Pipelined requests are answered in order, and every response produced from
/// bytes already received is sent in one write. The message objects, buffers and body reader/writer live as long as
/// the connection, so a keep-alive request costs no allocation. On a TLS endpoint the connection first runs the
/// handshake, then this same loop over the decrypted stream. This file holds the loop and the connection's life; the
/// request handling and the response head are in HttpConnection.Response.cs.
/// </summary>
internal sealed partial class HttpConnection<TRequest, TResponse> : HttpResponseBody.IStarter, HttpRequestBody.IContinueSender
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private const int FlushThreshold = 64 * 1024;

    private readonly HttpServer<TRequest, TResponse> _server;
    private readonly ServerListener _listener;
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

    // Whether the heartbeat watches for the peer going away: 0 yes, 1 it is looking right now, 2 never again (the
    // connection is being handed over, and its new owner reads the socket). The hand-off waits for a look to finish,
    // so that the look's peek at the socket never races a read.
    private const int WatchOn = 0;
    private const int WatchLooking = 1;
    private const int WatchOff = 2;
    private int _peerWatch;

    // The status of the last response queued, and the TLS version ("1.2", "1.3"; null for TCP), for metrics.
    private int _lastStatus;
    private string? _tlsVersion;

    public HttpConnection(HttpServer<TRequest, TResponse> server, Socket socket, ServerListener listener)
    {
        _server = server;
        _listener = listener;
        _options = server.Options;
        _handler = server.Handler;
        _io = new ConnectionIO(CreateTransport(socket, listener, _options), _options.ReceiveBufferSize, server.MaxHeadLength);
        _io.MinSendRate = _options.MinResponseDataRate;
    }

    // Plain TCP on .NET's sockets, or on an epoll loop when asked for (TLS always on .NET's: SslStream reads the socket).
    private static NetworkTransport CreateTransport(Socket socket, ServerListener listener, HttpServerOptions options)
    {
        if (options.UseEpoll && listener.Tls is null && EpollEngine.Server is { } engine)
        {
            try
            {
                return EpollTransport.Attach(engine, socket);
            }
            catch (SocketException)
            {
                socket.Blocking = true; // no room in the engine: .NET's sockets will do
            }
        }

        return new SocketTransport(socket);
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

        _io.CheckReceiveTimeout(now);
        if (_io.IsSendOverdue(now))
        {
            // The token first: the send's failure may reach the handler at once (inline completions), and the handler
            // must find its token already cancelled.
            CancelHandler();
            _io.AbortSend();
        }
        else if (_handlerRunning && Interlocked.CompareExchange(ref _peerWatch, WatchLooking, WatchOn) == WatchOn)
        {
            bool gone = PeerHasGone();
            Volatile.Write(ref _peerWatch, WatchOn);
            if (gone)
            {
                CancelHandler();
            }
        }
    }

    /// <summary>Stops the heartbeat's watch for the peer for good, once a look in progress is over.</summary>
    private void StopWatchingPeer()
    {
        var wait = default(SpinWait);
        while (Interlocked.CompareExchange(ref _peerWatch, WatchOff, WatchOn) == WatchLooking)
        {
            wait.SpinOnce();
        }
    }

    // A readable socket with nothing to read has seen FIN or a reset. Poll with a zero timeout neither blocks nor allocates.
    // A receive side shut here by a missed deadline looks the same, but the read that waits will answer for it (408).
    private bool PeerHasGone()
    {
        if (_io.ReceiveTimedOut)
        {
            return false;
        }

        try
        {
            Socket socket = _io.Transport.Socket;
            if (!socket.Poll(0, SelectMode.SelectRead))
            {
                return false;
            }

            int available = socket.Available;
            return available == 0
                || (_io.Transport is TlsTransport tls && _exchange?.Body.IsComplete == true && IsCloseAlertPending(socket, tls, available));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    // Over TLS a peer that closes first sends a close_notify alert, which the poll sees as bytes to read: when the
    // request body is complete and exactly one record waits, an alert record means the peer has gone. Nothing else
    // reads the socket meanwhile (the body is complete, the loop waits for the handler, a hand-off waits for this
    // look), so the peek finds the bytes Available counted and cannot block. TLS 1.2 shows its
    // type (21); TLS 1.3 hides it in an application-data record (23) of an alert's size (2 bytes, the inner type and
    // the 16-byte tag: 19). Only a peer that sends exactly two bytes of a next request and then waits looks the same.
    private static bool IsCloseAlertPending(Socket socket, TlsTransport tls, int available)
    {
        Span<byte> header = stackalloc byte[5];
        if (socket.Receive(header, SocketFlags.Peek) != 5)
        {
            return false;
        }

        int length = (header[3] << 8) | header[4];
        return available == 5 + length
            && (header[0] == 21 || (header[0] == 23 && length == 19 && tls.Stream.SslProtocol == System.Security.Authentication.SslProtocols.Tls13));
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
    /// at once (no handler will run on it). A new connection that has not sent anything yet (or is still in its TLS
    /// handshake) gets a short while to send its first request, which is then answered with <c>Connection: close</c>.
    /// A connection that its handler took over has the handler's token cancelled.
    /// </summary>
    public void OnStopping(long firstRequestDeadline)
    {
        if (Volatile.Read(ref _peerWatch) == WatchOff)
        {
            // A taken-over connection has no request to finish: its handler is told to wind its protocol down now
            // (within the shutdown timeout), not when the stop gives up on it.
            CancelHandler();
            return;
        }

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
        long opened = Stopwatch.GetTimestamp();
        ServerMetrics.ConnectionOpened();
        try
        {
            if (_listener.Tls is not null && !await HandshakeAsync().ConfigureAwait(false))
            {
                return;
            }

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
                        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
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
                    _server.OnRejected(error.Kind, _listener.PortTag);
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
                long started = ServerMetrics.RequestStarted(method, _listener.PortTag);
                bool keep = await HandleAsync().ConfigureAwait(false);
                _io.ReleaseHead();
                Output.Release();
                Body.Release();
                ServerMetrics.RequestEnded(method, _lastStatus, _version, started, _listener.PortTag);
                if (_handOff is not null)
                {
                    // The handler's task is over, and with it the connection it took over.
                    await _handOff.DisposeAsync().ConfigureAwait(false);
                    return;
                }

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
            _server.OnConnectionClosed(this, opened, _tlsVersion);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // The TLS handshake, before any HTTP, off the accept loop (RunAsync has yielded). It is bounded by
    // TlsHandshakeTimeout through the heartbeat, which shuts the socket's receive side when the deadline passes (and
    // fails the handshake), like every other timeout; a stop brings the deadline forward. False when it failed: a
    // client that stalls, speaks plain HTTP, or offers nothing acceptable is closed without a word.
    private async ValueTask<bool> HandshakeAsync()
    {
        long started = Stopwatch.GetTimestamp();
        _io.StartDeadline(ConnectionIO.DeadlineAfter(_options.TlsHandshakeTimeout));
        TlsTransport tls;
        try
        {
            tls = await _listener.AuthenticateAsync(_io.Transport.Socket, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever failed (the peer, the certificate selector), this connection has nothing more to say.
            ServerMetrics.TlsHandshakeEnded(started, null, _io.EndWait() ? "timeout" : e.GetType().FullName, _listener.PortTag);
            return false;
        }

        _io.UseTransport(tls);
        if (_io.EndWait())
        {
            ServerMetrics.TlsHandshakeEnded(started, null, "timeout", _listener.PortTag);
            return false; // done just as the deadline passed: the receive side is already shut
        }

        _tlsVersion = tls.TlsProtocolVersion;
        ServerMetrics.TlsHandshakeEnded(started, _tlsVersion, null, _listener.PortTag);
        return true;
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
            await _io.Transport.CloseSendAsync().ConfigureAwait(false);
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
        }
    }

    async ValueTask HttpRequestBody.IContinueSender.SendContinueAsync()
    {
        _io.AppendOut("HTTP/1.1 100 Continue\r\n\r\n"u8);
        await _io.FlushAsync().ConfigureAwait(false);
    }
}
