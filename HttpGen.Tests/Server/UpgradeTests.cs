using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// Upgrade and CONNECT: the handler takes the connection over as a stream (<see cref="HttpResponseBody.AcceptUpgradeAsync"/>,
/// <see cref="HttpResponseBody.AcceptTunnelAsync"/>), first reads the bytes that came after the head, and the server
/// reads no more HTTP from it; everything else about such requests stays as it was. Raw sockets, plain and TLS, and
/// curl through a CONNECT tunnel.
/// </summary>
public class UpgradeTests
{
    private const string UpgradeHead = "GET /upgrade HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n";

    [Fact]
    public async Task An_accepted_upgrade_answers_101_and_hands_over_the_connection_with_the_bytes_after_the_head()
    {
        var handler = new SwitchingHandler();
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead + "early bytes|");
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\n", Encoding.ASCII.GetString(c.ReadExactly(9)));
        Assert.Equal("early bytes|", Encoding.ASCII.GetString(c.ReadExactly(12)));

        // No more HTTP: a request line is just bytes of the new protocol now.
        c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n", Encoding.ASCII.GetString(c.ReadExactly(36)));

        // The handler ends: so does the connection.
        c.Send("quit");
        Assert.Equal("quit", Encoding.ASCII.GetString(c.ReadExactly(4)));
        Assert.True(c.IsClosedByServer());
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Upgrade_among_other_connection_options_counts()
    {
        // Firefox asks for a WebSocket with "Connection: keep-alive, Upgrade".
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead.Replace("Connection: Upgrade", "Connection: keep-alive, Upgrade", StringComparison.Ordinal));
        AssertSwitched(c.ReadResponse(headRequest: true));
    }

    [Fact]
    public async Task An_upgrade_over_TLS_hands_over_the_decrypted_stream()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync(handler: new SwitchingHandler());
        using RawConnection c = await server.ConnectTlsAsync();
        c.Send(UpgradeHead + "early|");
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\nearly|", Encoding.ASCII.GetString(c.ReadExactly(15)));
        c.Send("more");
        Assert.Equal("more", Encoding.ASCII.GetString(c.ReadExactly(4)));
        c.Send("quit");
        Assert.Equal("quit", Encoding.ASCII.GetString(c.ReadExactly(4)));
        Assert.True(c.IsClosedByServer());
    }

    [Fact]
    public async Task Disposing_the_stream_closes_the_connection_before_the_handler_returns()
    {
        var handler = new SwitchingHandler();
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead.Replace("/upgrade", "/dispose", StringComparison.Ordinal));
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\nbye", Encoding.ASCII.GetString(c.ReadExactly(12)));
        Assert.True(c.IsClosedByServer(2000));
        Assert.False(handler.Returned.Task.IsCompleted, "the handler had already returned: the close proves nothing");
    }

    [Theory]
    [InlineData("GET /upgrade HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n")]     // RFC 9110 §7.8: ignored in HTTP/1.0
    [InlineData("GET /upgrade HTTP/1.1\r\nHost: t\r\nUpgrade: echo\r\n\r\n")]               // no "upgrade" connection option
    public async Task A_request_that_may_not_be_upgraded_is_answered_as_HTTP(string request)
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send(request);
        RawResponse response = c.ReadResponse();
        Assert.Equal((200, "not upgraded"), (response.StatusCode, response.BodyText));
        Assert.Null(response.Header("Upgrade"));
    }

    [Fact]
    public async Task Requests_that_are_not_upgraded_keep_their_behaviour()
    {
        // The EchoServer knows nothing of upgrades: it answers, and the connection goes on as HTTP.
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        Assert.Equal("OK", c.ReadResponse().BodyText);
    }

    [Theory]
    [InlineData("GET /status-only HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n", "AcceptUpgradeAsync")]
    [InlineData("GET /force-upgrade HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n", "internal server error")]
    [InlineData("POST /upgrade HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\nContent-Length: 3\r\n\r\nabc", "internal server error")]
    [InlineData("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n", "AcceptTunnelAsync")]
    [InlineData("GET /written HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n", "internal server error")]
    public async Task Switching_protocols_without_the_hand_off_is_a_500(string request, string reason)
    {
        // A 101 (or a 2xx to CONNECT) set as a plain status; an upgrade the request does not allow; an upgrade with the
        // request body unread; each would leave the client reading a protocol that never comes.
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send(request);
        RawResponse response = c.ReadResponse();
        Assert.Equal((500, "close"), (response.StatusCode, response.Header("Connection")));
        Assert.Contains(reason, response.BodyText);
    }

    [Fact]
    public async Task An_upgrade_after_the_response_started_fails_and_the_connection_closes()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send("GET /started HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n");
        RawResponse head = c.ReadResponse(headRequest: true);
        Assert.Equal((200, "chunked"), (head.StatusCode, head.Header("Transfer-Encoding")));
        Assert.Throws<EndOfStreamException>(() => c.ReadLine()); // no last chunk: the body is visibly cut
    }

    [Fact]
    public async Task A_taken_over_connection_outlives_the_HTTP_timeouts_and_its_peer_check()
    {
        // Idle for longer than the head and keep-alive timeouts, then half-closed by the client: the connection is the
        // handler's, so neither closes it nor cancels the token; the handler sees the end as a read of 0.
        var handler = new SwitchingHandler();
        await using RunningServer server = await RunningServer.StartAsync(o =>
        {
            o.RequestHeadTimeout = TimeSpan.FromSeconds(1);
            o.KeepAliveTimeout = TimeSpan.FromSeconds(1);
            o.BodyReadTimeout = TimeSpan.FromSeconds(1);
        }, handler);
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead);
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\n", Encoding.ASCII.GetString(c.ReadExactly(9)));
        await Task.Delay(2500);
        c.Send("still here");
        Assert.Equal("still here", Encoding.ASCII.GetString(c.ReadExactly(10)));
        c.Socket.Shutdown(SocketShutdown.Send);
        Assert.False(await handler.TokenCancelledAtEnd.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task The_request_head_stays_readable_after_the_hand_off()
    {
        // The handler reads a request header after taking the connection over, having rented (and scribbled on) what
        // the shared pool gave it: the head's buffer must not have gone back to the pool at the hand-off.
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead.Replace("/upgrade", "/late-read", StringComparison.Ordinal).Replace("Host: t", "Host: late.example", StringComparison.Ordinal));
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\nlate.example\n", Encoding.ASCII.GetString(c.ReadExactly(22)));
    }

    [Fact]
    public async Task An_upgrade_after_the_request_body_was_read()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new SwitchingHandler());
        using RawConnection c = server.Connect();
        c.Send("POST /body-first HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: echo\r\nContent-Length: 5\r\n\r\nhelloafter");
        AssertSwitched(c.ReadResponse(headRequest: true));
        Assert.Equal("switched\nafter", Encoding.ASCII.GetString(c.ReadExactly(14)));
    }

    [Fact]
    public async Task A_stop_cancels_the_token_of_a_taken_over_connection_at_once()
    {
        var handler = new SwitchingHandler();
        RunningServer server = await RunningServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30), handler);
        using RawConnection c = server.Connect();
        c.Send(UpgradeHead.Replace("/upgrade", "/wait", StringComparison.Ordinal));
        AssertSwitched(c.ReadResponse(headRequest: true));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await server.Server.StopAsync();
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10); // not the 30 s shutdown timeout
        Assert.True(await handler.Canceled.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, server.Server.AbortedOnStop);
        Assert.Equal("switched\nstopping", Encoding.ASCII.GetString(c.ReadExactly(17)));
        Assert.True(c.IsClosedByServer());
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_peer_that_closes_a_taken_over_connection_is_seen_by_the_handler_reading_it()
    {
        var handler = new SwitchingHandler();
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        var c = server.Connect();
        c.Send(UpgradeHead);
        AssertSwitched(c.ReadResponse(headRequest: true));
        c.Socket.Shutdown(SocketShutdown.Send);
        Assert.True(await handler.Returned.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await server.WaitForNoConnectionsAsync();
        c.Dispose();
    }

    [Fact]
    public async Task A_CONNECT_tunnel_carries_HTTP_to_another_server()
    {
        await using RunningServer target = await RunningServer.StartAsync();
        await using RunningServer proxy = await RunningServer.StartAsync(handler: new TunnelHandler());
        using RawConnection c = proxy.Connect();
        c.Send($"CONNECT 127.0.0.1:{target.Port} HTTP/1.1\r\nHost: 127.0.0.1:{target.Port}\r\n\r\n");
        RawResponse established = c.ReadResponse(headRequest: true);
        Assert.Equal("HTTP/1.1 200 Connection Established", established.StatusLine);
        Assert.Null(established.Header("Content-Length"));
        Assert.Null(established.Header("Transfer-Encoding"));
        Assert.Null(established.Header("Connection"));

        c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping");
        Assert.Equal("ping", c.ReadResponse().BodyText);
        Assert.Equal(1, target.Server.AcceptedConnections);
    }

    [Fact]
    public async Task A_CONNECT_the_handler_refuses_is_an_ordinary_response()
    {
        await using RunningServer proxy = await RunningServer.StartAsync(handler: new TunnelHandler());
        using RawConnection c = proxy.Connect();
        c.Send($"CONNECT 127.0.0.1:{ExternalTools.FreePort()} HTTP/1.1\r\nHost: x\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(502, c.ReadResponse().StatusCode);
        Assert.Equal(405, c.ReadResponse().StatusCode); // still HTTP: the next request is answered
    }

    [Fact]
    public async Task Curl_reaches_a_server_through_the_CONNECT_tunnel()
    {
        await using RunningServer target = await RunningServer.StartAsync();
        await using RunningServer proxy = await RunningServer.StartAsync(handler: new TunnelHandler());
        var (exit, stdout, stderr) = await ExternalTools.RunAsync(ExternalTools.Require("curl", "curl"),
            ["-sS", "-v", "-p", "-x", $"http://127.0.0.1:{proxy.Port}", $"http://127.0.0.1:{target.Port}/plaintext"], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
        Assert.Equal("Hello, World!", stdout);
        Assert.Contains("CONNECT 127.0.0.1:", stderr);
        Assert.Contains("200 Connection Established", stderr);
        Assert.Equal(1, target.Server.AcceptedConnections);
    }

    private static void AssertSwitched(RawResponse response)
    {
        Assert.Equal("HTTP/1.1 101 Switching Protocols", response.StatusLine);
        Assert.Equal("upgrade", response.Header("Connection"));
        Assert.Equal("echo", response.Header("Upgrade"));
        Assert.Equal("application/x-echo", response.Header("Content-Type")); // a header the handler set on the response
        Assert.Null(response.Header("Content-Length"));
        Assert.Null(response.Header("Transfer-Encoding"));
    }
}

/// <summary>
/// Switches to an "echo" protocol: writes "switched\n", then echoes what it reads until "quit" or the end. Other paths
/// misuse the hand-off, or take the connection over and wait.
/// </summary>
internal sealed class SwitchingHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    private static readonly HeaderValue Echo = HeaderValue.Create("echo");
    private static readonly HeaderValue EchoType = HeaderValue.Create("application/x-echo");

    public TaskCompletionSource<bool> Returned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<bool> Canceled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether the token was cancelled 2.5 s after the echo loop read the end of the stream.</summary>
    public TaskCompletionSource<bool> TokenCancelledAtEnd { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        try
        {
            await SwitchAsync(request, response, requestBody, responseBody, cancellationToken);
        }
        finally
        {
            Returned.TrySetResult(true);
        }
    }

    private async Task SwitchAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        string path = Encoding.ASCII.GetString(request.Path);
        if (request.Method == RequestMethod.Connect)
        {
            response.StatusCode = 200; // as if a tunnel were open, without opening it
            return;
        }

        if (path == "/status-only")
        {
            response.StatusCode = 101;
            return;
        }

        if (path == "/upgrade" && !responseBody.CanUpgrade)
        {
            responseBody.Write("not upgraded"u8);
            return;
        }

        if (path == "/body-first")
        {
            await requestBody.ReadAllAsync(cancellationToken: cancellationToken);
        }

        if (path == "/written")
        {
            responseBody.Write("x"u8);
        }

        if (path == "/started")
        {
            await responseBody.FlushAsync(cancellationToken);
        }

        response.ContentType = EchoType;
        Stream stream = await responseBody.AcceptUpgradeAsync(Echo, cancellationToken);
        await stream.WriteAsync("switched\n"u8.ToArray(), CancellationToken.None); // a stop may cancel the token already
        if (path == "/dispose")
        {
            await stream.WriteAsync("bye"u8.ToArray(), cancellationToken);
            await stream.DisposeAsync();
            await Task.Delay(3000, CancellationToken.None);
            return;
        }

        if (path == "/late-read")
        {
            byte[][] rented = Enumerable.Range(0, 8).Select(_ => System.Buffers.ArrayPool<byte>.Shared.Rent(4096)).ToArray();
            foreach (byte[] array in rented)
            {
                array.AsSpan().Fill((byte)'X');
            }

            await stream.WriteAsync(request.Host.ToArray().Append((byte)'\n').ToArray(), cancellationToken);
            foreach (byte[] array in rented)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(array);
            }

            return;
        }

        if (path == "/wait")
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Canceled.TrySetResult(true);
                await stream.WriteAsync("stopping"u8.ToArray(), CancellationToken.None);
            }

            return;
        }

        byte[] buffer = new byte[4096];
        for (int n; (n = await stream.ReadAsync(buffer, cancellationToken)) > 0;)
        {
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            if (buffer.AsSpan(0, n).EndsWith("quit"u8))
            {
                return;
            }
        }

        // The peer ended its side. Long enough for the heartbeat (every second here) to look at the socket.
        await Task.Delay(2500, CancellationToken.None);
        TokenCancelledAtEnd.TrySetResult(cancellationToken.IsCancellationRequested);
    }
}

/// <summary>A CONNECT proxy to loopback ports: connects, opens the tunnel, and relays both ways until either side ends.</summary>
internal sealed class TunnelHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        if (request.Method != RequestMethod.Connect || !IPEndPoint.TryParse(Encoding.ASCII.GetString(request.Target), out IPEndPoint? target) || !IPAddress.IsLoopback(target.Address))
        {
            response.StatusCode = 405;
            return;
        }

        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(target, cancellationToken);
        }
        catch (SocketException)
        {
            upstream.Dispose();
            response.StatusCode = 502;
            return;
        }

        response.StatusCode = 200;
        response.ReasonPhrase = "Connection Established"u8;
        await using var upstreamStream = new NetworkStream(upstream, ownsSocket: true);
        await using Stream client = await responseBody.AcceptTunnelAsync(cancellationToken);
        Task up = client.CopyToAsync(upstreamStream, cancellationToken);
        Task down = upstreamStream.CopyToAsync(client, cancellationToken);
        await Task.WhenAny(up, down);
    }
}
