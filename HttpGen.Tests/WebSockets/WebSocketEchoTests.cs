using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using HttpGen.Server;
using HttpGen.Tests.Client;
using HttpGen.Tests.Server;
using WebSocketEcho;
using Xunit;

namespace HttpGen.Tests.WebSockets;

/// <summary>
/// The WebSocketEcho sample against the BCL's <see cref="ClientWebSocket"/>, on a plain and a TLS port: messages of
/// both kinds, fragmented messages, the close handshake, a hundred sockets at once, a stop, and refused handshakes.
/// </summary>
public sealed class WebSocketEchoTests : IAsyncLifetime
{
    private HttpServer<WebSocketRequest, WebSocketResponse> _server = null!;

    private int Port => _server.LocalEndPoints[0].Port;

    private int TlsPort => _server.LocalEndPoints[1].Port;

    public async Task InitializeAsync()
    {
        var options = new HttpServerOptions();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        options.Listen(new IPEndPoint(IPAddress.Loopback, 0), endpoint => endpoint.Certificate = TestCertificates.Server);
        _server = new HttpServer<WebSocketRequest, WebSocketResponse>(options, new WebSocketEchoHandler());
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<ClientWebSocket> ConnectAsync(bool tls)
    {
        var socket = new ClientWebSocket();
        if (tls)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString()
                && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == 0;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(new Uri(tls ? $"wss://localhost:{TlsPort}/any/path" : $"ws://127.0.0.1:{Port}/"), timeout.Token);
        return socket;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var message = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Text_and_binary_messages_come_back(bool tls)
    {
        using ClientWebSocket socket = await ConnectAsync(tls);
        await socket.SendAsync("héllo, wörld"u8.ToArray(), WebSocketMessageType.Text, true, default);
        var (type, data) = await ReceiveMessageAsync(socket);
        Assert.Equal((WebSocketMessageType.Text, "héllo, wörld"), (type, Encoding.UTF8.GetString(data)));

        byte[] binary = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray();
        await socket.SendAsync(binary, WebSocketMessageType.Binary, true, default);
        (type, data) = await ReceiveMessageAsync(socket);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(binary, data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_message_sent_in_fragments_comes_back_whole(bool tls)
    {
        using ClientWebSocket socket = await ConnectAsync(tls);
        await socket.SendAsync("one, "u8.ToArray(), WebSocketMessageType.Text, false, default);
        await socket.SendAsync("two, "u8.ToArray(), WebSocketMessageType.Text, false, default);
        await socket.SendAsync("three"u8.ToArray(), WebSocketMessageType.Text, true, default);
        var (type, data) = await ReceiveMessageAsync(socket);
        Assert.Equal((WebSocketMessageType.Text, "one, two, three"), (type, Encoding.UTF8.GetString(data)));

        // The next message is its own.
        await socket.SendAsync("four"u8.ToArray(), WebSocketMessageType.Text, true, default);
        Assert.Equal("four", Encoding.UTF8.GetString((await ReceiveMessageAsync(socket)).Data));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_close_handshake_is_answered_and_the_connection_released(bool tls)
    {
        using ClientWebSocket socket = await ConnectAsync(tls);
        await socket.SendAsync("last"u8.ToArray(), WebSocketMessageType.Text, true, default);
        Assert.Equal("last", Encoding.UTF8.GetString((await ReceiveMessageAsync(socket)).Data));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        Assert.Equal((WebSocketState.Closed, WebSocketCloseStatus.NormalClosure, "bye"), (socket.State, socket.CloseStatus, socket.CloseStatusDescription));
        for (int i = 0; i < 200 && _server.ConnectionCount > 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(0, _server.ConnectionCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hundred_sockets_echo_at_once(bool tls)
    {
        ClientWebSocket[] sockets = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => ConnectAsync(tls)));
        try
        {
            Assert.Equal(100, _server.ConnectionCount);
            await Task.WhenAll(sockets.Select(async (socket, i) =>
            {
                for (int round = 0; round < 3; round++)
                {
                    byte[] message = Encoding.ASCII.GetBytes($"socket {i} round {round} " + new string('x', i * 10));
                    await socket.SendAsync(message, WebSocketMessageType.Binary, true, default);
                    Assert.Equal(message, (await ReceiveMessageAsync(socket)).Data);
                }

                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
            }));
        }
        finally
        {
            foreach (ClientWebSocket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_stop_sends_open_sockets_a_going_away_close()
    {
        using ClientWebSocket socket = await ConnectAsync(tls: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task stopping = _server.StopAsync();
        var (type, _) = await ReceiveMessageAsync(socket);
        Assert.Equal((WebSocketMessageType.Close, WebSocketCloseStatus.EndpointUnavailable), (type, socket.CloseStatus));
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 8); // well inside the 10 s shutdown timeout
        Assert.Equal(0, _server.AbortedOnStop);
    }

    [Fact]
    public void The_accept_value_is_the_one_RFC_6455_gives()
    {
        // RFC 6455 §1.3's example.
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Encoding.ASCII.GetString(WebSocketEchoHandler.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="u8)));
    }

    [Fact]
    public void The_101_carries_the_accept_value_for_the_key_sent()
    {
        using var c = new RawConnection(_server.LocalEndPoints[0]);
        c.Send("GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        RawResponse response = c.ReadResponse(headRequest: true);
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal(("websocket", "upgrade", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), (response.Header("Upgrade"), response.Header("Connection"), response.Header("Sec-WebSocket-Accept")));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\n\r\n", 400)]                                                                                                  // not an upgrade
    [InlineData("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400) ] // HTTP/1.0
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)] // another protocol
    [InlineData("POST / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n", 400)] // not a GET
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 400)] // no version
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: short==\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)] // a key that is not 16 bytes
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n", 400)] // no key
    [InlineData("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n", 426)] // another version
    public void A_request_that_is_not_a_valid_handshake_is_refused(string request, int status)
    {
        using var c = new RawConnection(_server.LocalEndPoints[0]);
        c.Send(request);
        RawResponse response = c.ReadResponse();
        Assert.Equal(status, response.StatusCode);
        if (status == 426)
        {
            Assert.Equal(("13", "websocket"), (response.Header("Sec-WebSocket-Version"), response.Header("Upgrade")));
        }
    }

    [Fact]
    public async Task The_sample_serves_ws_and_wss_from_the_command_line()
    {
        string dir = Directory.CreateTempSubdirectory("httpgen-ws-").FullName;
        try
        {
            TestCertificates.WritePem(TestCertificates.Server, Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            int port = ExternalTools.FreePort(), tlsPort = ExternalTools.FreePort();
            string dll = typeof(WebSocketEchoHandler).Assembly.Location;
            var info = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in new[] { dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--https-port", tlsPort.ToString(CultureInfo.InvariantCulture), "--cert", Path.Combine(dir, "cert.pem"), "--key", Path.Combine(dir, "key.pem") })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = System.Diagnostics.Process.Start(info)!;
            try
            {
                string? line;
                while ((line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))) is not null && !line.Contains("Ctrl+C", StringComparison.Ordinal))
                {
                }

                foreach (string url in new[] { $"ws://127.0.0.1:{port}/", $"wss://localhost:{tlsPort}/" })
                {
                    using var socket = new ClientWebSocket();
                    socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString();
                    await socket.ConnectAsync(new Uri(url), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
                    await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, default);
                    Assert.Equal("ping", Encoding.UTF8.GetString((await ReceiveMessageAsync(socket)).Data));
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
                }
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
