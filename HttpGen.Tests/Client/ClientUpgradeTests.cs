using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// Upgrade and CONNECT: on 101 (or 2xx to CONNECT) the caller takes the connection over as a stream that yields first
/// the bytes that came with the response head; the connection leaves the pool. Against the raw server, which answers
/// 101 with <c>HELLO</c> in the same write and then echoes, over plain TCP and over TLS.
/// </summary>
public sealed class ClientUpgradeTests : IAsyncDisposable, IAsyncLifetime
{
    private RawHttpServer _server = null!;
    private HttpGenClient<ClientTestRequest, ClientTestResponse> _client = null!;
    private HttpOrigin _origin = null!;

    /// <summary>Starts the server (TLS or not) and a client with one connection per origin.</summary>
    private void Use(bool tls)
    {
        _server = tls ? new RawHttpServer(certificate: TestCertificates.Server) : new RawHttpServer();
        _client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions
        {
            MaxConnectionsPerHost = 1,
            ServerCertificateValidation = tls ? TestCertificates.TrustTestServer : null,
        });
        _origin = new HttpOrigin(tls ? "https" : "http", "localhost", _server.Port);
    }

    private static ClientTestRequest Request(string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = "localhost"u8 };

    private static async Task<string> ReadExactlyAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_101_the_connection_is_handed_over_with_the_bytes_that_came_with_the_head(bool tls)
    {
        Use(tls);
        HttpGenResponse<ClientTestResponse> response = await _client.SendUpgradeAsync(_origin, Request("/upgrade"), "echo");
        Assert.Equal(101, response.StatusCode);
        Assert.Equal("echo", response.Head.Upgrade);
        Assert.True(response.IsBodyComplete);

        await using (Stream stream = response.TakeOverConnection())
        {
            Assert.Throws<ObjectDisposedException>(() => response.StatusCode);
            await response.DisposeAsync(); // does nothing now: the connection is the stream's

            Assert.Equal("HELLO", await ReadExactlyAsync(stream, 5));
            await stream.WriteAsync("ping"u8.ToArray());
            Assert.Equal("ping", await ReadExactlyAsync(stream, 4));
            byte[] big = RawHttpServer.Body(100_000);
            Task write = stream.WriteAsync(big).AsTask();
            Assert.Equal(Encoding.ASCII.GetString(big), await ReadExactlyAsync(stream, big.Length));
            await write;

            // Out of the pool for good: its slot is free, so another request gets a connection of its own.
            Assert.Equal(0, _client.OpenConnections);
            Assert.Equal(0, _client.GetConnectionCount(_origin));
            await using HttpGenResponse<ClientTestResponse> next = await _client.SendAsync(_origin, Request("/cl"));
            Assert.Equal(1, next.Head.ConnectionRequest);
            Assert.Equal("hello", Encoding.ASCII.GetString((await next.ReadAllAsync()).Span));
        }

        string head = _server.RequestHeads.First();
        Assert.Contains("\r\nUpgrade: echo\r\n", head);
        Assert.Contains("\r\nConnection: upgrade\r\n", head);
        Assert.Equal(2, _client.ConnectionsOpened);
        Assert.True(await _server.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(5)), "disposing the stream closes the upgraded connection (the other one stays in the pool)");
    }

    [Fact]
    public async Task A_request_waiting_for_the_only_slot_gets_it_when_the_connection_is_taken_over()
    {
        Use(tls: false);
        HttpGenResponse<ClientTestResponse> response = await _client.SendUpgradeAsync(_origin, Request("/upgrade"), "echo");
        Task<HttpGenResult> queued = _client.SendAndReadAsync(_origin, Request("/cl"), new byte[16]).AsTask();
        await Task.Delay(100);
        Assert.False(queued.IsCompleted); // MaxConnectionsPerHost = 1, held by the upgrade

        using Stream stream = response.TakeOverConnection();
        Assert.Equal(new HttpGenResult(200, 5), await queued.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("HELLO", await ReadExactlyAsync(stream, 5));
    }

    [Fact]
    public async Task The_request_timeout_does_not_follow_the_connection_into_the_stream()
    {
        _server = new RawHttpServer();
        _client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        _origin = new HttpOrigin("localhost", _server.Port);
        HttpGenResponse<ClientTestResponse> response = await _client.SendUpgradeAsync(_origin, Request("/upgrade"), "echo");
        await using Stream stream = response.TakeOverConnection();
        await Task.Delay(3000);
        await stream.WriteAsync("late"u8.ToArray());
        Assert.Equal("HELLOlate", await ReadExactlyAsync(stream, 9));
    }

    [Fact]
    public async Task An_upgrade_the_server_declines_is_an_ordinary_response()
    {
        Use(tls: false);
        await using (HttpGenResponse<ClientTestResponse> response = await _client.SendUpgradeAsync(_origin, Request("/cl"), "echo"))
        {
            Assert.Equal(200, response.StatusCode);
            Assert.Throws<InvalidOperationException>(() => response.TakeOverConnection());
            Assert.Equal("hello", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
        }

        // The connection went back to the pool as usual.
        await using HttpGenResponse<ClientTestResponse> next = await _client.SendAsync(_origin, Request("/cl"));
        Assert.Equal(2, next.Head.ConnectionRequest);
    }

    [Fact]
    public async Task A_101_that_is_not_taken_over_closes_its_connection()
    {
        Use(tls: false);
        await using (HttpGenResponse<ClientTestResponse> response = await _client.SendUpgradeAsync(_origin, Request("/upgrade"), "echo"))
        {
            Assert.Equal(101, response.StatusCode);
        }

        Assert.Equal(0, _client.OpenConnections);
        await using HttpGenResponse<ClientTestResponse> next = await _client.SendAsync(_origin, Request("/cl"));
        Assert.Equal(1, next.Head.ConnectionRequest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CONNECT_answered_2xx_is_a_tunnel(bool tls)
    {
        Use(tls);
        ClientTestRequest request = Request("example.com:443", RequestMethod.Connect);
        HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(_origin, request);
        Assert.Equal(200, response.StatusCode);
        await using Stream tunnel = response.TakeOverConnection();
        await tunnel.WriteAsync("through the tunnel"u8.ToArray());
        Assert.Equal("through the tunnel", await ReadExactlyAsync(tunnel, 18));
        Assert.StartsWith("CONNECT example.com:443 HTTP/1.1\r\n", _server.RequestHeads.First());
    }

    [Fact]
    public async Task The_protocol_must_be_a_token_list()
    {
        Use(tls: false);
        foreach (string bad in new[] { "", " ", "web socket", "a\r\nX-Injected: 1", "echo/", "/1", "é" })
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await _client.SendUpgradeAsync(_origin, Request("/upgrade"), bad));
        }

        await using HttpGenResponse<ClientTestResponse> ok = await _client.SendUpgradeAsync(_origin, Request("/cl"), "websocket, h2c, foo/1.1");
        Assert.Contains("\r\nUpgrade: websocket, h2c, foo/1.1\r\n", _server.RequestHeads.First());
        Assert.Equal(0, _server.RequestHeads.Count(h => h.Contains("X-Injected")));
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
