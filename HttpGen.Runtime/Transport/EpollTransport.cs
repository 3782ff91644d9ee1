using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace HttpGen.Transport;

/// <summary>
/// Plain TCP on a non-blocking socket driven by an <see cref="EpollEngine"/>. The caller's thread sends directly and
/// receives directly while the socket may hold bytes; a receive that would block waits, without a system call, for
/// the engine's next readiness event, and the engine thread then receives into the caller's memory and queues the
/// continuation to the thread pool (or, on an inline engine, runs it there). One receive and one send may be pending at a time (one each way), as on a socket.
/// </summary>
/// <remarks>
/// Readiness is tracked with two counters: <c>_readEvents</c> counts the read events the engine has seen, and
/// <c>_drainedAt</c> is the count at which a receive last found the socket empty (EAGAIN, or fewer bytes than asked:
/// a TCP receive takes everything queued up to the length asked). While they are equal nothing has arrived since, so a
/// receive waits at once; an event that lands between a failed attempt and the wait changes the count and the
/// receive tries again. A short read does not consume the peer's FIN, which no later edge announces again: once an
/// event has said the peer closed (or the socket failed), every receive asks the socket. The engine makes its receive (or send) for a pending operation under the transport's lock, and
/// disposal takes the same lock, so the engine never writes into (or reads from) memory the caller got back.
/// </remarks>
internal sealed class EpollTransport : NetworkTransport, IValueTaskSource<int>, IValueTaskSource
{
    private static readonly Action<object?> s_cancelReceive = static s => ((EpollTransport)s!).CancelReceive();
    private static readonly Action<object?> s_cancelSend = static s => ((EpollTransport)s!).CancelSend();

    private readonly EpollEngine _engine;
    private readonly int _fd;
    private readonly Lock _gate = new();
    private bool _disposed;

    private int _readEvents;
    private int _drainedAt;
    private int _writeEvents;

    // Set for good once an event says the peer closed its side or the socket failed: the end (or the error) stays
    // there to be received, and no new edge will announce it again, so every receive from then on asks the socket.
    private volatile bool _hangUp;

    private bool _receivePending;
    private Memory<byte> _receiveBuffer;
    private CancellationToken _receiveToken;
    private CancellationTokenRegistration _receiveRegistration;
    private ManualResetValueTaskSourceCore<int> _receive = new() { RunContinuationsAsynchronously = true };

    private bool _sendPending;
    private ReadOnlyMemory<byte> _sendRest;
    private CancellationToken _sendToken;
    private CancellationTokenRegistration _sendRegistration;
    private ManualResetValueTaskSourceCore<int> _send = new() { RunContinuationsAsynchronously = true };

    private byte[]? _peek; // one byte, for a zero-length receive (wait for data without taking any)

    private EpollTransport(Socket socket, EpollEngine engine)
        : base(socket)
    {
        _engine = engine;
        _receive.RunContinuationsAsynchronously = !engine.Inline;
        _send.RunContinuationsAsynchronously = !engine.Inline;
        _fd = (int)socket.SafeHandle.DangerousGetHandle();
        _engine.Register(this, _fd);
    }

    /// <summary>
    /// Registers an accepted <paramref name="socket"/> (made non-blocking) with <paramref name="engine"/>. Failures are
    /// <see cref="SocketException"/>; the caller closes the socket then.
    /// </summary>
    public static EpollTransport Attach(EpollEngine engine, Socket socket)
    {
        socket.Blocking = false;
        return new EpollTransport(socket, engine) { _readEvents = 1 }; // bytes may be there already: the first receive asks
    }

    /// <summary>The key the engine's events for this socket carry (set when registered).</summary>
    internal ulong EpollKey;

    /// <summary>
    /// Whether a read event (bytes, the peer's FIN, a reset) arrived since a receive last found the socket empty. On an
    /// idle connection that means the server closed it or sent bytes nobody asked for, or an event the last exchange's
    /// own receives already consumed: false is certain (nothing came), true is worth a poll.
    /// </summary>
    public bool HadEventSinceDrained => _hangUp || Volatile.Read(ref _readEvents) != _drainedAt;

    /// <summary>Marks what has arrived so far as seen, after a poll found the socket empty.</summary>
    public void MarkDrained(int seenEvents) => _drainedAt = seenEvents;

    /// <summary>The count of read events so far, to pass to <see cref="MarkDrained"/> after a poll.</summary>
    public int ReadEvents => Volatile.Read(ref _readEvents);

    /// <summary>
    /// Connects <paramref name="socket"/> (made non-blocking) to <paramref name="endPoint"/> and registers it with
    /// <paramref name="engine"/>. Failures are <see cref="SocketException"/>, or <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires; the socket is closed then.
    /// </summary>
    public static async ValueTask<EpollTransport> ConnectAsync(EpollEngine engine, Socket socket, EndPoint endPoint, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        bool inProgress = false;
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            inProgress = true;
        }

        var transport = new EpollTransport(socket, engine);
        try
        {
            if (inProgress)
            {
                await transport.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
                int error = (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (error != 0)
                {
                    throw new SocketException(error);
                }
            }
        }
        catch
        {
            transport.Dispose();
            throw;
        }

        return transport;
    }

    // Completes once the socket is writable (a connect finished, or failed: then SO_ERROR says how).
    private ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_writeEvents != 0)
            {
                return default;
            }

            _sendRest = ReadOnlyMemory<byte>.Empty;
            return PendSendLocked(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        while (true)
        {
            int seen = Volatile.Read(ref _readEvents);
            if (seen != _drainedAt || _hangUp)
            {
                SocketError error = TryReceive(buffer.Span, seen, out int received);
                if (error == SocketError.Success)
                {
                    return new ValueTask<int>(received);
                }

                if (error != SocketError.WouldBlock)
                {
                    return ValueTask.FromException<int>(new SocketException((int)error));
                }
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    return ValueTask.FromException<int>(new ObjectDisposedException(typeof(Socket).FullName));
                }

                if (_readEvents != seen)
                {
                    continue; // an event came in the meantime: try again
                }

                _receiveBuffer = buffer;
                _receiveToken = cancellationToken;
                _receivePending = true;

                // Registered under the lock, so that the operation cannot complete (and its registration be disposed)
                // before the field is set; a token canceled meanwhile runs the callback here (the lock is reentrant).
                if (cancellationToken.CanBeCanceled)
                {
                    _receiveRegistration = cancellationToken.UnsafeRegister(s_cancelReceive, this);
                }

                return new ValueTask<int>(this, _receive.Version);
            }
        }
    }

    // One non-blocking receive; EAGAIN or a short read means the socket was empty after the events counted in `seen`.
    private SocketError TryReceive(Span<byte> buffer, int seen, out int received)
    {
        SocketError error;
        if (buffer.IsEmpty)
        {
            // Wait for data without taking any: peek one byte (0 for data or the end, as a zero-byte socket receive).
            _peek ??= new byte[1];
            Socket.Receive(_peek, 0, 1, SocketFlags.Peek, out error);
            received = 0;
        }
        else
        {
            received = Socket.Receive(buffer, SocketFlags.None, out error);
            if (error == SocketError.Success && received < buffer.Length)
            {
                _drainedAt = seen;
            }
        }

        if (error == SocketError.WouldBlock)
        {
            _drainedAt = seen;
        }

        return error;
    }

    /// <inheritdoc/>
    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            int seen = Volatile.Read(ref _writeEvents);
            while (!data.IsEmpty)
            {
                int sent = Socket.Send(data.Span, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    break;
                }

                if (error != SocketError.Success)
                {
                    return ValueTask.FromException(new SocketException((int)error));
                }

                data = data[sent..];
            }

            if (data.IsEmpty)
            {
                return default;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            lock (_gate)
            {
                if (_disposed)
                {
                    return ValueTask.FromException(new ObjectDisposedException(typeof(Socket).FullName));
                }

                if (_writeEvents != seen)
                {
                    continue;
                }

                _sendRest = data;
                return PendSendLocked(cancellationToken);
            }
        }
    }

    // Under the lock, as for a receive.
    private ValueTask PendSendLocked(CancellationToken cancellationToken)
    {
        _sendToken = cancellationToken;
        _sendPending = true;
        if (cancellationToken.CanBeCanceled)
        {
            _sendRegistration = cancellationToken.UnsafeRegister(s_cancelSend, this);
        }

        return new ValueTask(this, _send.Version);
    }

    /// <summary>The engine's readiness events for this socket (on the engine thread).</summary>
    internal void OnEvents(uint mask)
    {
        bool readable = (mask & (EpollEngine.EpollIn | EpollEngine.EpollRdHup | EpollEngine.EpollHup | EpollEngine.EpollErr)) != 0;
        bool writable = (mask & (EpollEngine.EpollOut | EpollEngine.EpollHup | EpollEngine.EpollErr)) != 0;
        int receiveResult = 0;
        Exception? receiveError = null;
        bool receiveDone = false;
        Exception? sendError = null;
        bool sendDone = false;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (readable)
            {
                if ((mask & (EpollEngine.EpollRdHup | EpollEngine.EpollHup | EpollEngine.EpollErr)) != 0)
                {
                    _hangUp = true;
                }

                _readEvents++;
                if (_receivePending)
                {
                    SocketError error = TryReceive(_receiveBuffer.Span, _readEvents, out receiveResult);
                    if (error != SocketError.WouldBlock)
                    {
                        receiveDone = true;
                        _receivePending = false;
                        _receiveBuffer = default;
                        receiveError = error == SocketError.Success ? null : new SocketException((int)error);
                    }
                }
            }

            if (writable)
            {
                _writeEvents++;
                if (_sendPending)
                {
                    while (!_sendRest.IsEmpty)
                    {
                        int sent = Socket.Send(_sendRest.Span, SocketFlags.None, out SocketError error);
                        if (error == SocketError.WouldBlock)
                        {
                            break;
                        }

                        if (error != SocketError.Success)
                        {
                            sendError = new SocketException((int)error);
                            break;
                        }

                        _sendRest = _sendRest[sent..];
                    }

                    if (_sendRest.IsEmpty || sendError is not null)
                    {
                        sendDone = true;
                        _sendPending = false;
                        _sendRest = default;
                    }
                }
            }
        }

        if (receiveDone)
        {
            if (receiveError is null)
            {
                _receive.SetResult(receiveResult);
            }
            else
            {
                _receive.SetException(receiveError);
            }
        }

        if (sendDone)
        {
            if (sendError is null)
            {
                _send.SetResult(0);
            }
            else
            {
                _send.SetException(sendError);
            }
        }
    }

    private void CancelReceive()
    {
        CancellationToken token;
        lock (_gate)
        {
            if (!_receivePending || !_receiveToken.IsCancellationRequested)
            {
                return;
            }

            token = _receiveToken;
            _receivePending = false;
            _receiveBuffer = default;
        }

        _receive.SetException(new OperationCanceledException(token));
    }

    private void CancelSend()
    {
        CancellationToken token;
        lock (_gate)
        {
            if (!_sendPending || !_sendToken.IsCancellationRequested)
            {
                return;
            }

            token = _sendToken;
            _sendPending = false;
            _sendRest = default;
        }

        _send.SetException(new OperationCanceledException(token));
    }

    /// <summary>
    /// Leaves the engine and makes the socket blocking again, for a connection handed over as a stream: .NET's own
    /// socket operations take it from here. No operation may be pending.
    /// </summary>
    public Socket Detach()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _engine.Unregister(EpollKey, _fd);
        Socket.Blocking = true;
        return Socket;
    }

    /// <inheritdoc/>
    public override Stream DetachStream() => new NetworkStream(Detach(), ownsSocket: true);

    /// <inheritdoc/>
    public override void Dispose()
    {
        bool failReceive, failSend;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            failReceive = _receivePending;
            failSend = _sendPending;
            _receivePending = _sendPending = false;
            _receiveBuffer = default;
            _sendRest = default;
        }

        _engine.Unregister(EpollKey, _fd);
        base.Dispose();
        if (failReceive)
        {
            _receive.SetException(new SocketException((int)SocketError.OperationAborted));
        }

        if (failSend)
        {
            _send.SetException(new SocketException((int)SocketError.OperationAborted));
        }
    }

    int IValueTaskSource<int>.GetResult(short token)
    {
        _receiveRegistration.Dispose();
        _receiveRegistration = default;
        _receiveToken = default;
        try
        {
            return _receive.GetResult(token);
        }
        finally
        {
            _receive.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _receive.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _receive.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        _sendRegistration.Dispose();
        _sendRegistration = default;
        _sendToken = default;
        try
        {
            _send.GetResult(token);
        }
        finally
        {
            _send.Reset();
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _send.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _send.OnCompleted(continuation, state, token, flags);
}
