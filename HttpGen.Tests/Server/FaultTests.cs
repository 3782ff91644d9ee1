using System.Net.Sockets;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>Clients that misbehave: the server stays healthy and leaks no connection.</summary>
public class FaultTests
{
    [Theory]
    [InlineData("GET /plaintext HTTP/1.1\r\nHo")]
    [InlineData("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part")]
    [InlineData("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc")]
    public async Task Client_closing_mid_message_leaks_nothing(string partial)
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using (RawConnection c = server.Connect())
        {
            c.Send(partial);
            await Task.Delay(50);
        }

        await server.WaitForNoConnectionsAsync();
        using RawConnection d = server.Connect();
        d.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, d.ReadResponse().StatusCode);
    }

    [Fact]
    public async Task Reset_connections_and_unread_responses_leak_nothing()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        for (int i = 0; i < 20; i++)
        {
            using RawConnection c = server.Connect();
            // Ask for a large response and vanish with RST before reading it.
            c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n");
            c.Send(new byte[200_000]);
            c.Socket.LingerState = new LingerOption(true, 0);
        }

        await server.WaitForNoConnectionsAsync();
        using RawConnection d = server.Connect();
        d.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("OK", d.ReadResponse().BodyText);
    }

    [Fact]
    public async Task Slow_head_gets_408_and_is_closed()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.RequestHeadTimeout = TimeSpan.FromMilliseconds(300));
        using RawConnection c = server.Connect();
        c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal((408, "close"), (r.StatusCode, r.Header("Connection")));
        Assert.True(c.IsClosedByServer());
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Stalled_body_gets_408_and_is_closed()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.BodyReadTimeout = TimeSpan.FromMilliseconds(300));
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
        RawResponse r = c.ReadResponse();
        Assert.Equal((408, "close"), (r.StatusCode, r.Header("Connection")));
        Assert.True(c.IsClosedByServer());
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Idle_keep_alive_connection_is_closed_silently_after_its_timeout()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.KeepAliveTimeout = TimeSpan.FromMilliseconds(300));
        using RawConnection c = server.Connect();
        c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, c.ReadResponse().StatusCode);
        Assert.True(c.IsClosedByServer(3000), "closed without a response");
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_and_the_rest_serve()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.MaxConcurrentConnections = 2);
        using RawConnection a = server.Connect();
        using RawConnection b = server.Connect();
        a.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        b.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, a.ReadResponse().StatusCode);
        Assert.Equal(200, b.ReadResponse().StatusCode);
        using RawConnection third = server.Connect();
        Assert.True(third.IsClosedByServer(), "the third connection is closed at once");
    }

    [Fact]
    public async Task Graceful_stop_finishes_in_flight_requests_and_closes_idle_ones()
    {
        RunningServer server = await RunningServer.StartAsync();
        using RawConnection idle = server.Connect();
        idle.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, idle.ReadResponse().StatusCode);

        using RawConnection busy = server.Connect();
        busy.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nhal");
        await Task.Delay(100);
        Task stopping = server.Server.StopAsync();
        await Task.Delay(100);
        busy.Send("f!!");
        RawResponse r = busy.ReadResponse();
        Assert.Equal(("half!!", "close"), (r.BodyText, r.Header("Connection")));
        await stopping;
        Assert.True(idle.IsClosedByServer());
        Assert.Equal(0, server.Server.ConnectionCount);
        await server.DisposeAsync();
    }
}
