using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace HttpGen.Server;

/// <summary>
/// The byte side of one connection, shared by the connection loop and the body reader and writer: the socket, the
/// receive buffer (bytes not yet consumed are <c>In[Start..End]</c>), the send buffer, and receive timeouts.
/// Buffers are rented from the shared pool for the connection's lifetime; no I/O here allocates per call.
/// </summary>
internal sealed class ConnectionIO : IDisposable
{
    private readonly int _maxReceiveBuffer;

    // When the pending receive must have completed (Environment.TickCount64), or long.MaxValue when none is pending.
    // The server's heartbeat compares it with the clock; the hot path only writes it.
    private long _deadline = long.MaxValue;
    private volatile bool _timedOut;

    public ConnectionIO(Socket socket, int initialReceiveBuffer, int maxReceiveBuffer)
    {
        Socket = socket;
        In = ArrayPool<byte>.Shared.Rent(initialReceiveBuffer);
        Out = ArrayPool<byte>.Shared.Rent(4096);
        _maxReceiveBuffer = Math.Max(maxReceiveBuffer, initialReceiveBuffer);
    }

    public Socket Socket { get; }

    public byte[] In;
    public int Start;
    public int End;
    public byte[] Out;
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
        if (End == In.Length)
        {
            MakeRoom();
        }

        Volatile.Write(ref _deadline, Environment.TickCount64 + (long)timeout.TotalMilliseconds);
        int received;
        try
        {
            received = await Socket.ReceiveAsync(In.AsMemory(End), SocketFlags.None).ConfigureAwait(false);
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
    /// Called by the server's heartbeat: when a receive is overdue, shut the receive side, which makes it return 0
    /// (Linux); the connection can still send its 408 before closing.
    /// </summary>
    public void CheckTimeout(long now)
    {
        if (now >= Volatile.Read(ref _deadline) && !_timedOut)
        {
            _timedOut = true;
            try
            {
                Socket.Shutdown(SocketShutdown.Receive);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
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
        ArrayPool<byte>.Shared.Return(In);
        In = bigger;
    }

    /// <summary>A span of at least <paramref name="sizeHint"/> free bytes at the end of the send buffer.</summary>
    public Span<byte> GetOutSpan(int sizeHint)
    {
        if (Out.Length - OutLength < sizeHint)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Out.Length * 2, OutLength + sizeHint));
            Out.AsSpan(0, OutLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(Out);
            Out = bigger;
        }

        return Out.AsSpan(OutLength);
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
        int sent = 0;
        while (sent < OutLength)
        {
            sent += await Socket.SendAsync(Out.AsMemory(sent, OutLength - sent), SocketFlags.None).ConfigureAwait(false);
        }

        OutLength = 0;
    }

    public void Dispose()
    {
        try
        {
            Socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }

        ArrayPool<byte>.Shared.Return(In);
        ArrayPool<byte>.Shared.Return(Out);
        In = Out = Array.Empty<byte>();
    }
}
