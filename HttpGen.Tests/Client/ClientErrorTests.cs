using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>Bad servers: each gives a clear error, the bad connection is closed, and the next request works.</summary>
public sealed class ClientBadServerTests : ClientTestBase
{
    private async Task AssertPoolHealthyAsync()
    {
        var next = await GetAsync("/cl");
        Assert.Equal((200, "hello", 1), (next.Status, next.Body, next.ConnectionRequest));
        Assert.Equal(1, Client.OpenConnections);
    }

    [Fact]
    public async Task Malformed_status_line()
    {
        var e = await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync("/bad-status"));
        Assert.Equal(ParseErrorKind.InvalidStatusLine, e.ErrorKind);
        Assert.Equal(12, e.Offset);
        Assert.False(e.IsBodyError);
        Assert.Equal(HttpClientErrorKind.InvalidResponse, e.Kind);
        Assert.Contains("malformed status line", e.Message);
        Assert.Contains(Origin.ToString(), e.Message);
        await AssertPoolHealthyAsync();
    }

    [Fact]
    public async Task Duplicate_Content_Length()
    {
        var e = await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync("/dup-cl"));
        Assert.Equal(ParseErrorKind.DuplicateContentLength, e.ErrorKind);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: ".Length, e.Offset);
        await AssertPoolHealthyAsync();
    }

    [Fact]
    public async Task Bare_LF_in_a_chunk_size_line()
    {
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/bare-lf-chunk")))
        {
            Assert.Equal(200, response.StatusCode);
            var e = await Assert.ThrowsAsync<HttpResponseException>(async () => await response.ReadAllAsync());
            Assert.Equal(ParseErrorKind.InvalidLineEnding, e.ErrorKind);
            Assert.Equal(1, e.Offset);
            Assert.True(e.IsBodyError);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await response.ReadAsync(new byte[10]));
        }

        await AssertPoolHealthyAsync();
    }

    [Fact]
    public async Task Connection_closed_in_the_middle_of_the_body()
    {
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/close-mid-body")))
        {
            var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await response.ReadAllAsync());
            Assert.Equal(HttpClientErrorKind.ConnectionClosed, e.Kind);
            Assert.Contains("after 10 of 100 bytes", e.Message);
        }

        await AssertPoolHealthyAsync();
    }

    [Fact]
    public async Task Head_over_the_limits()
    {
        var e = await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync("/huge-head"));
        Assert.Equal(431, e.ParseError.StatusCode); // HeaderFieldTooLarge or HeadersTooLarge, whichever limit the parser meets first
        await AssertPoolHealthyAsync();
    }

    [Fact]
    public async Task Bytes_after_the_body_keep_the_connection_out_of_the_pool()
    {
        Assert.Equal("hello", (await GetAsync("/trailing-garbage")).Body);
        await AssertPoolHealthyAsync();
        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task Declared_body_over_the_limit()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxResponseBodySize = 1000 });
        var e = await Assert.ThrowsAsync<HttpGenClientException>(() => GetAsync("/cl?size=1001"));
        Assert.Equal(HttpClientErrorKind.ResponseBodyTooLarge, e.Kind);
        var e2 = await Assert.ThrowsAsync<HttpGenClientException>(() => GetAsync("/chunked?size=1001&chunk=100"));
        Assert.Equal(HttpClientErrorKind.ResponseBodyTooLarge, e2.Kind);
        Assert.Equal(1000, (await GetAsync("/cl?size=1000")).Body.Length);
    }
}

/// <summary>Name resolution and connecting.</summary>
public sealed class ClientConnectTests : IAsyncDisposable, Xunit.IAsyncLifetime
{
    private readonly RawHttpServer _server = new();
    private readonly HttpGenClient<ClientTestRequest, ClientTestResponse> _client = new(new HttpGenClientOptions { ConnectTimeout = TimeSpan.FromSeconds(5) });

    private static ClientTestRequest Request(HttpOrigin origin) => new() { Target = "/cl"u8, Host = origin.HostHeader.Span };

    [Fact]
    public async Task Localhost_resolves_and_connects()
    {
        var origin = new HttpOrigin("localhost", _server.Port);
        Assert.Equal($"http://localhost:{_server.Port}", origin.ToString());
        for (int i = 0; i < 3; i++)
        {
            HttpGenResult result = await _client.SendAndReadAsync(origin, Request(origin), new byte[16]);
            Assert.Equal(new HttpGenResult(200, 5), result);
        }

        Assert.Equal(1, _server.TotalConnections);
    }

    [Fact]
    public async Task IPv6_loopback_literal_connects_when_available()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return; // nothing to test on a host without IPv6
        }

        RawHttpServer v6;
        try
        {
            v6 = new RawHttpServer(IPAddress.IPv6Loopback);
        }
        catch (SocketException)
        {
            return; // ::1 not configured
        }

        await using (v6)
        {
            var origin = HttpOrigin.Parse($"http://[::1]:{v6.Port}/ignored");
            Assert.Equal(IPAddress.IPv6Loopback, origin.Address);
            Assert.Equal($"[::1]:{v6.Port}", System.Text.Encoding.ASCII.GetString(origin.HostHeader.Span));
            Assert.Equal(new HttpGenResult(200, 5), await _client.SendAndReadAsync(origin, Request(origin), new byte[16]));
        }
    }

    [Fact]
    public async Task Unresolvable_name_fails_fast_with_a_clear_error()
    {
        var origin = new HttpOrigin("nonexistent.invalid", 80);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await _client.SendAsync(origin, Request(origin)));
        Assert.Equal(HttpClientErrorKind.NameResolution, e.Kind);
        Assert.Contains("nonexistent.invalid", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Refused_connection_is_a_connect_error_and_frees_its_slot()
    {
        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var origin = new HttpOrigin("127.0.0.1", closedPort);
        for (int i = 0; i < 8; i++)
        {
            var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await _client.SendAsync(origin, Request(origin)));
            Assert.Equal(HttpClientErrorKind.ConnectFailed, e.Kind);
            Assert.Contains("127.0.0.1", e.Message);
        }

        Assert.Equal(0, _client.GetConnectionCount(origin));
    }

    [Fact]
    public void Origins_are_validated()
    {
        Assert.Throws<NotSupportedException>(() => HttpOrigin.Parse("ftp://example.com/"));
        Assert.Throws<NotSupportedException>(() => new HttpOrigin("ws", "example.com"));
        Assert.Throws<ArgumentException>(() => new HttpOrigin("bad host"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpOrigin("example.com", 0));
        Assert.Equal(new HttpOrigin("EXAMPLE.com"), HttpOrigin.Parse("http://example.com/x?y"));
        Assert.Equal("example.com", System.Text.Encoding.ASCII.GetString(HttpOrigin.Parse("http://example.com/").HostHeader.Span));
        Assert.Equal("http://127.0.0.1:8080", HttpOrigin.Parse("http://127.0.0.1:8080/plaintext").ToString());
    }

    [Fact]
    public void Https_origins_have_their_own_default_port_and_pool_key()
    {
        HttpOrigin https = HttpOrigin.Parse("https://Example.com/x");
        Assert.True(https.IsHttps);
        Assert.Equal(("https", "example.com", 443), (https.Scheme, https.Host, https.Port));
        Assert.Equal("https://example.com", https.ToString());
        Assert.Equal("example.com", System.Text.Encoding.ASCII.GetString(https.HostHeader.Span));
        Assert.Equal(https, new HttpOrigin("HTTPS", "example.com"));
        Assert.Equal("example.com:8443", System.Text.Encoding.ASCII.GetString(new HttpOrigin("https", "example.com", 8443).HostHeader.Span));

        // Same host and port, other scheme: another origin, so another pool.
        var http443 = new HttpOrigin("example.com", 443);
        Assert.NotEqual(https, http443);
        Assert.Equal("example.com:443", System.Text.Encoding.ASCII.GetString(http443.HostHeader.Span));
        Assert.False(http443.IsHttps);
        Assert.Equal(80, new HttpOrigin("http", "example.com").Port);
    }

    // xunit 2 disposes test classes through IAsyncLifetime only.
    Task Xunit.IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task Xunit.IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}

/// <summary>Timeouts and cancellation.</summary>
public sealed class ClientTimeoutTests : ClientTestBase
{
    private async Task AssertPoolHealthyAsync() => Assert.Equal("hello", (await GetAsync("/cl")).Body);

    [Fact]
    public async Task Request_timeout_while_waiting_for_the_head()
    {
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () =>
            await Client.SendAsync(Origin, Request("/slow?ms=3000"), timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
        Assert.InRange(watch.ElapsedMilliseconds, 150, 2000);
        await AssertPoolHealthyAsync();
        Assert.Equal(1, Client.OpenConnections);
    }

    [Fact]
    public async Task Request_timeout_while_reading_the_body()
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/stall-body?ms=3000"), timeout: TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await response.ReadAllAsync());
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
    }

    [Fact]
    public async Task Default_request_timeout_comes_from_the_options()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        var e = await Assert.ThrowsAsync<HttpGenClientException>(() => GetAsync("/slow?ms=3000"));
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
    }

    [Fact]
    public async Task Queue_timeout()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 1, QueueTimeout = TimeSpan.FromMilliseconds(150) });
        Task busy = GetAsync("/slow?ms=2500");
        await WaitForServerRequestsAsync(1); // the busy request holds the only connection
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(() => GetAsync("/cl"));
        Assert.Equal(HttpClientErrorKind.QueueTimeout, e.Kind);
        Assert.InRange(watch.ElapsedMilliseconds, 100, 2000);
        await busy;
        await AssertPoolHealthyAsync();
        Assert.Equal(1, Server.TotalConnections);
    }

    [Fact]
    public async Task Request_timeout_shorter_than_the_queue_timeout_applies_in_the_queue()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 1 });
        Task busy = GetAsync("/slow?ms=800");
        await WaitForServerRequestsAsync(1); // the busy request holds the only connection
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await Client.SendAsync(Origin, Request("/cl"), timeout: TimeSpan.FromMilliseconds(150)));
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
        await busy;
    }

    [Fact]
    public async Task Cancellation_while_queued()
    {
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = 1 });
        Task busy = GetAsync("/slow?ms=600");
        await WaitForServerRequestsAsync(1); // the busy request holds the only connection
        using var cts = new CancellationTokenSource(100);
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Client.SendAsync(Origin, Request("/cl"), cancellationToken: cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
        await busy;
        await AssertPoolHealthyAsync();
        Assert.Equal(1, Server.TotalConnections); // the canceled waiter did not take the slot
    }

    [Fact]
    public async Task Cancellation_while_waiting_for_the_response()
    {
        using var cts = new CancellationTokenSource(150);
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Client.SendAsync(Origin, Request("/slow?ms=3000"), cancellationToken: cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
        await AssertPoolHealthyAsync();
        Assert.Equal(1, Client.OpenConnections);
    }

    [Fact]
    public async Task Cancellation_of_a_body_read()
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/stall-body?ms=3000"));
        using var cts = new CancellationTokenSource(150);
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await response.ReadAllAsync(cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
    }

    [Fact]
    public async Task Already_canceled_token()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Client.SendAsync(Origin, Request("/cl"), cancellationToken: new CancellationToken(true)));
        Assert.Equal(0, Server.Requests);
    }
}
