using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using HttpGen.Transport;

namespace HttpGen.Client;

/// <summary>
/// The connections to one origin: at most <see cref="ClientSettings.MaxConnectionsPerHost"/> open or opening, idle ones
/// reused most-recent-first (a warm connection is the likeliest to be alive), requests beyond the limit waiting in a
/// FIFO queue. A slot is either an idle connection, a busy one, or one being opened; when a busy connection is released
/// it goes straight to the first waiter, and when one is closed its slot goes to the first waiter, which opens a new one.
/// </summary>
internal sealed class ConnectionPool<TResponse>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly Lock _lock = new();
    private readonly ClientConnection<TResponse>[] _idle;
    private int _idleCount;
    private int _slots; // connections open or being opened
    private PoolWaiter<TResponse>? _head;
    private PoolWaiter<TResponse>? _tail;
    private readonly Stack<PoolWaiter<TResponse>> _spareWaiters = new();
    private bool _disposed;

    public ConnectionPool(ClientSettings settings, HttpOrigin origin)
    {
        Settings = settings;
        Origin = origin;
        _idle = new ClientConnection<TResponse>[settings.MaxConnectionsPerHost];
        HostTag = origin.Host;
        PortTag = origin.Port;
    }

    /// <summary>The <c>server.address</c> metric tag.</summary>
    public string HostTag { get; }

    /// <summary>The <c>server.port</c> metric tag, boxed once.</summary>
    public object PortTag { get; }

    public ClientSettings Settings { get; }

    public HttpOrigin Origin { get; }

    /// <summary>Connections open or being opened.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _slots;
            }
        }
    }

    /// <summary>Idle connections.</summary>
    public int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idleCount;
            }
        }
    }

    /// <summary>
    /// A connection for one exchange: an idle one that is still alive, else a new one while there is a free slot, else
    /// the first one released after the waiters ahead of this call. With <paramref name="fresh"/>, never an idle one.
    /// With <paramref name="exact"/> (a request that could not be sent again), an idle connection is always polled
    /// before reuse; otherwise the engine's events may vouch for it (see <see cref="ClientConnection{TResponse}.IsUsableAfterIdle"/>).
    /// Completes synchronously when an idle connection is there.
    /// </summary>
    public ValueTask<ClientConnection<TResponse>> AcquireAsync(long deadline, bool fresh, bool exact, CancellationToken cancellationToken)
    {
        ClientConnection<TResponse>? connection = null;
        ClientConnection<TResponse>? victim = null;
        bool open = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(HttpGenClient<,>));
            if (!fresh && _idleCount > 0)
            {
                connection = _idle[--_idleCount];
                _idle[_idleCount] = null!;
            }
            else if (_slots < Settings.MaxConnectionsPerHost)
            {
                _slots++;
                open = true;
            }
            else if (_idleCount > 0)
            {
                // Fresh wanted and every slot taken: the oldest idle connection gives up its slot.
                victim = _idle[0];
                Array.Copy(_idle, 1, _idle, 0, _idleCount - 1);
                _idle[--_idleCount] = null!;
                open = true;
            }
        }

        if (victim is not null)
        {
            victim.Close();
        }

        if (open)
        {
            return OpenAsync(deadline, cancellationToken);
        }

        if (connection is null)
        {
            return WaitAsync(deadline, fresh, exact, cancellationToken);
        }

        connection.CountAs(Diagnostics.ClientMetrics.State.Active);
        if (connection.IsUsableAfterIdle(Environment.TickCount64, exact))
        {
            return new ValueTask<ClientConnection<TResponse>>(connection);
        }

        // Expired or closed by the server while idle: drop it and keep its slot for a new connection.
        connection.Close();
        return OpenAsync(deadline, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ClientConnection<TResponse>> WaitAsync(long deadline, bool fresh, bool exact, CancellationToken cancellationToken)
    {
        PoolWaiter<TResponse> waiter;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(HttpGenClient<,>));

            // A slot may have come free since the first look.
            if ((!fresh && _idleCount > 0) || _slots < Settings.MaxConnectionsPerHost)
            {
                waiter = null!;
            }
            else
            {
                waiter = _spareWaiters.Count > 0 ? _spareWaiters.Pop() : new PoolWaiter<TResponse>(this);
                waiter.Fresh = fresh;
                Enqueue(waiter);
            }
        }

        if (waiter is null)
        {
            return await AcquireAsync(deadline, fresh, exact, cancellationToken).ConfigureAwait(false);
        }

        long remaining = ClientSettings.Remaining(deadline);
        bool queueFirst = Settings.QueueTimeoutMs <= remaining;
        waiter.Arm(Math.Min(Settings.QueueTimeoutMs, remaining), queueFirst ? HttpClientErrorKind.QueueTimeout : HttpClientErrorKind.RequestTimeout, cancellationToken);
        ClientConnection<TResponse>? handed = await new ValueTask<ClientConnection<TResponse>?>(waiter, waiter.Token).ConfigureAwait(false);
        if (handed is null)
        {
            // A slot was handed over: open a new connection in it.
            return await OpenAsync(deadline, cancellationToken).ConfigureAwait(false);
        }

        if (handed.IsUsableAfterIdle(Environment.TickCount64, exact))
        {
            return handed;
        }

        handed.Close();
        return await OpenAsync(deadline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection in a slot the caller holds; on failure the slot is given up.</summary>
    private async ValueTask<ClientConnection<TResponse>> OpenAsync(long deadline, CancellationToken cancellationToken)
    {
        try
        {
            (Socket socket, NetworkTransport? plain) = await ConnectAsync(deadline, cancellationToken).ConfigureAwait(false);
            NetworkTransport transport = Origin.IsHttps
                ? await ClientTls.HandshakeAsync(socket, Settings, Origin, deadline, cancellationToken).ConfigureAwait(false)
                : plain ?? new SocketTransport(socket);
            Interlocked.Increment(ref Settings.ConnectionsOpened);
            Interlocked.Increment(ref Settings.OpenConnections);
            return new ClientConnection<TResponse>(this, transport);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }
    }

    // Connects to the first address that answers. A plain connection on Linux comes back registered with the client's
    // epoll engine (the transport), unless the options say otherwise; a TLS one, or one elsewhere, as a socket alone.
    private async ValueTask<(Socket Socket, NetworkTransport? Transport)> ConnectAsync(long deadline, CancellationToken cancellationToken)
    {
        EpollEngine? engine = Origin.IsHttps || !Settings.UseEpoll ? null : EpollEngine.Shared;
        long lookupTimeout = Math.Min(Settings.ConnectTimeoutMs, ClientSettings.Remaining(deadline));
        IPAddress[] addresses = await Settings.Dns.ResolveAsync(Origin, lookupTimeout, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        bool timedOut = false;
        foreach (IPAddress address in addresses)
        {
            long remaining = ClientSettings.Remaining(deadline);
            long attemptTimeout = Math.Min(Settings.ConnectTimeoutMs, remaining);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (attemptTimeout != long.MaxValue)
            {
                timeout.CancelAfter(TimeSpan.FromMilliseconds(attemptTimeout));
            }

            try
            {
                var endPoint = new IPEndPoint(address, Origin.Port);
                if (engine is not null)
                {
                    return (socket, await EpollTransport.ConnectAsync(engine, socket, endPoint, timeout.Token).ConfigureAwait(false));
                }

                await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
                return (socket, null);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                if (e is OperationCanceledException)
                {
                    if (attemptTimeout == remaining && remaining != long.MaxValue && Settings.ConnectTimeoutMs > remaining)
                    {
                        throw new HttpGenClientException(HttpClientErrorKind.RequestTimeout, $"The request to {Origin} timed out while connecting to {address}.", e);
                    }

                    timedOut = true;
                    last = new TimeoutException($"Connecting to {address} took longer than {attemptTimeout} ms.");
                }
                else
                {
                    last = e;
                }
            }
        }

        string tried = string.Join(", ", (object[])addresses);
        throw timedOut && last is TimeoutException
            ? new HttpGenClientException(HttpClientErrorKind.ConnectTimeout, $"Could not connect to {Origin} ({tried}): {last.Message}", last)
            : new HttpGenClientException(HttpClientErrorKind.ConnectFailed, $"Could not connect to {Origin} ({tried}): {last?.Message}", last);
    }

    /// <summary>Takes a connection back after an exchange: keeps it (for a waiter, else idle) or closes it.</summary>
    public void Release(ClientConnection<TResponse> connection)
    {
        bool reusable = connection.EndExchange();
        connection.IdleSince = Environment.TickCount64;
        PoolWaiter<TResponse>? waiter;
        bool close = !reusable;
        lock (_lock)
        {
            if (_disposed)
            {
                close = true;
            }

            waiter = Dequeue();
            if (waiter is null)
            {
                if (close)
                {
                    _slots--;
                }
                else
                {
                    _idle[_idleCount++] = connection;
                    connection.CountAs(Diagnostics.ClientMetrics.State.Idle);
                }
            }
            else if (waiter.Fresh)
            {
                close = true; // the waiter opens its own connection in this slot
            }
        }

        if (close)
        {
            connection.Close();
        }

        waiter?.Complete(close ? null : connection);
    }

    /// <summary>
    /// Gives up a slot that holds no connection (a failed open, or a connection handed over after an upgrade): to the
    /// first waiter, or back to the pool.
    /// </summary>
    internal void ReleaseSlot()
    {
        PoolWaiter<TResponse>? waiter;
        lock (_lock)
        {
            waiter = Dequeue();
            if (waiter is null)
            {
                _slots--;
            }
        }

        waiter?.Complete(null);
    }

    /// <summary>Closes idle connections that expired or that the server closed. Called by the client's timer.</summary>
    public void Scavenge(long now)
    {
        List<ClientConnection<TResponse>>? dead = null;
        lock (_lock)
        {
            int kept = 0;
            for (int i = 0; i < _idleCount; i++)
            {
                ClientConnection<TResponse> c = _idle[i];
                if (c.IsUsableAfterIdle(now, exact: true))
                {
                    _idle[kept++] = c;
                }
                else
                {
                    (dead ??= []).Add(c);
                }
            }

            for (int i = kept; i < _idleCount; i++)
            {
                _idle[i] = null!;
            }

            _slots -= _idleCount - kept;
            _idleCount = kept;
        }

        if (dead is not null)
        {
            foreach (ClientConnection<TResponse> c in dead)
            {
                c.Close();
            }
        }
    }

    /// <summary>Closes the idle connections and fails the waiters; busy connections close when released.</summary>
    public void Dispose()
    {
        List<PoolWaiter<TResponse>> waiters = [];
        ClientConnection<TResponse>[] idle;
        lock (_lock)
        {
            _disposed = true;
            while (Dequeue() is { } w)
            {
                waiters.Add(w);
            }

            idle = _idle[.._idleCount];
            Array.Clear(_idle);
            _slots -= _idleCount;
            _idleCount = 0;
        }

        foreach (ClientConnection<TResponse> c in idle)
        {
            c.Close();
        }

        foreach (PoolWaiter<TResponse> w in waiters)
        {
            w.Fail(new ObjectDisposedException(nameof(HttpGenClient<,>), "The client was disposed while the request waited for a connection."));
        }
    }

    // The FIFO queue of waiters: an intrusive doubly-linked list, so a canceled waiter leaves it in O(1).

    private void Enqueue(PoolWaiter<TResponse> waiter)
    {
        waiter.Previous = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        waiter.Queued = true;
        waiter.QueuedAt = Diagnostics.ClientMetrics.TimeInQueue.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        Diagnostics.ClientMetrics.Queued(1, HostTag, PortTag);
    }

    private PoolWaiter<TResponse>? Dequeue()
    {
        PoolWaiter<TResponse>? waiter = _head;
        if (waiter is not null)
        {
            Unlink(waiter);
        }

        return waiter;
    }

    private void Unlink(PoolWaiter<TResponse> waiter)
    {
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Previous = waiter.Next = null;
        waiter.Queued = false;
        Diagnostics.ClientMetrics.Queued(-1, HostTag, PortTag);
        Diagnostics.ClientMetrics.Dequeued(waiter.QueuedAt, HostTag, PortTag);
    }

    /// <summary>Takes a waiter out of the queue when its timeout or token fires; false when it was already served.</summary>
    internal bool TryRemove(PoolWaiter<TResponse> waiter)
    {
        lock (_lock)
        {
            if (!waiter.Queued)
            {
                return false;
            }

            Unlink(waiter);
            return true;
        }
    }

    internal void ReturnWaiter(PoolWaiter<TResponse> waiter)
    {
        lock (_lock)
        {
            if (_spareWaiters.Count < 64)
            {
                _spareWaiters.Push(waiter);
            }
        }
    }
}

/// <summary>
/// One request waiting for a connection: a reusable <see cref="IValueTaskSource{TResult}"/> that completes with a
/// connection handed over by <see cref="ConnectionPool{TResponse}.Release"/>, with null (a free slot: open a connection),
/// or with an error (queue timeout, request timeout, cancellation, disposal).
/// </summary>
internal sealed class PoolWaiter<TResponse> : IValueTaskSource<ClientConnection<TResponse>?>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    /// <summary>When the waiter joined the queue (for the time-in-queue metric), or 0.</summary>
    internal long QueuedAt;

    private static readonly Action<object?> s_timeout = static s => ((PoolWaiter<TResponse>)s!).OnTimeout();
    private static readonly Action<object?, CancellationToken> s_canceled = static (s, token) => ((PoolWaiter<TResponse>)s!).OnCanceled(token);

    private readonly ConnectionPool<TResponse> _pool;
    private ManualResetValueTaskSourceCore<ClientConnection<TResponse>?> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenSource _timer = new();
    private CancellationTokenRegistration _timerRegistration;
    private CancellationTokenRegistration _callerRegistration;
    private HttpClientErrorKind _timeoutKind;
    private long _timeoutMs;

    public PoolWaiter(ConnectionPool<TResponse> pool) => _pool = pool;

    public PoolWaiter<TResponse>? Previous;
    public PoolWaiter<TResponse>? Next;
    public bool Queued;
    public bool Fresh;

    public short Token => _core.Version;

    /// <summary>Starts the timeout and ties the caller's token. Called after the waiter is queued.</summary>
    public void Arm(long timeoutMs, HttpClientErrorKind timeoutKind, CancellationToken cancellationToken)
    {
        _timeoutKind = timeoutKind;
        _timeoutMs = timeoutMs;
        if (timeoutMs != long.MaxValue)
        {
            _timerRegistration = _timer.Token.UnsafeRegister(s_timeout, this);
            _timer.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs));
        }

        if (cancellationToken.CanBeCanceled)
        {
            _callerRegistration = cancellationToken.UnsafeRegister(s_canceled, this);
        }
    }

    public void Complete(ClientConnection<TResponse>? connection) => _core.SetResult(connection);

    public void Fail(Exception error) => _core.SetException(error);

    private void OnTimeout()
    {
        if (_pool.TryRemove(this))
        {
            string what = _timeoutKind == HttpClientErrorKind.QueueTimeout ? "waited for a free connection" : "timed out while waiting for a free connection";
            Fail(new HttpGenClientException(_timeoutKind, $"The request to {_pool.Origin} {what} for {_timeoutMs} ms ({_pool.Settings.MaxConnectionsPerHost} connections busy)."));
        }
    }

    private void OnCanceled(CancellationToken token)
    {
        if (_pool.TryRemove(this))
        {
            Fail(new OperationCanceledException("The request was canceled while waiting for a connection.", token));
        }
    }

    public ClientConnection<TResponse>? GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Dispose waits for a callback that is running, so nothing touches this waiter once it is reused.
            _timerRegistration.Dispose();
            _callerRegistration.Dispose();
            _timerRegistration = _callerRegistration = default;
            if (!_timer.TryReset())
            {
                _timer.Dispose();
                _timer = new CancellationTokenSource();
            }

            _core.Reset();
            _pool.ReturnWaiter(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
