using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// Plain connections on the client's epoll engine (the default on Linux) and on .NET's sockets
/// (<see cref="HttpGenClientOptions.UseEpoll"/> false): the same behaviour where the two differ inside (waiting for
/// data without a system call, the idle check without a poll, sends that wait for the socket to drain, cancellation of
/// a pending operation).
/// </summary>
public sealed class ClientEngineTests : ClientTestBase
{
    private void UseEngine(bool epoll) =>
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { UseEpoll = epoll });

    /// <summary>
    /// A close-delimited body whose last bytes and FIN are seen in one readiness event: the read that takes the bytes
    /// comes back short, yet the end is still to be received, and no later event will say so.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Close_delimited_bodies_end_when_the_FIN_comes_with_the_last_bytes(bool epoll)
    {
        UseEngine(epoll);
        for (int i = 0; i < 40; i++)
        {
            int size = 1 + (i * 997 % 20_000);
            await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request($"/close?size={size}"), timeout: TimeSpan.FromSeconds(20));
            ReadOnlyMemory<byte> body = await response.ReadAllAsync();
            Assert.Equal(RawHttpServer.Body(size), body.ToArray());
        }

        Assert.Equal(40, Server.TotalConnections);
    }

    /// <summary>
    /// Bytes that arrive on an idle connection keep it out of the pool for a GET too (which may skip the poll when the
    /// engine saw no event): reusing it would read them as the GET's response.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stray_bytes_on_an_idle_connection_keep_it_out_of_the_pool_for_a_GET(bool epoll)
    {
        UseEngine(epoll);
        Assert.Equal((200, "hello", 1), await GetAsync("/stray-later?ms=20"));
        await Task.Delay(300); // the stray response arrives 20 ms after the first one

        var next = await GetAsync("/slow?ms=1");
        Assert.Equal((200, "hello", 1), next);
        Assert.Equal(2, Server.TotalConnections);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_idle_connection_the_server_closed_is_replaced_for_a_GET_and_for_a_POST(bool epoll)
    {
        UseEngine(epoll);
        await GetAsync("/cl");
        Assert.Equal(1, Server.CloseIdleConnections());
        await Task.Delay(50);
        Assert.Equal((200, "hello", 1), await GetAsync("/cl"));

        Assert.Equal(1, Server.CloseIdleConnections());
        await Task.Delay(50);
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), "data"u8.ToArray()))
        {
            Assert.Equal("data", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
            Assert.Equal(1, response.Head.ConnectionRequest);
        }

        Assert.Equal(3, Server.TotalConnections);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Keep_alive_exchanges_reuse_one_connection(bool epoll)
    {
        UseEngine(epoll);
        for (int i = 1; i <= 200; i++)
        {
            Assert.Equal((200, "hello", i), await GetAsync("/cl"));
        }

        Assert.Equal(1, Server.TotalConnections);
        Assert.Equal(1, Client.GetIdleConnectionCount(Origin));
    }

    /// <summary>A body far larger than the socket buffers: the send waits for the socket to drain, several times.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_larger_than_the_socket_buffers_is_sent_as_the_server_reads_it(bool epoll)
    {
        UseEngine(epoll);
        byte[] payload = RawHttpServer.Body(24 * 1024 * 1024);
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), payload, timeout: TimeSpan.FromSeconds(60));
        ReadOnlyMemory<byte> echoed = await response.ReadAllAsync();
        Assert.True(payload.AsSpan().SequenceEqual(echoed.Span));
    }

    /// <summary>A server that accepts (in the kernel's backlog) but never reads: the pending send ends at the timeout.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_send_the_server_never_takes_ends_with_the_request_timeout(bool epoll)
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(4);
        await using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { UseEpoll = epoll });
        var origin = new HttpOrigin("127.0.0.1", ((IPEndPoint)silent.LocalEndPoint!).Port);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () =>
            await client.SendAsync(origin, Request("/echo", RequestMethod.Post), new byte[64 * 1024 * 1024], timeout: TimeSpan.FromMilliseconds(500)));
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
        Assert.InRange(watch.ElapsedMilliseconds, 400, 10_000);
        Assert.Equal(0, client.OpenConnections);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_refused_connection_is_a_connect_error(bool epoll)
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening: refused
            await using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { UseEpoll = epoll });
            var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await client.SendAsync(new HttpOrigin("127.0.0.1", port), Request("/")));
            Assert.Equal(HttpClientErrorKind.ConnectFailed, e.Kind);
            Assert.Equal(0, client.GetConnectionCount(new HttpOrigin("127.0.0.1", port)));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cancellation_while_waiting_for_the_response_closes_only_that_connection(bool epoll)
    {
        UseEngine(epoll);
        using var cts = new CancellationTokenSource(150);
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Client.SendAsync(Origin, Request("/slow?ms=3000"), cancellationToken: cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Equal((200, "hello", 1), await GetAsync("/cl"));
        Assert.Equal(1, Client.OpenConnections);
    }

    /// <summary>Many connections at once through the engine, each with its own exchanges, none mixed up.</summary>
    [Fact]
    public async Task Concurrent_connections_keep_their_own_responses()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 16 });
        Task[] loops = Enumerable.Range(0, 16).Select(async n =>
        {
            for (int i = 0; i < 30; i++)
            {
                int size = 1 + ((n * 31) + (i * 17)) % 3000;
                await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request($"/slow?ms=1&size={size}"));
                Assert.Equal(RawHttpServer.Body(size), (await response.ReadAllAsync()).ToArray());
            }
        }).ToArray();
        await Task.WhenAll(loops);
        Assert.Equal(480, Server.Requests);
        Assert.InRange(Server.TotalConnections, 1, 16);
    }
}
