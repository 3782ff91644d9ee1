using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace HttpGen.Transport;

/// <summary>
/// The byte stream under one HTTP connection, server or client: plain TCP on a socket, or TLS over it. The connection
/// loops (server and client) are written once against this seam; everything above it (buffers, parsing, framing) is the
/// same for every transport. Receives and sends take no buffer of their own: callers pass pooled memory.
/// </summary>
internal abstract class NetworkTransport : IDisposable
{
    protected NetworkTransport(Socket socket) => Socket = socket;

    /// <summary>The connected socket underneath (for shutdown, polling and socket options).</summary>
    public Socket Socket { get; }

    /// <summary>The TLS protocol in use ("1.2", "1.3"), or null for plain TCP.</summary>
    public virtual string? TlsProtocolVersion => null;

    /// <summary>
    /// Receives bytes into <paramref name="buffer"/>; 0 means the peer closed its side. An empty buffer waits until data
    /// is available without taking any (a zero-byte receive), so an idle connection needs no buffer.
    /// </summary>
    public abstract ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Sends every byte of <paramref name="data"/>.</summary>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Shuts one or both directions of the socket down; a closed socket is ignored.</summary>
    public void Shutdown(SocketShutdown how)
    {
        try
        {
            Socket.Shutdown(how);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Ends the sending direction cleanly: for TLS a close_notify alert first (so that the peer can tell the end of the
    /// data from a cut), then the socket's send side. Errors are ignored: the connection is closing anyway.
    /// </summary>
    public virtual ValueTask CloseSendAsync()
    {
        Shutdown(SocketShutdown.Send);
        return default;
    }

    /// <summary>
    /// Hands the connection over as a stream that owns it (Upgrade, CONNECT): this transport is not used afterwards.
    /// No receive or send may be pending.
    /// </summary>
    public virtual Stream DetachStream() => new NetworkStream(Socket, ownsSocket: true);

    /// <summary>Closes the connection.</summary>
    public virtual void Dispose()
    {
        try
        {
            Socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>Plain TCP: the socket's own <see cref="ValueTask"/> operations, which reuse one awaitable per socket.</summary>
internal sealed class SocketTransport : NetworkTransport
{
    public SocketTransport(Socket socket)
        : base(socket)
    {
    }

    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ValueTask<int> send = Socket.SendAsync(data, SocketFlags.None, cancellationToken);
        if (send.IsCompletedSuccessfully && send.Result == data.Length)
        {
            return default;
        }

        return SendRestAsync(send, data, cancellationToken);
    }

    // A send that did not complete at once, or took only part of the bytes: finish it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ValueTask<int> pending, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        int sent = await pending.ConfigureAwait(false);
        while (sent < data.Length)
        {
            sent += await Socket.SendAsync(data[sent..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }
}
