using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>Malformed input gets its status code and a closed connection; nothing after a framing error is processed.</summary>
public class ErrorTests
{
    public static TheoryData<string, int> BadRequests => new()
    {
        { "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400 },
        { "GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400 },
        { "GET / HTTP/1.1\r\n\r\n", 400 },
        { "GET /" + new string('a', 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414 },
        { "GET / HTTP/1.1\r\nHost: t\r\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"X-{i}: v\r\n")) + "\r\n", 431 },
        { "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + new string('b', 40_000) + "\r\n\r\n", 431 },
        { "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: br\r\n\r\n", 501 },
        { new string('M', 100_000) + " / HTTP/1.1\r\nHost: t\r\n\r\n", 501 }, // a method longer than any is not a long URI
        { "GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Each_error_gets_its_status_and_the_connection_closes(string request, int status)
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        // A valid request after the bad one must never be answered: nothing after a framing error is processed.
        c.Send(request + "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("close", r.Header("Connection"));
        Assert.True(c.IsClosedByServer(), "closed after the error response");
        Assert.Equal(1, server.Server.RejectedRequests);
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Declared_body_over_the_limit_is_413()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.MaxRequestBodySize = 1000);
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal(413, r.StatusCode);
        Assert.True(c.IsClosedByServer());
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.MaxRequestBodySize = 1000);
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + new string('a', 1000) + "\r\n1\r\nb\r\n0\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal(413, r.StatusCode);
        Assert.True(c.IsClosedByServer());
    }

    [Fact]
    public async Task Malformed_chunk_framing_is_400_and_nothing_after_it_runs()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        // A bare LF in chunk framing: the request-smuggling class of CVE-2025-55315.
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal(400, r.StatusCode);
        Assert.True(c.IsClosedByServer());
    }

    private sealed class ThrowingHandler : IHttpHandler<EchoRequest, EchoResponse>
    {
        private readonly EchoHandler _inner = new();

        public ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken) =>
            request.Path.SequenceEqual("/boom"u8)
                ? throw new InvalidOperationException("handler bug")
                : _inner.HandleAsync(request, response, requestBody, responseBody, cancellationToken);
    }

    [Fact]
    public async Task Handler_exception_is_500_and_the_server_keeps_serving()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new ThrowingHandler());
        using (RawConnection c = server.Connect())
        {
            c.Send("GET /boom HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = c.ReadResponse();
            Assert.Equal((500, "close"), (r.StatusCode, r.Header("Connection")));
            Assert.True(c.IsClosedByServer());
        }

        using RawConnection d = server.Connect();
        d.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("Hello, World!", d.ReadResponse().BodyText);
    }
}
