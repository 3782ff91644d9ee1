using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HttpGen.Server;
using HttpGen.Tests.Client;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// The server's TLS endpoints with a .NET TLS client: both protocol versions, ALPN, SNI certificate selection, and
/// every protection the plain path has (head and keep-alive timeouts, data rates, the handler token), plus what only
/// TLS has: the handshake timeout, a client that does not speak TLS, and handshakes that must not hold up accepting.
/// </summary>
public class TlsServerTests
{
    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Requests_over_TLS_reuse_one_connection_with_ALPN_http_1_1(SslProtocols protocol)
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        using RawConnection c = await server.ConnectTlsAsync(protocol);
        Assert.Equal(protocol, c.Tls.SslProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, c.Tls.NegotiatedApplicationProtocol);
        for (int i = 0; i < 3; i++)
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        }

        string body = new('b', 100_000);
        c.Send($"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        Assert.Equal(body, c.ReadResponse().BodyText);
        c.Send("POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        Assert.Equal("hello", c.ReadResponse().BodyText);
        Assert.Equal(1, server.Server.AcceptedConnections);
    }

    [Fact]
    public async Task Pipelined_requests_over_TLS_are_answered_in_order()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        using RawConnection c = await server.ConnectTlsAsync();
        c.Send(string.Concat(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n"
            : "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc")));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(i % 2 == 0 ? "Hello, World!" : "abc", c.ReadResponse().BodyText);
        }
    }

    [Fact]
    public async Task A_client_that_speaks_plain_HTTP_to_the_TLS_port_is_closed_cleanly()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        using (var plain = new RawConnection(server.TlsEndPoint))
        {
            plain.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Assert.True(plain.IsClosedByServer(5000), "the server kept a plaintext connection on its TLS port");
        }

        await server.WaitForNoConnectionsAsync();

        // The server is unharmed: both ports still serve.
        using RawConnection tls = await server.ConnectTlsAsync();
        tls.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(200, tls.ReadResponse().StatusCode);
        using RawConnection c = server.Connect();
        c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(200, c.ReadResponse().StatusCode);
    }

    [Fact]
    public async Task Bytes_that_are_not_TLS_records_after_the_handshake_end_the_connection_cleanly()
    {
        // The TLS stream fails the read (an IOException): the connection is closed like one the peer closed.
        await using RunningServer server = await RunningServer.StartTlsAsync();
        using (RawConnection c = await server.ConnectTlsAsync())
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Assert.Equal(200, c.ReadResponse().StatusCode);
            c.Socket.Send("GET / HTTP/1.1\r\nHost: not encrypted\r\n\r\n"u8); // under the TLS stream
            c.Socket.ReceiveTimeout = 10_000;
            byte[] buffer = new byte[4096];
            try
            {
                while (c.Socket.Receive(buffer) > 0)
                {
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
            }
        }

        await server.WaitForNoConnectionsAsync();
        using RawConnection next = await server.ConnectTlsAsync();
        next.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(200, next.ReadResponse().StatusCode);
    }

    [Theory]
    [InlineData(0)]  // connects and sends nothing
    [InlineData(11)] // the start of a ClientHello record, then nothing
    public async Task A_stalled_handshake_is_closed_when_the_handshake_timeout_passes(int helloBytes)
    {
        await using RunningServer server = await RunningServer.StartTlsAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(1));
        using var c = new RawConnection(server.TlsEndPoint);
        var clock = Stopwatch.StartNew();
        c.Send(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03 }.AsSpan(0, helloBytes));
        Assert.True(c.IsClosedByServer(10_000), "the stalled handshake was not closed");
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 6);
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Stalled_handshakes_do_not_hold_up_accepting()
    {
        // Thirty clients connect to the TLS port and stall; another TLS client is served at once. Were handshakes run
        // by the accept loop, it would wait for the first stalled one's 60 s timeout.
        await using RunningServer server = await RunningServer.StartTlsAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(60));
        var stalled = Enumerable.Range(0, 30).Select(_ => new RawConnection(server.TlsEndPoint)).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            using RawConnection c = await server.ConnectTlsAsync().WaitAsync(TimeSpan.FromSeconds(20));
            c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Assert.Equal(200, c.ReadResponse().StatusCode);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0, 20);
            Assert.Equal(31, server.Server.ConnectionCount);
        }
        finally
        {
            stalled.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_stop_does_not_wait_for_a_stalled_handshake()
    {
        RunningServer server = await RunningServer.StartTlsAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(60));
        using var stalled = new RawConnection(server.TlsEndPoint);
        for (int i = 0; i < 100 && server.Server.ConnectionCount == 0; i++)
        {
            await Task.Delay(20);
        }

        var clock = Stopwatch.StartNew();
        await server.Server.StopAsync();
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 5); // the first-request grace of a stop (1 s), not the 60 s timeout
        Assert.Equal(0, server.Server.AbortedOnStop);
        Assert.Equal(0, server.Server.ConnectionCount);
        await server.DisposeAsync();
    }

    [Fact]
    public async Task An_idle_TLS_connection_is_closed_when_the_keep_alive_timeout_passes()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync(o => o.KeepAliveTimeout = TimeSpan.FromSeconds(1));
        using RawConnection c = await server.ConnectTlsAsync();
        c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal(200, c.ReadResponse().StatusCode);
        var clock = Stopwatch.StartNew();
        Assert.True(c.IsClosedByServer(10_000));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.8, 6);
        await server.WaitForNoConnectionsAsync();
    }

    [Theory]
    [InlineData(SslProtocols.Tls12, true)]  // close_notify, then FIN
    [InlineData(SslProtocols.Tls13, true)]
    [InlineData(SslProtocols.Tls13, false)] // FIN only, as a process that dies
    public async Task The_handler_token_is_cancelled_when_a_TLS_peer_goes_away(SslProtocols protocol, bool closeNotify)
    {
        var handler = new WaitingHandler();
        await using RunningServer server = await RunningServer.StartTlsAsync(handler: handler);
        RawConnection c = await server.ConnectTlsAsync(protocol);
        c.Send("GET /wait HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (closeNotify)
        {
            await c.Tls.ShutdownAsync();
        }

        c.Socket.Shutdown(SocketShutdown.Send);
        Assert.True(await handler.Canceled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await server.WaitForNoConnectionsAsync();
        c.Dispose();
    }

    [Fact]
    public async Task The_handler_token_stays_quiet_while_a_TLS_peer_sends_the_next_request()
    {
        // Bytes that wait under the TLS stream while the handler runs are not mistaken for a close.
        var handler = new WaitingHandler { Release = TimeSpan.FromSeconds(2) };
        await using RunningServer server = await RunningServer.StartTlsAsync(handler: handler);
        using RawConnection c = await server.ConnectTlsAsync(SslProtocols.Tls13);
        c.Send("GET /wait HTTP/1.1\r\nHost: localhost\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        c.Send("GET /next HTTP/1.1\r\nHost: localhost\r\n\r\n");
        Assert.Equal("done", c.ReadResponse().BodyText);
        Assert.False(handler.Canceled.Task.IsCompleted);
    }

    [Fact]
    public async Task The_certificate_is_chosen_by_the_SNI_host_name()
    {
        using X509Certificate2 other = TestCertificates.CreateServer("other.test");
        await using RunningServer server = await RunningServer.StartAsync(o => o.Listen(new IPEndPoint(IPAddress.Loopback, 0), endpoint =>
            endpoint.CertificateSelector = name => name switch
            {
                "localhost" => TestCertificates.Server,
                "other.test" => other,
                _ => null,
            }));
        IPEndPoint endPoint = server.Server.LocalEndPoints[1];

        Assert.Equal(TestCertificates.Server.Thumbprint, (await HandshakeAsync(endPoint, "localhost")).Thumbprint);
        Assert.Equal(other.Thumbprint, (await HandshakeAsync(endPoint, "other.test")).Thumbprint);

        // No certificate for the name and no default: the handshake fails and the connection is closed.
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(endPoint, "unknown.test"));
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public void An_endpoint_certificate_without_a_private_key_is_refused_at_construction()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(TestCertificates.Server.RawData);
        var options = new HttpServerOptions();
        options.Listen(new IPEndPoint(IPAddress.Loopback, 0), e => e.Certificate = publicOnly);
        Assert.Throws<ArgumentException>(() => new HttpServer<EchoServer.EchoRequest, EchoServer.EchoResponse>(options, new EchoServer.EchoHandler()));
    }

    [Fact]
    public void Certificates_load_from_PEM_files_and_from_PFX()
    {
        string dir = Directory.CreateTempSubdirectory("httpgen-cert-").FullName;
        try
        {
            TestCertificates.WritePem(TestCertificates.Server, Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            using X509Certificate2 fromPem = HttpEndpoint.LoadCertificate(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            Assert.True(fromPem.HasPrivateKey);
            Assert.Equal(TestCertificates.Server.Thumbprint, fromPem.Thumbprint);

            File.WriteAllText(Path.Combine(dir, "both.pem"), File.ReadAllText(Path.Combine(dir, "cert.pem")) + "\n" + File.ReadAllText(Path.Combine(dir, "key.pem")));
            using X509Certificate2 fromOne = HttpEndpoint.LoadCertificate(Path.Combine(dir, "both.pem"));
            Assert.True(fromOne.HasPrivateKey);

            File.WriteAllBytes(Path.Combine(dir, "cert.pfx"), TestCertificates.Server.Export(X509ContentType.Pkcs12, "secret"));
            using X509Certificate2 fromPfx = HttpEndpoint.LoadCertificate(Path.Combine(dir, "cert.pfx"), password: "secret");
            Assert.True(fromPfx.HasPrivateKey);
            Assert.Equal(TestCertificates.Server.Thumbprint, fromPfx.Thumbprint);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<X509Certificate2> HandshakeAsync(IPEndPoint endPoint, string hostName)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = hostName,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(TimeSpan.FromSeconds(20));
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }
}
