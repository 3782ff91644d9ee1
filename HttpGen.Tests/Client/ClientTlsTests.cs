using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// The client over TLS against a small .NET TLS server (<see cref="RawHttpServer"/> with a certificate) that can
/// misbehave on purpose, and against listeners that do not speak TLS at all.
/// </summary>
public sealed class ClientTlsTests : IAsyncDisposable, IAsyncLifetime
{
    private readonly RawHttpServer _server = new(certificate: TestCertificates.Server);
    private readonly HttpGenClient<ClientTestRequest, ClientTestResponse> _client =
        new(new HttpGenClientOptions { ServerCertificateValidation = TestCertificates.TrustTestServer, RequestTimeout = TimeSpan.FromSeconds(20) });

    private HttpOrigin Origin => new("https", "localhost", _server.Port);

    private static ClientTestRequest Request(string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = "localhost"u8 };

    private async Task<(int Status, string Body, int? ConnectionRequest)> SendAsync(string target, RequestMethod method = RequestMethod.Get, HttpRequestContent content = default)
    {
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request(target, method), content);
        ReadOnlyMemory<byte> body = await response.ReadAllAsync();
        return (response.StatusCode, Encoding.Latin1.GetString(body.Span), response.Head.ConnectionRequest);
    }

    [Fact]
    public async Task Requests_reuse_one_TLS_connection()
    {
        for (int i = 1; i <= 20; i++)
        {
            Assert.Equal((200, "hello", i), await SendAsync("/cl"));
        }

        var chunked = await SendAsync("/chunked?size=30000&chunk=1000");
        Assert.Equal(RawHttpServer.Body(30000), Encoding.Latin1.GetBytes(chunked.Body));
        Assert.Equal(21, chunked.ConnectionRequest);
        Assert.Equal(1, _client.ConnectionsOpened);
    }

    [Fact]
    public async Task Bodies_both_ways_over_TLS()
    {
        byte[] payload = RawHttpServer.Body(100_000);
        var echoed = await SendAsync("/echo", RequestMethod.Post, payload);
        Assert.Equal(payload, Encoding.Latin1.GetBytes(echoed.Body));
        HttpRequestContent streamed = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            await writer.WriteAsync(payload.AsMemory(0, 50_000), token);
            await writer.WriteAsync(payload.AsMemory(50_000), token);
        });
        echoed = await SendAsync("/echo", RequestMethod.Post, streamed);
        Assert.Equal(payload, Encoding.Latin1.GetBytes(echoed.Body));
        Assert.Equal(2, echoed.ConnectionRequest);
    }

    /// <summary>
    /// A close_notify alone (the TCP connection stays open) on an idle connection makes it unusable: a POST, which is
    /// never retried, goes out on a fresh connection and succeeds.
    /// </summary>
    [Fact]
    public async Task A_close_notify_on_an_idle_connection_is_seen_before_reuse()
    {
        Assert.Equal((200, "hello", 1), await SendAsync("/close-notify"));
        await Task.Delay(500); // the server sends close_notify 50 ms after its response
        var post = await SendAsync("/echo", RequestMethod.Post, "posted"u8.ToArray());
        Assert.Equal((200, "posted", 1), post);
        Assert.Equal(2, _client.ConnectionsOpened);
    }

    /// <summary>
    /// A second response sent in the same TLS record as the first one's body stays inside the TLS stream, where a
    /// socket poll cannot see it; the connection must still not be reused, or the next request would read it.
    /// </summary>
    [Fact]
    public async Task Bytes_after_the_body_held_inside_the_TLS_stream_keep_the_connection_out_of_the_pool()
    {
        byte[] body = new byte[6000];
        await using (HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/stray-after-body?size=6000")))
        {
            Assert.Equal(6000, await response.ReadToEndAsync(body));
            Assert.True(response.IsBodyComplete);
        }

        Assert.Equal(RawHttpServer.Body(6000), body);
        Assert.Equal((200, "hello", 1), await SendAsync("/cl"));
        Assert.Equal(2, _client.ConnectionsOpened);
    }

    [Fact]
    public async Task A_handshake_that_stalls_fails_with_ConnectTimeout_after_the_connect_timeout()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(4); // accepts at the TCP level (backlog), never answers the ClientHello
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(500) });
        var origin = new HttpOrigin("https", "127.0.0.1", ((IPEndPoint)silent.LocalEndPoint!).Port);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await client.SendAsync(origin, Request("/")));
        Assert.Equal(HttpClientErrorKind.ConnectTimeout, e.Kind);
        Assert.Contains("TLS handshake", e.Message);
        Assert.InRange(watch.ElapsedMilliseconds, 400, 10_000);
        Assert.Equal(0, client.GetConnectionCount(origin));
    }

    [Fact]
    public async Task A_handshake_that_stalls_past_the_request_timeout_fails_with_RequestTimeout()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(4);
        var origin = new HttpOrigin("https", "127.0.0.1", ((IPEndPoint)silent.LocalEndPoint!).Port);
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await _client.SendAsync(origin, Request("/"), timeout: TimeSpan.FromMilliseconds(500)));
        Assert.Equal(HttpClientErrorKind.RequestTimeout, e.Kind);
        Assert.Contains("TLS handshake", e.Message);
    }

    [Fact]
    public async Task A_server_that_does_not_speak_TLS_fails_the_handshake()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        Task answer = Task.Run(async () =>
        {
            using Socket accepted = await listener.AcceptAsync();
            await accepted.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            accepted.Shutdown(SocketShutdown.Both);
        });

        var origin = new HttpOrigin("https", "127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port);
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await _client.SendAsync(origin, Request("/")));
        Assert.Equal(HttpClientErrorKind.TlsHandshakeFailed, e.Kind);
        Assert.Contains(origin.ToString(), e.Message);
        await answer;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}
