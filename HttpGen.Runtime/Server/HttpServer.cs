using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HttpGen.Server;

/// <summary>
/// An HTTP/1.1 server over sockets, generic over the generated request and response types so that the JIT binds
/// every call into their parsers and serializers statically.
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
    private readonly List<Socket> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly ConcurrentDictionary<HttpConnection<TRequest, TResponse>, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IPEndPoint> _localEndPoints = new();
    private volatile bool _isStopping;
    private int _connectionCount;
    private long _acceptedConnections;
    private long _rejected;
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

    internal bool IsStopping => _isStopping;

    /// <summary>The first bound port, boxed once, as the <c>server.port</c> metric tag.</summary>
    internal object? PortTag { get; private set; }

    internal CancellationToken StoppingToken => _stopping.Token;

    /// <summary>The endpoints actually bound (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Connections accepted since the server started (including any refused for the connection limit).</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>Requests rejected so far for a malformed head or an oversized body.</summary>
    public long RejectedRequests => Interlocked.Read(ref _rejected);

    internal void OnRejected(ParseErrorKind kind)
    {
        Interlocked.Increment(ref _rejected);
        Diagnostics.ServerMetrics.Rejected(kind, PortTag);
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
        IList<IPEndPoint> endpoints = Options.Endpoints.Count > 0 ? Options.Endpoints : new[] { new IPEndPoint(IPAddress.Loopback, 8080) };
        try
        {
            foreach (IPEndPoint endpoint in endpoints)
            {
                var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(listener);
                if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    listener.DualMode = false; // IPv4 is bound separately when asked for
                }

                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (Options.ReusePort)
                {
                    EnableReusePort(listener);
                }

                listener.Bind(endpoint);
                listener.Listen(Options.Backlog);
                _localEndPoints.Add((IPEndPoint)listener.LocalEndPoint!);
            }
        }
        catch
        {
            foreach (Socket listener in _listeners)
            {
                listener.Dispose();
            }

            throw;
        }

        PortTag = _localEndPoints[0].Port;

        // Timeouts are enforced by one heartbeat, not by a timer per receive: the request path only writes a deadline.
        TimeSpan shortest = TimeSpan.FromTicks(Math.Min(Math.Min(Options.RequestHeadTimeout.Ticks, Options.KeepAliveTimeout.Ticks), Options.BodyReadTimeout.Ticks));
        TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 25, 1000));
        _heartbeat = new Timer(static state => ((HttpServer<TRequest, TResponse>)state!).Heartbeat(), this, period, period);
        foreach (Socket listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }

        return Task.CompletedTask;
    }

    // SO_REUSEPORT (Linux: level SOL_SOCKET = 1, option 15) lets several processes bind the same port.
    private static void EnableReusePort(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ReusePort is supported on Linux.");
        }

        socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
    }

    private void Heartbeat()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<HttpConnection<TRequest, TResponse>, Task> entry in _connections)
        {
            entry.Key.CheckTimeout(now);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_isStopping)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_isStopping)
                {
                    return;
                }

                continue;
            }

            Interlocked.Increment(ref _acceptedConnections);
            if (Interlocked.Increment(ref _connectionCount) > Options.MaxConcurrentConnections || _isStopping)
            {
                Interlocked.Decrement(ref _connectionCount);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var connection = new HttpConnection<TRequest, TResponse>(this, socket);

            // Registered before it runs, so that a connection that ends at once is still removed.
            _connections[connection] = Task.CompletedTask;
            Task running = connection.RunAsync();
            _connections.TryUpdate(connection, running, Task.CompletedTask);
        }
    }

    internal void OnConnectionClosed(HttpConnection<TRequest, TResponse> connection, long openedTimestamp)
    {
        _connections.TryRemove(connection, out _);
        Interlocked.Decrement(ref _connectionCount);
        Diagnostics.ServerMetrics.ConnectionClosed(openedTimestamp);
    }

    /// <summary>
    /// Stops gracefully: stops accepting, closes idle connections, lets in-flight requests finish (their responses
    /// say <c>Connection: close</c>) until <see cref="HttpServerOptions.ShutdownTimeout"/>, then aborts the rest.
    /// </summary>
    /// <param name="cancellationToken">Aborts the graceful wait early.</param>
    /// <returns>A task that completes when every connection is closed.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_isStopping)
        {
            return;
        }

        _isStopping = true;
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        foreach (HttpConnection<TRequest, TResponse> connection in _connections.Keys)
        {
            if (connection.IsIdle)
            {
                connection.Abort();
            }
        }

        Task all = Task.WhenAll(_connections.Values);
        try
        {
            await all.WaitAsync(Options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _stopping.Cancel();
            foreach (HttpConnection<TRequest, TResponse> connection in _connections.Keys)
            {
                connection.Abort();
            }

            await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
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

        _stopping.Dispose();
    }
}
