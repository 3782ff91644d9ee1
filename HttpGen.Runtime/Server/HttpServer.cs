using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HttpGen.Transport;

namespace HttpGen.Server;

/// <summary>
/// An HTTP/1.1 server over sockets, plain or TLS (<see cref="HttpServerOptions.Listen"/>), generic over the generated
/// request and response types so that the JIT binds every call into their parsers and serializers statically.
/// </summary>
/// <typeparam name="TRequest">A generated <c>[HttpRequest]</c> type.</typeparam>
/// <typeparam name="TResponse">A generated <c>[HttpResponse]</c> type.</typeparam>
/// <example>
/// <code>
/// await using var server = new HttpServer&lt;MyRequest, MyResponse&gt;(options, new MyHandler());
/// await server.StartAsync();
/// </code>
/// </example>
public sealed class HttpServer<TRequest, TResponse> : IAsyncDisposable
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly List<ServerListener> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly ConcurrentDictionary<HttpConnection<TRequest, TResponse>, Task> _connections = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly List<IPEndPoint> _localEndPoints = new();
    private volatile bool _isStopping;
    private int _connectionCount;
    private long _acceptedConnections;
    private long _rejected;
    private int _abortedOnStop;
    private bool _started;
    private Timer? _heartbeat;

    /// <summary>Creates a server; call <see cref="StartAsync"/> to listen.</summary>
    /// <param name="options">Endpoints, limits and timeouts.</param>
    /// <param name="handler">Handles each request.</param>
    public HttpServer(HttpServerOptions options, IHttpHandler<TRequest, TResponse> handler)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Handler = handler ?? throw new ArgumentNullException(nameof(handler));
        options.Validate();
        ParserOptions parserOptions = options.ParserOptions ?? TRequest.Create().Options;
        MaxHeadLength = parserOptions.MaxRequestLineLength + parserOptions.MaxHeaderBlockLength + 1;
        Exchanges = new ExchangePool<TRequest, TResponse>(parserOptions, options.MaxRequestBodySize, capacity: 1024);
    }

    /// <summary>Creates a server with a delegate handler.</summary>
    /// <param name="options">Endpoints, limits and timeouts.</param>
    /// <param name="handler">Handles each request.</param>
    public HttpServer(HttpServerOptions options, Func<TRequest, TResponse, HttpRequestBody, HttpResponseBody, CancellationToken, ValueTask> handler)
        : this(options, new DelegateHandler<TRequest, TResponse>(handler))
    {
    }

    /// <summary>The options the server runs with.</summary>
    public HttpServerOptions Options { get; }

    internal IHttpHandler<TRequest, TResponse> Handler { get; }

    /// <summary>The spare request/response sets that connections take when a request starts.</summary>
    internal ExchangePool<TRequest, TResponse> Exchanges { get; }

    /// <summary>The longest head the parser accepts (+1), which bounds a connection's receive buffer.</summary>
    internal int MaxHeadLength { get; }

    internal bool IsStopping => _isStopping;

    /// <summary>The first bound port, boxed once, as the <c>server.port</c> tag of server-wide metrics.</summary>
    internal object? PortTag { get; private set; }

    /// <summary>How long a connection accepted just before a stop may take to send its first request.</summary>
    internal static readonly TimeSpan FirstRequestGraceOnStop = TimeSpan.FromSeconds(1);

    /// <summary>The endpoints actually bound (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Connections accepted since the server started (including any refused for the connection limit).</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>
    /// Connections the last <see cref="StopAsync"/> had to abort because their handlers did not finish within
    /// <see cref="HttpServerOptions.ShutdownTimeout"/> (their tokens were cancelled and their sockets closed).
    /// </summary>
    public int AbortedOnStop => Volatile.Read(ref _abortedOnStop);

    /// <summary>Requests rejected so far for a malformed head or an oversized body.</summary>
    public long RejectedRequests => Interlocked.Read(ref _rejected);

    internal void OnRejected(ParseErrorKind kind, object? portTag)
    {
        Interlocked.Increment(ref _rejected);
        Diagnostics.ServerMetrics.Rejected(kind, portTag);
    }

    /// <summary>Binds every endpoint and starts accepting connections.</summary>
    /// <param name="cancellationToken">Unused; present for symmetry with hosting APIs.</param>
    /// <returns>A completed task once listening.</returns>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_started)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        _started = true;
        var endpoints = new List<HttpEndpoint>();
        foreach (IPEndPoint endpoint in Options.Endpoints)
        {
            endpoints.Add(new HttpEndpoint(endpoint));
        }

        endpoints.AddRange(Options.HttpEndpoints);
        if (endpoints.Count == 0)
        {
            endpoints.Add(new HttpEndpoint(new IPEndPoint(IPAddress.Loopback, 8080)));
        }

        try
        {
            foreach (HttpEndpoint endpoint in endpoints)
            {
                Bind(endpoint);
            }
        }
        catch
        {
            foreach (ServerListener listener in _listeners)
            {
                listener.Socket.Dispose();
            }

            throw;
        }

        PortTag = _listeners[0].PortTag;

        // Timeouts are enforced by one heartbeat, not by a timer per receive: the request path only writes a deadline.
        long shortest = Math.Min(Math.Min(Options.RequestHeadTimeout.Ticks, Options.KeepAliveTimeout.Ticks), Options.BodyReadTimeout.Ticks);
        if (_listeners.Exists(static l => l.Tls is not null))
        {
            shortest = Math.Min(shortest, Options.TlsHandshakeTimeout.Ticks);
        }

        TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(TimeSpan.FromTicks(shortest).TotalMilliseconds / 4, 25, 1000));
        _heartbeat = new Timer(static state => ((HttpServer<TRequest, TResponse>)state!).Heartbeat(), this, period, period);
        foreach (ServerListener listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }

        return Task.CompletedTask;
    }

    private void Bind(HttpEndpoint endpoint)
    {
        IPEndPoint address = endpoint.EndPoint;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        var listener = new ServerListener(socket, endpoint);
        _listeners.Add(listener);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false; // IPv4 is bound separately when asked for
        }

        SetReuseOptions(socket, Options.ReusePort);
        try
        {
            socket.Bind(address);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new SocketException((int)SocketError.AddressAlreadyInUse, $"Cannot listen on {address}: the address is already in use{(Options.ReusePort ? " by a socket that did not set SO_REUSEPORT" : "")}. Set ReusePort (--reuseport) on every process that should share the port.");
        }

        socket.Listen(Options.Backlog);
        listener.OnBound();
        _localEndPoints.Add(listener.LocalEndPoint);
    }

    // SO_REUSEADDR lets a restarted server bind while old connections linger in TIME_WAIT; it must not let two servers
    // listen on one port. On Linux, .NET's SocketOptionName.ReuseAddress sets SO_REUSEPORT as well, which does exactly
    // that, so the plain option is set raw (level SOL_SOCKET = 1, SO_REUSEADDR = 2). SO_REUSEPORT (15) only on request.
    private static void SetReuseOptions(Socket socket, bool reusePort)
    {
        if (reusePort && !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ReusePort is supported on Linux.");
        }

        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
            if (reusePort)
            {
                socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
            }
        }
    }

    private void Heartbeat()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<HttpConnection<TRequest, TResponse>, Task> entry in _connections)
        {
            entry.Key.CheckTimeout(now);
        }
    }

    // Accepting is all this loop does: a TLS handshake runs in the connection's own task, so a slow one holds up no
    // other client.
    private async Task AcceptLoopAsync(ServerListener listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.Socket.AcceptAsync(_stopAccepting.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_isStopping)
                {
                    DrainAcceptQueue(listener);
                    return;
                }

                continue;
            }

            Serve(socket, listener);
        }
    }

    // Connections whose handshake completed before the stop wait in the listener's queue, and closing the listener
    // would reset them (Linux), though a client behind a load balancer or in a SO_REUSEPORT group counts on them being
    // served. So the queue is emptied first; each of these connections gets its first request answered with
    // Connection: close. (A connection that lands between the last check and the close is still reset; Linux's
    // net.ipv4.tcp_migrate_req = 1 hands those to another listener of the group instead.)
    private void DrainAcceptQueue(ServerListener listener)
    {
        try
        {
            while (listener.Socket.Poll(0, SelectMode.SelectRead))
            {
                Serve(listener.Socket.Accept(), listener);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            listener.Socket.Dispose();
        }
    }

    private void Serve(Socket socket, ServerListener listener)
    {
        Interlocked.Increment(ref _acceptedConnections);
        if (Interlocked.Increment(ref _connectionCount) > Options.MaxConcurrentConnections)
        {
            Interlocked.Decrement(ref _connectionCount);
            socket.Dispose();
            return;
        }

        socket.NoDelay = true;
        var connection = new HttpConnection<TRequest, TResponse>(this, socket, listener);

        // Registered before it runs, so that a connection that ends at once is still removed.
        _connections[connection] = Task.CompletedTask;
        Task running = connection.RunAsync();
        _connections.TryUpdate(connection, running, Task.CompletedTask);
        if (_isStopping)
        {
            connection.OnStopping(ConnectionIO.DeadlineAfter(FirstRequestGraceOnStop));
        }
    }

    internal void OnConnectionClosed(HttpConnection<TRequest, TResponse> connection, long openedTimestamp, string? tlsProtocolVersion)
    {
        _connections.TryRemove(connection, out _);
        Interlocked.Decrement(ref _connectionCount);
        Diagnostics.ServerMetrics.ConnectionClosed(openedTimestamp, tlsProtocolVersion);
    }

    /// <summary>
    /// Stops gracefully: stops accepting (serving the connections already queued on the listeners), closes connections
    /// that wait between requests or hold part of a head, and lets in-flight requests finish (their responses say
    /// <c>Connection: close</c>) until <see cref="HttpServerOptions.ShutdownTimeout"/>. Then it cancels the handlers'
    /// tokens, closes the remaining connections, counts them in <see cref="AbortedOnStop"/> and returns: a handler
    /// that ignores its token never keeps the server from stopping.
    /// </summary>
    /// <param name="cancellationToken">Ends the graceful wait early (the rest is then aborted the same way).</param>
    /// <returns>A task that completes when the server has stopped; it does not fail.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_isStopping)
        {
            return;
        }

        _isStopping = true;
        _stopAccepting.Cancel();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        long firstRequestDeadline = ConnectionIO.DeadlineAfter(FirstRequestGraceOnStop);
        foreach (HttpConnection<TRequest, TResponse> connection in _connections.Keys)
        {
            connection.OnStopping(firstRequestDeadline);
        }

        if (await WaitForConnectionsAsync(Options.ShutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        int aborted = 0;
        foreach (HttpConnection<TRequest, TResponse> connection in _connections.Keys)
        {
            connection.Abort();
            aborted++;
        }

        Volatile.Write(ref _abortedOnStop, aborted);
        Diagnostics.ServerMetrics.AbortedOnStop(aborted, PortTag);

        // A handler that honours its token ends now; one that does not is left behind, with its socket closed.
        await WaitForConnectionsAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
    }

    // Waits until every connection has closed; false when the time ran out or the wait was cancelled.
    private async Task<bool> WaitForConnectionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_connections.Values).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>) and releases it.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await StopAsync().ConfigureAwait(false);
        }

        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync().ConfigureAwait(false);
        }

        _stopAccepting.Dispose();
    }
}
