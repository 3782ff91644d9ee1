using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>The client against a real nginx: framings, HEAD, request bodies both ways, and pooling seen in its access log.</summary>
public sealed class NginxClientTests(NginxFixture nginx) : IClassFixture<NginxFixture>, IAsyncDisposable, Xunit.IAsyncLifetime
{
    private readonly HttpGenClient<ClientTestRequest, ClientTestResponse> _client = new();
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    private HttpOrigin Origin => new("127.0.0.1", nginx.Port);

    private ClientTestRequest Request(string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = "localhost"u8 };

    /// <summary>A query marker unique to this test, to find its requests in the shared access log.</summary>
    private string Mark(string target) => target + (target.Contains('?') ? "&" : "?") + "run=" + _run;

    [NginxFact]
    public async Task Static_file_with_Content_Length()
    {
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/static.txt"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, nginx.StaticFile.Length), response.BodyFraming);
        Assert.StartsWith("nginx", response.Head.Server);
        Assert.Equal(nginx.StaticFile, (await response.ReadAllAsync()).ToArray());
    }

    [NginxFact]
    public async Task HEAD_has_no_body_and_the_connection_is_reused()
    {
        await using (HttpGenResponse<ClientTestResponse> head = await _client.SendAsync(Origin, Request(Mark("/static.txt"), RequestMethod.Head)))
        {
            Assert.Equal(200, head.StatusCode);
            Assert.Equal(nginx.StaticFile.Length, head.Head.ContentLength);
            Assert.Equal(BodyKind.None, head.BodyFraming.Kind);
            Assert.True(head.IsBodyComplete);
        }

        HttpGenResult get = await _client.SendAndReadAsync(Origin, Request(Mark("/small.txt")), new byte[64]);
        Assert.Equal(new HttpGenResult(200, 12), get);
        Assert.Single((await nginx.ConnectionsOfAsync(_run, 2)).Distinct());
    }

    [NginxFact]
    public async Task SSI_page_is_chunked()
    {
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/ssi/page.html"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(BodyKind.Chunked, response.BodyFraming.Kind);
        string body = NginxFixture.Text(await response.ReadAllAsync());
        Assert.StartsWith("<p>hello world</p>\n", body);
        Assert.Contains(new string('x', 5000), body);
    }

    [NginxFact]
    public async Task Proxied_chunked_response_is_chunked()
    {
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/upstream/chunked?size=50000&chunk=1000&piece=3000"));
        Assert.Equal(BodyKind.Chunked, response.BodyFraming.Kind);
        Assert.Equal(RawHttpServer.Body(50_000), (await response.ReadAllAsync()).ToArray());
    }

    [NginxFact]
    public async Task Plaintext_from_return()
    {
        byte[] buffer = new byte[64];
        HttpGenResult result = await _client.SendAndReadAsync(Origin, Request("/plaintext"), buffer);
        Assert.Equal(new HttpGenResult(200, 13), result);
        Assert.Equal("Hello, World!", Encoding.ASCII.GetString(buffer, 0, 13));
    }

    [NginxFact]
    public async Task POST_with_Content_Length_is_proxied_and_echoed()
    {
        byte[] payload = RawHttpServer.Body(70_000);
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/echo", RequestMethod.Post), payload);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(payload, (await response.ReadAllAsync()).ToArray());
    }

    [NginxFact]
    public async Task POST_with_a_chunked_body_is_proxied_and_echoed()
    {
        byte[] part = RawHttpServer.Body(10_000);
        HttpRequestContent content = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            for (int i = 0; i < 5; i++)
            {
                await writer.WriteAsync(part, token);
            }
        });

        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/echo", RequestMethod.Post), content);
        Assert.Equal(200, response.StatusCode);
        byte[] echoed = (await response.ReadAllAsync()).ToArray();
        Assert.Equal(50_000, echoed.Length);
        Assert.Equal(Enumerable.Repeat(part, 5).SelectMany(p => p).ToArray(), echoed);
    }

    [NginxFact]
    public async Task POST_bodies_to_a_return_location_keep_the_connection()
    {
        var discard = Mark("/discard");
        Assert.Equal(new HttpGenResult(204, 0), await _client.SendAndReadAsync(Origin, Request(discard, RequestMethod.Post), new byte[1], RawHttpServer.Body(3000)));
        HttpRequestContent chunked = HttpRequestContent.FromWriter((writer, token) => writer.WriteAsync(RawHttpServer.Body(2000), token));
        Assert.Equal(new HttpGenResult(204, 0), await _client.SendAndReadAsync(Origin, Request(discard, RequestMethod.Post), new byte[1], chunked));
        Assert.Equal(new HttpGenResult(200, 13), await _client.SendAndReadAsync(Origin, Request(Mark("/plaintext")), new byte[64]));
        string[] connections = await nginx.ConnectionsOfAsync(_run, 3);
        Assert.Equal(3, connections.Length);
        Assert.Single(connections.Distinct());
    }

    [NginxFact]
    public Task A_hundred_sequential_requests_use_one_connection() =>
        nginx.AssertAHundredRequestsOnOneConnectionAsync(_client, Origin, _run);

    [NginxFact]
    public async Task Concurrent_requests_use_at_most_six_connections()
    {
        int before = nginx.Upstream.TotalConnections;
        Task<HttpGenResult>[] requests = Enumerable.Range(0, 30)
            .Select(_ => _client.SendAndReadAsync(Origin, Request(Mark("/upstream/slow?ms=40")), new byte[16]).AsTask())
            .ToArray();
        HttpGenResult[] results = await Task.WhenAll(requests);
        Assert.All(results, r => Assert.Equal(new HttpGenResult(200, 5), r));
        Assert.InRange((await nginx.ConnectionsOfAsync(_run, 30)).Distinct().Count(), 1, 6);
        Assert.Equal(6, _client.ConnectionsOpened);
        Assert.True(nginx.Upstream.TotalConnections >= before);
    }

    // xunit 2 disposes test classes through IAsyncLifetime only.
    Task Xunit.IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task Xunit.IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
