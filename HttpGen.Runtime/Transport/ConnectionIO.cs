using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace HttpGen.Transport;

/// <summary>
/// The byte side of one connection, shared by the connection loop and the body reader and writer: the transport, the
/// receive buffer (bytes not yet consumed are <c>In[Start..End]</c>), the send buffer, and receive deadlines.
/// Buffers are rented from the shared pool only while bytes are pending and returned when the connection goes idle,
/// so an idle keep-alive connection holds no buffer at all; no I/O here allocates per call.
/// </summary>
internal sealed class ConnectionIO : IDisposable
{
    private readonly int _maxReceiveBuffer;

    // When the pending receive must have completed (Environment.TickCount64), or long.MaxValue when none is pending.
    // The server's heartbeat compares it with the clock; the hot path only writes it.
    private long _deadline = long.MaxValue;
    private volatile bool _timedOut;

    private readonly int _initialReceiveBuffer;

    public ConnectionIO(NetworkTransport transport, int initialReceiveBuffer, int maxReceiveBuffer)
    {
        Transport = transport;
        _initialReceiveBuffer = initialReceiveBuffer;
        _maxReceiveBuffer = Math.Max(maxReceiveBuffer, initialReceiveBuffer);
    }

    public NetworkTransport Transport { get; }

    public byte[] In = Array.Empty<byte>();
    public int Start;
    public int End;
    public byte[] Out = Array.Empty<byte>();
    public int OutLength;

    /// <summary>Set when the peer closed its side or the socket failed.</summary>
    public bool PeerClosed;

    public int Buffered => End - Start;

    public ReadOnlySpan<byte> BufferedSpan => In.AsSpan(Start, End - Start);

    public void Consume(int count)
    {
        Start += count;
        if (Start == End)
        {
            Start = End = 0;
        }
    }

    /// <summary>
    /// Receives more bytes after the buffered ones, making room by compacting or growing (up to the head limits).
    /// Returns 0 when the peer closed, and throws <see cref="TimeoutException"/> when <paramref name="timeout"/> passed
    /// first (the heartbeat then shut the receive side, so that the pending receive returned).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(TimeSpan timeout)
    {
        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        int received;
        try
        {
            if (In.Length == 0)
            {
                // Released while idle; the loop waited for data (WaitForDataAsync) before asking for it.
                In = ArrayPool<byte>.Shared.Rent(_initialReceiveBuffer);
            }
            else if (End == In.Length)
            {
                MakeRoom();
            }

            received = await Transport.ReceiveAsync(In.AsMemory(End)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            received = 0; // reset or aborted: the same as a close for the loop
        }
        finally
        {
            Volatile.Write(ref _deadline, long.MaxValue);
        }

        if (received == 0)
        {
            if (_timedOut)
            {
                throw new TimeoutException("The peer sent nothing in time.");
            }

            PeerClosed = true;
        }

        End += received;
        return received;
    }

    /// <summary>
    /// Waits, without a buffer, until data arrives (or the peer closes, or the deadline passes): the socket's own
    /// zero-byte receive, returned as is, so that an idle connection waits in no state machine but its loop's. It costs
    /// no extra system call: a receive that finds no data waits for readiness either way. Call <see cref="EndWait"/>
    /// afterwards.
    /// </summary>
    public ValueTask<int> WaitForDataAsync(TimeSpan timeout)
    {
        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        return Transport.ReceiveAsync(Memory<byte>.Empty);
    }

    /// <summary>Ends a <see cref="WaitForDataAsync"/>: clears the deadline and says whether it passed.</summary>
    public bool EndWait()
    {
        Volatile.Write(ref _deadline, long.MaxValue);
        return _timedOut;
    }

    /// <summary>
    /// Called by the server's heartbeat: when a receive is overdue, shut the receive side, which makes it return 0
    /// (Linux); the connection can still send its 408 before closing.
    /// </summary>
    public void CheckTimeout(long now)
    {
        if (now >= Volatile.Read(ref _deadline) && !_timedOut)
        {
            _timedOut = true;
            Transport.Shutdown(SocketShutdown.Receive);
        }
    }

    /// <summary>Whether the receive buffer can still grow (it stops at the head limits).</summary>
    public bool CanGrow => End - Start < In.Length || In.Length < _maxReceiveBuffer;

    private void MakeRoom()
    {
        if (Start > 0)
        {
            In.AsSpan(Start, End - Start).CopyTo(In);
            End -= Start;
            Start = 0;
            return;
        }

        int size = Math.Min(In.Length * 2, _maxReceiveBuffer);
        if (size <= In.Length)
        {
            return; // full at the limit: the parser reports the head as too large
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        In.AsSpan(0, End).CopyTo(bigger);
        ReturnToPool(In);
        In = bigger;
    }

    /// <summary>A span of at least <paramref name="sizeHint"/> free bytes at the end of the send buffer.</summary>
    public Span<byte> GetOutSpan(int sizeHint)
    {
        if (Out.Length - OutLength < sizeHint)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(Out.Length * 2, 4096), OutLength + sizeHint));
            Out.AsSpan(0, OutLength).CopyTo(bigger);
            ReturnToPool(Out);
            Out = bigger;
        }

        return Out.AsSpan(OutLength);
    }

    /// <summary>Returns the buffers that hold nothing pending, before the connection waits idle.</summary>
    public void ReleaseIdleBuffers()
    {
        if (Start == End && In.Length > 0)
        {
            ReturnToPool(In);
            In = Array.Empty<byte>();
            Start = End = 0;
        }

        if (OutLength == 0 && Out.Length > 0)
        {
            ReturnToPool(Out);
            Out = Array.Empty<byte>();
        }
    }

    private static void ReturnToPool(byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void AppendOut(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetOutSpan(bytes.Length));
        OutLength += bytes.Length;
    }

    /// <summary>Sends everything in the send buffer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        await Transport.SendAsync(Out.AsMemory(0, OutLength)).ConfigureAwait(false);
        OutLength = 0;
    }

    public void Dispose()
    {
        Transport.Dispose();
        ReturnToPool(In);
        ReturnToPool(Out);
        In = Out = Array.Empty<byte>();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // For a connection whose timeouts are cancellation tokens rather than heartbeat deadlines (the client): it receives
    // into In[End..] itself, with its token, after making room here.

    /// <summary>
    /// Makes room after the buffered bytes: rents the initial buffer, compacts, or grows up to the limit. False when the
    /// buffer is full at the limit (the head cannot fit).
    /// </summary>
    public bool TryMakeRoom()
    {
        if (In.Length == 0)
        {
            In = ArrayPool<byte>.Shared.Rent(_initialReceiveBuffer);
            return true;
        }

        if (End == In.Length)
        {
            MakeRoom();
        }

        return End < In.Length;
    }

    /// <summary>
    /// Sends everything in the send buffer and empties it at once (the bytes must not change until the send completes);
    /// completes synchronously, without a state machine, when the transport does.
    /// </summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        int length = OutLength;
        if (length == 0)
        {
            return default;
        }

        OutLength = 0;
        return Transport.SendAsync(Out.AsMemory(0, length), cancellationToken);
    }
}
