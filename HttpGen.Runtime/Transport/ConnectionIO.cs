using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

using HttpGen.Server;

namespace HttpGen.Transport;

/// <summary>
/// The byte side of one connection, shared by the connection loop and the body reader and writer: the transport, the
/// receive buffer (bytes not yet consumed are <c>In[Start..End]</c>), the send buffer, and receive deadlines.
/// Buffers are rented from the shared pool only while bytes are pending and returned when the connection goes idle,
/// so an idle keep-alive connection holds no buffer at all; no I/O here allocates per call.
/// </summary>
internal sealed class ConnectionIO : IDisposable
{
    // A send is cut into slices of at most this size, each with its own deadline: a peer that stops reading is found
    // out within one slice's allowance, not after the whole body's.
    private const int SendSlice = 16 * 1024;

    private readonly int _maxReceiveBuffer;
    private readonly int _initialReceiveBuffer;

    // When the pending receive, or send, must have completed (Environment.TickCount64), or long.MaxValue when none is
    // pending. The server's heartbeat compares them with the clock; the I/O path only writes them.
    private long _receiveDeadline = long.MaxValue;
    private long _sendDeadline = long.MaxValue;
    private volatile bool _receiveTimedOut;
    private volatile bool _sendTimedOut;

    public ConnectionIO(NetworkTransport transport, int initialReceiveBuffer, int maxReceiveBuffer)
    {
        Transport = transport;
        _initialReceiveBuffer = initialReceiveBuffer;
        _maxReceiveBuffer = Math.Max(maxReceiveBuffer, initialReceiveBuffer);
    }

    public NetworkTransport Transport { get; private set; }

    /// <summary>
    /// Moves the connection onto <paramref name="transport"/>, over the same socket: after a server's TLS handshake,
    /// which ran on the socket before any HTTP byte. Nothing may be buffered yet.
    /// </summary>
    public void UseTransport(NetworkTransport transport)
    {
        if (!ReferenceEquals(transport.Socket, Transport.Socket) || End != 0)
        {
            throw new InvalidOperationException("A transport can only be replaced by one over the same socket, before any byte was received.");
        }

        Transport = transport;
    }

    public byte[] In = Array.Empty<byte>();
    public int Start;
    public int End;
    public byte[] Out = Array.Empty<byte>();
    public int OutLength;

    /// <summary>Set when the peer closed its side or the socket failed.</summary>
    public bool PeerClosed;

    /// <summary>
    /// The slowest the peer may take bytes that are sent to it, or null for no limit. Each send slice must complete
    /// within the grace period plus its length at this rate; when one does not, the heartbeat aborts the connection.
    /// </summary>
    public MinDataRate? MinSendRate;

    /// <summary>Whether a send was aborted because the peer did not take the bytes in time.</summary>
    public bool SendTimedOut => _sendTimedOut;

    /// <summary>Whether a receive deadline passed, so that the receive side was shut here (not by the peer).</summary>
    public bool ReceiveTimedOut => _receiveTimedOut;

    public int Buffered => End - Start;

    public ReadOnlySpan<byte> BufferedSpan => In.AsSpan(Start, End - Start);

    /// <summary>An absolute deadline <paramref name="timeout"/> from now, on the heartbeat's clock.</summary>
    public static long DeadlineAfter(TimeSpan timeout) => DeadlineAfter(Environment.TickCount64, timeout);

    /// <summary>An absolute deadline <paramref name="timeout"/> after <paramref name="now"/>, saturating.</summary>
    public static long DeadlineAfter(long now, TimeSpan timeout)
    {
        double ms = timeout.TotalMilliseconds;
        return ms >= long.MaxValue / 2 ? long.MaxValue : now + (long)ms;
    }

    /// <summary>
    /// Bytes before this offset of <see cref="In"/> must stay where they are: the head of the request being handled,
    /// whose values the handler reads from the buffer while its body is still arriving. 0 when nothing is held.
    /// </summary>
    public int PinnedEnd;

    // The array that held a pinned head when the body needed a new one: kept until the head is released.
    private byte[]? _retired;

    public void Consume(int count)
    {
        Start += count;
        if (Start == End)
        {
            Start = End = PinnedEnd;
        }
    }

    /// <summary>
    /// Consumes a parsed head and keeps its bytes in place until <see cref="ReleaseHead"/>: receiving, compacting or
    /// growing for the body never moves or reuses them.
    /// </summary>
    public void ConsumeHead(int count)
    {
        Start += count;
        PinnedEnd = Start;
    }

    /// <summary>The handler is done with the request head: its bytes may be reused.</summary>
    public void ReleaseHead()
    {
        PinnedEnd = 0;
        if (Start == End)
        {
            Start = End = 0;
        }

        if (_retired is not null)
        {
            ReturnToPool(_retired);
            _retired = null;
        }
    }

    /// <summary>
    /// Receives more bytes after the buffered ones, making room by compacting or growing (up to the head limits).
    /// Returns 0 when the peer closed, and throws <see cref="TimeoutException"/> when <paramref name="deadline"/> (on
    /// the <see cref="Environment.TickCount64"/> clock) passed first: the heartbeat then shut the receive side, so that
    /// the pending receive returned.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(long deadline)
    {
        if (_receiveTimedOut)
        {
            throw new TimeoutException("The peer sent nothing in time.");
        }

        Volatile.Write(ref _receiveDeadline, deadline);
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            received = 0; // reset or aborted: the same as a close for the loop
        }
        finally
        {
            Volatile.Write(ref _receiveDeadline, long.MaxValue);
        }

        if (received == 0)
        {
            if (_receiveTimedOut)
            {
                throw new TimeoutException("The peer sent nothing in time.");
            }

            PeerClosed = true;
        }

        End += received;
        return received;
    }

    /// <summary>
    /// Waits, without a buffer, until data arrives (or the peer closes, or the deadline passes): the transport's
    /// zero-byte receive, returned as is, so that an idle connection waits in no state machine but its loop's. It costs
    /// no extra system call: a receive that finds no data waits for readiness either way. Call <see cref="EndWait"/>
    /// afterwards.
    /// </summary>
    public ValueTask<int> WaitForDataAsync(long deadline)
    {
        Volatile.Write(ref _receiveDeadline, deadline);
        return Transport.ReceiveAsync(Memory<byte>.Empty);
    }

    /// <summary>
    /// Brings the deadline of the pending receive or wait forward to <paramref name="deadline"/> (never back). A receive
    /// that starts later sets its own.
    /// </summary>
    public void LimitReceiveDeadline(long deadline)
    {
        long current = Volatile.Read(ref _receiveDeadline);
        while (deadline < current && current != long.MaxValue)
        {
            long seen = Interlocked.CompareExchange(ref _receiveDeadline, deadline, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>
    /// Puts a deadline on work that receives on the transport by itself (a TLS handshake): the heartbeat shuts the
    /// receive side when it passes, which fails that work. Call <see cref="EndWait"/> afterwards.
    /// </summary>
    public void StartDeadline(long deadline) => Volatile.Write(ref _receiveDeadline, deadline);

    /// <summary>Ends a <see cref="WaitForDataAsync"/> or <see cref="StartDeadline"/>: clears the deadline and says whether it passed.</summary>
    public bool EndWait()
    {
        Volatile.Write(ref _receiveDeadline, long.MaxValue);
        return _receiveTimedOut;
    }

    /// <summary>
    /// Called by the server's heartbeat. An overdue receive gets its receive side shut, which makes it return 0 (Linux)
    /// while the connection can still send its 408.
    /// </summary>
    public void CheckReceiveTimeout(long now)
    {
        if (now >= Volatile.Read(ref _receiveDeadline) && !_receiveTimedOut)
        {
            _receiveTimedOut = true;
            Transport.Shutdown(SocketShutdown.Receive);
        }
    }

    /// <summary>Whether a pending send has passed its deadline and has not been aborted yet (see <see cref="AbortSend"/>).</summary>
    public bool IsSendOverdue(long now) => now >= Volatile.Read(ref _sendDeadline) && !_sendTimedOut;

    /// <summary>Aborts an overdue send: the peer is not reading, so both directions are shut, which fails the send.</summary>
    public void AbortSend()
    {
        _sendTimedOut = true;
        Transport.Shutdown(SocketShutdown.Both);
    }

    /// <summary>Whether the receive buffer can still grow (it stops at the head limits).</summary>
    public bool CanGrow => End - Start < In.Length || In.Length < _maxReceiveBuffer;

    private void MakeRoom()
    {
        if (Start > PinnedEnd)
        {
            In.AsSpan(Start, End - Start).CopyTo(In.AsSpan(PinnedEnd));
            End -= Start - PinnedEnd;
            Start = PinnedEnd;
            return;
        }

        if (PinnedEnd > 0)
        {
            // A held head fills the front of the buffer: the body goes on in a new one, and this one is kept as it is
            // until the head is released.
            byte[] fresh = BufferPolicy.Rent(Math.Max(_initialReceiveBuffer, 2 * (End - Start)));
            In.AsSpan(Start, End - Start).CopyTo(fresh);
            _retired = In;
            In = fresh;
            End -= Start;
            Start = PinnedEnd = 0;
            return;
        }

        int size = Math.Min(In.Length * 2, _maxReceiveBuffer);
        if (size <= In.Length)
        {
            return; // full at the limit: the parser reports the head as too large
        }

        byte[] bigger = BufferPolicy.Rent(size);
        In.AsSpan(0, End).CopyTo(bigger);
        ReturnToPool(In);
        In = bigger;
    }

    /// <summary>A span of at least <paramref name="sizeHint"/> free bytes at the end of the send buffer.</summary>
    public Span<byte> GetOutSpan(int sizeHint)
    {
        if (Out.Length - OutLength < sizeHint)
        {
            byte[] bigger = BufferPolicy.Rent(Math.Max(Math.Max(Out.Length * 2, 4096), OutLength + sizeHint));
            Out.AsSpan(0, OutLength).CopyTo(bigger);
            ReturnToPool(Out);
            Out = bigger;
        }

        return Out.AsSpan(OutLength);
    }

    /// <summary>Returns the buffers that hold nothing pending, before the connection waits idle.</summary>
    public void ReleaseIdleBuffers()
    {
        // A pinned head is still being read (a handler that took its connection over reads it after the hand-off).
        if (Start == End && In.Length > 0 && PinnedEnd == 0)
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

    private static void ReturnToPool(byte[] buffer) => BufferPolicy.Return(buffer);

    public void AppendOut(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetOutSpan(bytes.Length));
        OutLength += bytes.Length;
    }

    /// <summary>Sends everything in the send buffer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        await SendAsync(Out.AsMemory(0, OutLength)).ConfigureAwait(false);
        OutLength = 0;
    }

    /// <summary>
    /// Sends <paramref name="data"/> (the send buffer's bytes, or a caller's body sent without a copy) in slices, each
    /// bounded by <see cref="MinSendRate"/>. Throws when the peer does not take the bytes in time.
    /// </summary>
    /// <remarks>An async method that completes synchronously (the usual case: the kernel takes the bytes at once)
    /// rents nothing.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            ReadOnlyMemory<byte> slice = data[..Math.Min(data.Length, SendSlice)];
            if (MinSendRate is { } rate)
            {
                Volatile.Write(ref _sendDeadline, DeadlineAfter(rate.Allowance(slice.Length)));
            }

            try
            {
                await Transport.SendAsync(slice).ConfigureAwait(false);
            }
            catch (Exception e) when (_sendTimedOut && e is SocketException or IOException or ObjectDisposedException)
            {
                throw new TimeoutException("The peer did not read the response in time.", e);
            }
            finally
            {
                Volatile.Write(ref _sendDeadline, long.MaxValue);
            }

            data = data[slice.Length..];
        }
    }

    public void Dispose()
    {
        Transport.Dispose();
        ReleaseHead();
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
