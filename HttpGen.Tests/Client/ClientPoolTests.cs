using System.Diagnostics;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>Connection pooling, observed from the server side.</summary>
public sealed class ClientPoolTests : ClientTestBase
{
    [Fact]
    public async Task Fifty_concurrent_requests_to_a_slow_endpoint_use_at_most_six_connections()
    {
        Task<(int, string, int?)>[] requests = Enumerable.Range(0, 50).Select(_ => GetAsync("/slow?ms=60")).ToArray();
        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.Equal((200, "hello"), (r.Item1, r.Item2)));
        Assert.Equal(6, Server.MaxConcurrentConnections);
        Assert.Equal(6, Server.TotalConnections);
        Assert.Equal(6, Client.ConnectionsOpened);
        Assert.Equal(6, Client.GetIdleConnectionCount(Origin));
    }

    [Fact]
    public async Task A_smaller_limit_is_respected()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 2 });
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => GetAsync("/slow?ms=30")));
        Assert.All(results, r => Assert.Equal(200, r.Item1));
        Assert.Equal(2, Server.MaxConcurrentConnections);
    }

    [Fact]
    public async Task A_hundred_sequential_requests_use_one_connection()
    {
        for (int i = 1; i <= 100; i++)
        {
            var r = await GetAsync("/cl");
            Assert.Equal(i, r.ConnectionRequest);
        }

        Assert.Equal(1, Server.TotalConnections);
        Assert.Equal(100, Server.Requests);
        Assert.Equal(1, Client.ConnectionsOpened);
    }

    [Fact]
    public async Task Connection_close_from_the_server_makes_the_next_request_open_a_new_connection()
    {
        Assert.Equal("hello", (await GetAsync("/connclose")).Body);
        var next = await GetAsync("/cl");
        Assert.Equal(1, next.ConnectionRequest);
        Assert.Equal(2, Server.TotalConnections);
        Assert.Equal(1, Client.OpenConnections);
    }

    [Fact]
    public async Task Idle_connection_closed_by_the_server_is_not_reused_and_the_request_succeeds()
    {
        await GetAsync("/cl");
        Assert.Equal(1, Server.CloseIdleConnections());
        await Task.Delay(50); // let the FIN arrive

        // A POST is not retried, so it succeeds only if the closed connection was detected before use.
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), "data"u8.ToArray()))
        {
            Assert.Equal("data", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
            Assert.Equal(1, response.Head.ConnectionRequest);
        }

        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task Idempotent_request_is_retried_once_when_a_reused_connection_closes_before_responding()
    {
        Assert.Equal("first", (await GetAsync("/drop-reused")).Body);

        // The server reads the request on the reused connection and closes it without a byte: the GET goes again on
        // a fresh connection, where it is the first request.
        var retried = await GetAsync("/drop-reused");
        Assert.Equal(("first", 1), (retried.Body, retried.ConnectionRequest));
        Assert.Equal(2, Server.TotalConnections);
        Assert.Equal(3, Server.Requests);
    }

    [Fact]
    public async Task Non_idempotent_request_is_not_retried()
    {
        await GetAsync("/drop-reused", RequestMethod.Post);
        var e = await Assert.ThrowsAsync<HttpGenClientException>(() => GetAsync("/drop-reused", RequestMethod.Post));
        Assert.Equal(HttpClientErrorKind.ConnectionClosed, e.Kind);
        Assert.Contains("not retried", e.Message);
        Assert.Equal(2, Server.Requests);

        Assert.Equal("hello", (await GetAsync("/cl")).Body);
    }

    [Fact]
    public async Task Idle_connections_expire()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { IdleTimeout = TimeSpan.FromMilliseconds(100) });
        await GetAsync("/cl");
        await Task.Delay(250);
        Assert.Equal(1, (await GetAsync("/cl")).ConnectionRequest);
        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task Expired_idle_connections_are_closed_without_traffic()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { IdleTimeout = TimeSpan.FromMilliseconds(100) });
        await GetAsync("/cl");
        Assert.Equal(1, Client.OpenConnections);
        Assert.True(await Server.WaitForNoConnectionsAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, Client.OpenConnections);
    }

    [Fact]
    public async Task Waiting_requests_are_served_first_in_first_out()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 1 });
        var tasks = new List<Task>();
        for (int i = 0; i < 6; i++)
        {
            tasks.Add(GetAsync($"/slow?ms=40&order={i}"));
            await Task.Delay(15); // each one queued before the next is sent
        }

        await Task.WhenAll(tasks);
        string[] order = Server.RequestHeads.Select(h => h.Split(' ')[1].Split("order=")[1]).ToArray();
        Assert.Equal(["0", "1", "2", "3", "4", "5"], order);
        Assert.Equal(1, Server.TotalConnections);
    }

    [Fact]
    public async Task Separate_origins_have_separate_pools()
    {
        await using var other = new RawHttpServer();
        var otherOrigin = new HttpOrigin("127.0.0.1", other.Port);
        await GetAsync("/cl");
        await using (HttpGenResponse<ClientTestResponse> r = await Client.SendAsync(otherOrigin, Request("/cl")))
        {
            Assert.Equal(200, r.StatusCode);
        }

        Assert.Equal(1, Client.GetConnectionCount(Origin));
        Assert.Equal(1, Client.GetConnectionCount(otherOrigin));
        Assert.Equal(2, Client.OpenConnections);
    }

    [Fact]
    public async Task Disposing_the_client_closes_idle_connections_and_fails_waiters()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 1 });
        await GetAsync("/cl");
        Task busy = GetAsync("/slow?ms=2000");
        await WaitForServerRequestsAsync(2); // the busy request holds the only connection
        Task waiting = GetAsync("/cl");
        await Task.Delay(50);
        var watch = Stopwatch.StartNew();
        Client.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.True(watch.ElapsedMilliseconds < 1500, "the waiter failed at once, not when the busy connection came back");
        await busy; // the exchange in flight completes; its connection is closed when released
        Assert.True(await Server.WaitForNoConnectionsAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => GetAsync("/cl"));
    }
}
