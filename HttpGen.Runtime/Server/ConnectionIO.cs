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
    private CancellationTokenSource _timeout = new();
    private readonly int _maxReceiveBuffer;

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
    /// Returns 0 when the peer closed, and throws <see cref="OperationCanceledException"/> on timeout.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(TimeSpan timeout)
    {
        if (End == In.Length)
        {
            MakeRoom();
        }

        _timeout.CancelAfter(timeout);
        int received;
        try
        {
            received = await Socket.ReceiveAsync(In.AsMemory(End), SocketFlags.None, _timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            received = 0; // reset or aborted: the same as a close for the loop
        }
        finally
        {
            if (!_timeout.TryReset())
            {
                _timeout.Dispose();
                _timeout = new CancellationTokenSource();
            }
        }

        if (received == 0)
        {
            PeerClosed = true;
        }

        End += received;
        return received;
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
        _timeout.Dispose();
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
