using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace HttpGen.Transport;

/// <summary>
/// TLS over a connected socket: an <see cref="SslStream"/> (the BCL's) over a <see cref="NetworkStream"/> that owns the
/// socket. The same type serves both roles: a client authenticates with <see cref="AuthenticateAsClientAsync"/>, a
/// server with <c>AuthenticateAsServerAsync</c>; after the handshake the connection reads and writes the same
/// way. A zero-byte receive is the stream's own (it waits for decrypted data without taking any), so an idle
/// connection needs no buffer here either.
/// </summary>
internal sealed class TlsTransport : NetworkTransport
{
    private TlsTransport(Socket socket, SslStream stream)
        : base(socket) => Stream = stream;

    /// <summary>The TLS stream: for what the handshake agreed (protocol, ALPN, certificates), and for a hand-off.</summary>
    public SslStream Stream { get; }

    /// <inheritdoc/>
    public override string? TlsProtocolVersion => Stream.SslProtocol switch
    {
        SslProtocols.Tls12 => "1.2",
        SslProtocols.Tls13 => "1.3",
        _ => null,
    };

    /// <summary>
    /// Runs the client side of the handshake on <paramref name="socket"/>. On failure the socket is closed and the
    /// handshake's exception (<see cref="AuthenticationException"/>, <see cref="IOException"/>, or
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fired) propagates.
    /// </summary>
    public static async ValueTask<TlsTransport> AuthenticateAsClientAsync(Socket socket, SslClientAuthenticationOptions options, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await stream.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new TlsTransport(socket, stream);
    }

    /// <summary>Runs the server side of the handshake; on failure as <see cref="AuthenticateAsClientAsync"/>.</summary>
    public static ValueTask<TlsTransport> AuthenticateAsServerAsync(Socket socket, SslServerAuthenticationOptions options, CancellationToken cancellationToken) =>
        AuthenticateAsServerAsync(socket, options, null, null, cancellationToken);

    /// <summary>
    /// Runs the server side of the handshake with options chosen from the client's hello (its SNI host name), by
    /// <paramref name="select"/>; on failure as <see cref="AuthenticateAsClientAsync"/>.
    /// </summary>
    public static ValueTask<TlsTransport> AuthenticateAsServerAsync(Socket socket, ServerOptionsSelectionCallback select, object? state, CancellationToken cancellationToken) =>
        AuthenticateAsServerAsync(socket, null, select, state, cancellationToken);

    private static async ValueTask<TlsTransport> AuthenticateAsServerAsync(Socket socket, SslServerAuthenticationOptions? options, ServerOptionsSelectionCallback? select, object? state, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await (options is not null
                ? stream.AuthenticateAsServerAsync(options, cancellationToken)
                : stream.AuthenticateAsServerAsync(select!, state, cancellationToken)).ConfigureAwait(false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new TlsTransport(socket, stream);
    }

    /// <summary>Receives decrypted bytes; 0 when the peer closed (close_notify or end of stream). Errors are <see cref="IOException"/>.</summary>
    public override ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Stream.ReadAsync(buffer, cancellationToken);

    /// <summary>Encrypts and sends every byte of <paramref name="data"/>.</summary>
    public override ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        Stream.WriteAsync(data, cancellationToken);

    /// <inheritdoc/>
    public override Stream DetachStream() => Stream;

    /// <inheritdoc/>
    public override async ValueTask CloseSendAsync()
    {
        try
        {
            await Stream.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
        }

        Shutdown(SocketShutdown.Send);
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        try
        {
            Stream.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }

        base.Dispose();
    }
}
