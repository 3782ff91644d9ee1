using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace HttpGen.Server;

/// <summary>
/// One listening socket and what its connections share: the TLS settings of its endpoint (null for plain TCP) and
/// its port, boxed once, as the <c>server.port</c> metric tag.
/// </summary>
internal sealed class ServerListener
{
    // Bound once: a delegate per handshake would allocate.
    private static readonly ServerOptionsSelectionCallback s_selectOptions = SelectOptions;

    public ServerListener(Socket socket, HttpEndpoint? tls)
    {
        Socket = socket;
        Tls = tls is { IsTls: true } ? tls : null;
    }

    public Socket Socket { get; }

    /// <summary>The endpoint's TLS settings, or null for a plain endpoint.</summary>
    public HttpEndpoint? Tls { get; }

    public IPEndPoint LocalEndPoint => (IPEndPoint)Socket.LocalEndPoint!;

    public object? PortTag { get; private set; }

    /// <summary>Called once bound.</summary>
    public void OnBound() => PortTag = LocalEndPoint.Port;

    /// <summary>Runs the server side of the TLS handshake on an accepted socket (closed on failure).</summary>
    public ValueTask<Transport.TlsTransport> AuthenticateAsync(Socket socket, CancellationToken cancellationToken)
    {
        HttpEndpoint tls = Tls!;
        if (!tls.SelectsByName)
        {
            return Transport.TlsTransport.AuthenticateAsServerAsync(socket, tls.TlsOptionsFor(null)!, cancellationToken);
        }

        return Transport.TlsTransport.AuthenticateAsServerAsync(socket, s_selectOptions, tls, cancellationToken);
    }

    private static ValueTask<SslServerAuthenticationOptions> SelectOptions(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellationToken)
    {
        var endpoint = (HttpEndpoint)state!;
        SslServerAuthenticationOptions options = endpoint.TlsOptionsFor(hello.ServerName)
            ?? throw new System.Security.Authentication.AuthenticationException($"No certificate for the host name '{hello.ServerName}' on {endpoint.EndPoint}.");
        return new ValueTask<SslServerAuthenticationOptions>(options);
    }
}
