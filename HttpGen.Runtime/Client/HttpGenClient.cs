using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace HttpGen.Client;

/// <summary>
/// An HTTP/1.1 client over plain TCP or TLS (<c>http</c> and <c>https</c> origins), generic over the user's <c>[HttpRequest]</c> and <c>[HttpResponse]</c>
/// types: requests are written by the generated serializer and responses read by the generated parser, called through
/// static abstract members (no virtual dispatch). Thread-safe: share one instance.
/// </summary>
/// <typeparam name="TRequest">A generated request type.</typeparam>
/// <typeparam name="TResponse">A generated response type.</typeparam>
/// <remarks>
/// <para>
/// Connections are pooled per <see cref="HttpOrigin"/>: at most <see cref="HttpGenClientOptions.MaxConnectionsPerHost"/>
/// per origin, idle ones reused before new ones are opened, requests beyond the limit queued first-in first-out. An
/// idle connection is checked before reuse (expired, or closed by the server: a non-blocking poll, or on Linux the
/// readiness events of the client's epoll engine), and an idempotent
/// request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE; a request whose method was never set is a GET) without a streamed
/// body that finds a reused connection closed before any response byte is sent once more on a fresh connection. Any error closes the connection involved, so a
/// misbehaving server can never leave a bad connection in the pool.
/// </para>
/// <para>
/// Each request's head is written by the generated code, after the client sets its <c>BodyFraming</c> from the content.
/// A request with no Host header gets the origin's added to its <c>ExtraHeaders</c> (once; set the Host yourself for
/// the allocation-free path). A request whose <c>KeepAlive</c> is false (<c>Connection: close</c>) closes its
/// connection after the response, as does a response that says so.
/// </para>
/// <para>
/// In steady state (a reused keep-alive connection, a small body read into a caller's buffer) an exchange allocates
/// nothing: the response message, buffers, chunked decoder and timeout source live with the connection, and the async
/// methods use pooled state machines.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// await using var client = new HttpGenClient&lt;MyRequest, MyResponse&gt;();
/// var origin = new HttpOrigin("127.0.0.1", 8080);
/// var request = new MyRequest { Target = "/plaintext"u8, Host = origin.HostHeader.Span };
/// using HttpGenResponse&lt;MyResponse&gt; response = await client.SendAsync(origin, request);
/// int length = await response.ReadToEndAsync(buffer);
/// </code>
/// </example>
public sealed class HttpGenClient<TRequest, TResponse> : IDisposable, IAsyncDisposable
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly ClientSettings _settings;
    private readonly ClientCache<TRequest, TResponse>? _cache;
    private readonly ConcurrentDictionary<HttpOrigin, ConnectionPool<TResponse>> _pools = new();
    private readonly Timer _scavenger;
    private volatile bool _disposed;

    /// <summary>Creates a client with the default options.</summary>
    public HttpGenClient()
        : this(new HttpGenClientOptions())
    {
    }

    /// <summary>Creates a client.</summary>
    /// <param name="options">Limits and timeouts, read once here.</param>
    public HttpGenClient(HttpGenClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _settings = new ClientSettings(options);
        if (_settings.Cache is { } cache)
        {
            _cache = new ClientCache<TRequest, TResponse>(cache);
            Diagnostics.ClientMetrics.TrackCache(cache);
        }

        // Closes expired and server-closed idle connections even when no request comes. The timer holds the pools
        // weakly, so a client that is never disposed can still be collected.
        long period = Math.Clamp(_settings.IdleTimeoutMs / 2, 1000, 15_000);
        var holder = new ScavengerState(new WeakReference<ConcurrentDictionary<HttpOrigin, ConnectionPool<TResponse>>>(_pools));
        _scavenger = new Timer(static s => ((ScavengerState)s!).Run(), holder, period, period);
        holder.Timer = _scavenger;
    }

    /// <summary>Connections opened since the client was created, all origins together.</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _settings.ConnectionsOpened);

    /// <summary>Connections open right now (idle or busy), all origins together.</summary>
    public int OpenConnections => Volatile.Read(ref _settings.OpenConnections);

    /// <summary>Connections to <paramref name="origin"/> open or being opened right now.</summary>
    /// <param name="origin">The origin.</param>
    /// <returns>The count; 0 for an origin never used.</returns>
    public int GetConnectionCount(HttpOrigin origin) => _pools.TryGetValue(origin, out ConnectionPool<TResponse>? pool) ? pool.ConnectionCount : 0;

    /// <summary>Idle connections to <paramref name="origin"/> right now.</summary>
    /// <param name="origin">The origin.</param>
    /// <returns>The count; 0 for an origin never used.</returns>
    public int GetIdleConnectionCount(HttpOrigin origin) => _pools.TryGetValue(origin, out ConnectionPool<TResponse>? pool) ? pool.IdleCount : 0;

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="origin"/> and returns the response once its head has
    /// arrived (1xx interim responses are skipped). Read the body from the response, then dispose it: that gives the
    /// connection back to the pool (or closes it).
    /// </summary>
    /// <param name="origin">Where to send it.</param>
    /// <param name="request">The request: method, target and headers. The client sets its <c>BodyFraming</c> from
    /// <paramref name="content"/>. It must not change until this call completes.</param>
    /// <param name="content">The body, if any.</param>
    /// <param name="timeout">The whole exchange's time limit, from this call until the body is read (the default is
    /// <see cref="HttpGenClientOptions.RequestTimeout"/>); past it the request fails with
    /// <see cref="HttpClientErrorKind.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the exchange (including later body reads); reported as
    /// <see cref="OperationCanceledException"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="HttpGenClientException">The request failed: name lookup, connect, timeout, connection closed,
    /// malformed response (<see cref="HttpResponseException"/>), body too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="InvalidOperationException">The request cannot be written (for instance, a head over 1 MiB).</exception>
    public ValueTask<HttpGenResponse<TResponse>> SendAsync(HttpOrigin origin, TRequest request, HttpRequestContent content = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        long timeoutMs = HttpGenClientOptions.ToMilliseconds(timeout is { } t ? CheckTimeout(t) : _settings.RequestTimeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<HttpGenResponse<TResponse>>(cancellationToken);
        }

        return _cache is null || request.Method == RequestMethod.Connect
            ? SendCoreAsync(GetPool(origin), request, content, null, default, default, timeoutMs, cancellationToken)
            : _cache.SendAsync(GetPool(origin), request, content, timeoutMs, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="request"/> asking the server to switch the connection to another protocol (RFC 9110 §7.8):
    /// the head carries <c>Upgrade: <paramref name="protocol"/></c> and <c>Connection: upgrade</c> (the request must not
    /// carry those itself, nor a body). When the answer is <c>101 Switching Protocols</c>, call
    /// <see cref="HttpGenResponse{TResponse}.TakeOverConnection"/> to get the connection as a stream; any other answer is
    /// an ordinary response (its connection is reused as usual).
    /// </summary>
    /// <param name="origin">Where to send it.</param>
    /// <param name="request">The request, typically a GET with the new protocol's own headers (for WebSocket:
    /// <c>Sec-WebSocket-Key</c> and <c>Sec-WebSocket-Version</c>) among its declared or extra headers.</param>
    /// <param name="protocol">The protocols asked for, most preferred first: <c>name[/version]</c> tokens, comma-separated
    /// (<c>"websocket"</c>).</param>
    /// <param name="timeout">The time limit until the response head (and a body, if the server refuses); the stream has
    /// none.</param>
    /// <param name="cancellationToken">Cancels the exchange until the hand-over.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException"><paramref name="protocol"/> is not a list of protocol tokens.</exception>
    public ValueTask<HttpGenResponse<TResponse>> SendUpgradeAsync(HttpOrigin origin, TRequest request, string protocol, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(request);
        ClientHeadLists.ValidateProtocols(protocol, nameof(protocol));
        ObjectDisposedException.ThrowIf(_disposed, this);
        long timeoutMs = HttpGenClientOptions.ToMilliseconds(timeout is { } t ? CheckTimeout(t) : _settings.RequestTimeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<HttpGenResponse<TResponse>>(cancellationToken);
        }

        return SendCoreAsync(GetPool(origin), request, default, protocol, default, default, timeoutMs, cancellationToken);
    }

    /// <summary>Sends a request without a body; see <see cref="SendAsync(HttpOrigin, TRequest, HttpRequestContent, TimeSpan?, CancellationToken)"/>.</summary>
    /// <param name="origin">Where to send it.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The response.</returns>
    public ValueTask<HttpGenResponse<TResponse>> SendAsync(HttpOrigin origin, TRequest request, CancellationToken cancellationToken) =>
        SendAsync(origin, request, default, null, cancellationToken);

    /// <summary>
    /// The loop form for benchmarks and simple calls: sends the request, reads the whole body into
    /// <paramref name="bodyDestination"/>, gives the connection back, and returns the status code and body length.
    /// The response head is not kept.
    /// </summary>
    /// <param name="origin">Where to send it.</param>
    /// <param name="request">The request.</param>
    /// <param name="bodyDestination">Where the body goes; a longer body fails with <see cref="HttpClientErrorKind.ResponseBodyTooLarge"/>.</param>
    /// <param name="content">The request body, if any.</param>
    /// <param name="timeout">The exchange's time limit; default <see cref="HttpGenClientOptions.RequestTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the exchange.</param>
    /// <returns>The status code and the body length.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpGenResult> SendAndReadAsync(HttpOrigin origin, TRequest request, Memory<byte> bodyDestination, HttpRequestContent content = default, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        HttpGenResponse<TResponse> response = await SendAsync(origin, request, content, timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            int length = await response.ReadToEndAsync(bodyDestination, cancellationToken).ConfigureAwait(false);
            return new HttpGenResult(response.StatusCode, length);
        }
        finally
        {
            await response.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ConnectionPool<TResponse> GetPool(HttpOrigin origin) =>
        _pools.TryGetValue(origin, out ConnectionPool<TResponse>? pool)
            ? pool
            : _pools.GetOrAdd(origin, static (o, settings) => new ConnectionPool<TResponse>(settings, o), _settings);

    /// <summary>
    /// One exchange on the network, with the metrics: <paramref name="request"/> written by its serializer, plus
    /// <paramref name="extraFields"/> (whole lines) in its head; or, without a request, <paramref name="extraFields"/> as a
    /// whole head formatted earlier, of method <paramref name="rawMethod"/> and without a body (the cache's background
    /// revalidation).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<HttpGenResponse<TResponse>> SendCoreAsync(ConnectionPool<TResponse> pool, TRequest? request, HttpRequestContent content, string? upgrade, ReadOnlyMemory<byte> extraFields, RequestMethod rawMethod, long timeoutMs, CancellationToken cancellationToken)
    {
        long deadline = timeoutMs == long.MaxValue ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        long started = Diagnostics.ClientMetrics.Start();
        RequestMethod method = request is null ? rawMethod : EffectiveMethod(request.Method);
        try
        {
            HttpGenResponse<TResponse> response = await ExchangeWithRetryAsync(pool, request, content, upgrade, extraFields, method, deadline, timeoutMs, cancellationToken).ConfigureAwait(false);
            Diagnostics.ClientMetrics.RequestEnded(started, method, response.StatusCode, null, pool.HostTag, pool.PortTag);
            return response;
        }
        catch (Exception e)
        {
            if (e is HttpResponseException invalid)
            {
                Diagnostics.ClientMetrics.InvalidResponse(invalid.ErrorKind, pool.HostTag, pool.PortTag);
            }

            Diagnostics.ClientMetrics.RequestEnded(started, method, 0, ErrorType(e), pool.HostTag, pool.PortTag);
            throw;
        }
    }

    // error.type: the client error kind, the parse error kind of a malformed response, or the exception type.
    private static object ErrorType(Exception e) => e switch
    {
        HttpResponseException invalid => Diagnostics.MetricTags.Error(invalid.ErrorKind),
        HttpGenClientException client => ClientErrorNames[(int)client.Kind],
        OperationCanceledException => "canceled",
        _ => e.GetType().FullName ?? "error",
    };

    private static readonly object[] ClientErrorNames = Enum.GetNames<HttpClientErrorKind>();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<HttpGenResponse<TResponse>> ExchangeWithRetryAsync(ConnectionPool<TResponse> pool, TRequest? request, HttpRequestContent content, string? upgrade, ReadOnlyMemory<byte> extraFields, RequestMethod method, long deadline, long timeoutMs, CancellationToken cancellationToken)
    {
        bool retry = false;
        bool exact = !IsIdempotent(method) || !content.IsReplayable; // not sent again if the connection turns out closed
        while (true)
        {
            ClientConnection<TResponse> connection = await pool.AcquireAsync(deadline, retry, exact, cancellationToken).ConfigureAwait(false);
            connection.BeginExchange(deadline, timeoutMs, cancellationToken);
            bool answered;
            try
            {
                answered = request is not null
                    ? await connection.ExchangeAsync(request, content, upgrade, extraFields).ConfigureAwait(false)
                    : await connection.ExchangeRawAsync(extraFields, method).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                connection.MarkBroken();
                Exception mapped = connection.MapException(e);
                pool.Release(connection);
                if (ReferenceEquals(mapped, e))
                {
                    throw;
                }

                throw mapped;
            }

            if (answered)
            {
                return new HttpGenResponse<TResponse>(connection, connection.Version);
            }

            // The reused connection was closed by the server before a single response byte: the request was not
            // processed (RFC 9112 §9.3.1), so an idempotent one with replayable content is sent once more on a fresh
            // connection.
            pool.Release(connection);
            if (retry || !IsIdempotent(method) || !content.IsReplayable)
            {
                throw new HttpGenClientException(HttpClientErrorKind.ConnectionClosed, retry
                    ? $"{pool.Origin} closed the connection before responding, on a reused connection and again on a fresh one."
                    : $"{pool.Origin} closed a reused connection before responding; the request ({method}) is not retried because it is not idempotent or its body was streamed.");
            }

            retry = true;
        }
    }

    // A method never set goes out as GET (the generated writer's default), so it counts as GET everywhere.
    internal static RequestMethod EffectiveMethod(RequestMethod method) => method == RequestMethod.None ? RequestMethod.Get : method;

    private static bool IsIdempotent(RequestMethod method) =>
        method is RequestMethod.Get or RequestMethod.Head or RequestMethod.Put or RequestMethod.Delete or RequestMethod.Options or RequestMethod.Trace;

    private static TimeSpan CheckTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException("timeout", value, "A timeout must be positive or Timeout.InfiniteTimeSpan.");

    /// <summary>Closes idle connections and fails queued requests. Busy connections close when their response is disposed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _scavenger.Dispose();
        foreach (ConnectionPool<TResponse> pool in _pools.Values)
        {
            pool.Dispose();
        }
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private sealed class ScavengerState(WeakReference<ConcurrentDictionary<HttpOrigin, ConnectionPool<TResponse>>> pools)
    {
        public Timer? Timer { get; set; }

        public void Run()
        {
            if (!pools.TryGetTarget(out ConcurrentDictionary<HttpOrigin, ConnectionPool<TResponse>>? target))
            {
                Timer?.Dispose();
                return;
            }

            long now = Environment.TickCount64;
            foreach (KeyValuePair<HttpOrigin, ConnectionPool<TResponse>> entry in target)
            {
                entry.Value.Scavenge(now);
            }
        }
    }
}

/// <summary>The outcome of <see cref="HttpGenClient{TRequest, TResponse}.SendAndReadAsync"/>.</summary>
/// <param name="StatusCode">The response's status code.</param>
/// <param name="BodyLength">The number of body bytes written to the caller's buffer.</param>
public readonly record struct HttpGenResult(int StatusCode, int BodyLength);
