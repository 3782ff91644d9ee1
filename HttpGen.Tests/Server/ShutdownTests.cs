using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>Graceful stop and port sharing: what a deployment behind a load balancer relies on.</summary>
public class ShutdownTests
{
    [Fact]
    public async Task Stop_with_a_handler_that_ignores_its_token_returns_and_reports_it()
    {
        // Before the fix StopAsync threw TimeoutException here (and the EchoServer died with SIGABRT).
        var handler = new WaitingHandler { IgnoreToken = true };
        await using RunningServer server = await RunningServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300), handler);
        using RawConnection c = server.Connect();
        c.Send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var clock = Stopwatch.StartNew();
        await server.Server.StopAsync();
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.25, 5);
        Assert.Equal(1, server.Server.AbortedOnStop);
        Assert.True(c.IsClosedByServer(), "the aborted connection is still open");
    }

    [Fact]
    public async Task Stop_cancels_the_tokens_of_handlers_still_running_at_the_timeout()
    {
        var handler = new WaitingHandler();
        await using RunningServer server = await RunningServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300), handler);
        using RawConnection c = server.Connect();
        c.Send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await server.Server.StopAsync();
        Assert.True(handler.Canceled.Task.IsCompletedSuccessfully);
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Stop_closes_a_connection_holding_half_a_head_at_once()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        using RawConnection half = server.Connect();
        half.Send("GET /plaintext HTTP/1.1\r\nHo");
        using RawConnection idle = server.Connect();
        idle.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, idle.ReadResponse().StatusCode);
        await WaitUntilAsync(() => server.Server.ConnectionCount == 2);

        var clock = Stopwatch.StartNew();
        await server.Server.StopAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"stop took {clock.Elapsed}");
        Assert.True(half.IsClosedByServer(), "no handler may run on the half head, and nothing is answered");
        Assert.True(idle.IsClosedByServer());
    }

    [Fact]
    public async Task Stop_lets_an_in_flight_request_finish_with_Connection_close()
    {
        var handler = new WaitingHandler { Release = TimeSpan.FromMilliseconds(500) };
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        using RawConnection c = server.Connect();
        c.Send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Task stop = server.Server.StopAsync();
        RawResponse response = c.ReadResponse();
        await stop;
        Assert.Equal((200, "close", "done"), (response.StatusCode, response.Header("Connection"), response.BodyText));
        Assert.Equal(0, server.Server.AbortedOnStop);
    }

    [Fact]
    public async Task Without_ReusePort_a_busy_port_cannot_be_bound_twice()
    {
        await using RunningServer first = await RunningServer.StartAsync();
        var options = new HttpServerOptions();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, first.Port));
        await using var second = new HttpServer<EchoRequest, EchoResponse>(options, new EchoHandler());
        SocketException e = await Assert.ThrowsAsync<SocketException>(() => second.StartAsync());
        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
        Assert.Contains("already in use", e.Message);
    }

    [Fact]
    public async Task With_ReusePort_two_servers_share_a_port_and_both_serve()
    {
        await using RunningServer first = await RunningServer.StartAsync(o => o.ReusePort = true);
        await using RunningServer second = await RunningServer.StartAsync(o =>
        {
            o.Endpoints.Clear();
            o.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, first.Port));
            o.ReusePort = true;
        });
        Assert.Equal(first.Port, second.Port);

        // The kernel spreads new connections over the group: with enough of them, both servers get some.
        for (int i = 0; i < 200 && (first.Server.AcceptedConnections == 0 || second.Server.AcceptedConnections == 0); i++)
        {
            using RawConnection c = first.Connect();
            c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(200, c.ReadResponse().StatusCode);
        }

        Assert.True(first.Server.AcceptedConnections > 0 && second.Server.AcceptedConnections > 0);
    }

    [Fact]
    public async Task A_server_without_ReusePort_cannot_join_a_ReusePort_group()
    {
        await using RunningServer first = await RunningServer.StartAsync(o => o.ReusePort = true);
        var options = new HttpServerOptions();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, first.Port));
        await using var second = new HttpServer<EchoRequest, EchoResponse>(options, new EchoHandler());
        await Assert.ThrowsAsync<SocketException>(() => second.StartAsync());
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 5000)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.ElapsedMilliseconds > timeoutMs)
            {
                throw new Xunit.Sdk.XunitException("condition not met in time");
            }

            await Task.Delay(10);
        }
    }
}
