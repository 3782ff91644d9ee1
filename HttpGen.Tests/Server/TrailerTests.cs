using System.Text;
using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// Chunked trailers on the server: read from requests (raw sockets: no common client sends them) and written on
/// responses (raw sockets, HttpClient's TrailingHeaders, curl), with their limits and misuse. Chunk extensions are
/// validated and ignored.
/// </summary>
public class TrailerTests
{
    [Fact]
    public async Task Request_trailers_are_read_after_the_chunked_body_and_the_connection_goes_on()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerEchoHandler());
        using RawConnection c = server.Connect();
        c.Send("POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Count\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Check");
        await Task.Delay(100);
        c.Send("sum: sha256=abc\r\nX-Count:  2 \r\n\r\nGET /t HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("before=0\nbody=hello world\nX-Checksum: sha256=abc\nX-Count: 2\n", c.ReadResponse().BodyText);
        Assert.Equal("before=0\nbody=\n", c.ReadResponse().BodyText);
    }

    [Fact]
    public async Task A_chunked_body_without_trailers_has_none()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerEchoHandler());
        using RawConnection c = server.Connect();
        c.Send("POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        Assert.Equal("before=0\nbody=abc\n", c.ReadResponse().BodyText);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\n")]      // framing in the trailer section
    [InlineData("Host: elsewhere\r\n")]        // routing in the trailer section
    [InlineData("X-Bad : v\r\n")]              // white space before the colon
    [InlineData("X-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n")] // more fields than the head may have (MaxHeaderCount = 3 here)
    public async Task Malformed_or_excessive_request_trailers_get_400(string trailers)
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.ParserOptions = new ParserOptions { MaxHeaderCount = 3 }, new TrailerEchoHandler());
        using RawConnection c = server.Connect();
        c.Send($"POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n{trailers}\r\n");
        RawResponse response = c.ReadResponse();
        Assert.Equal((400, "close"), (response.StatusCode, response.Header("Connection")));
        Assert.True(c.IsClosedByServer());
    }

    [Fact]
    public async Task A_trailer_section_longer_than_the_head_limit_gets_400()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.ParserOptions = new ParserOptions { MaxHeaderBlockLength = 200 }, new TrailerEchoHandler());
        using RawConnection c = server.Connect();
        c.Send($"POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-Long: {new string('v', 300)}\r\n\r\n");
        Assert.Equal(400, c.ReadResponse().StatusCode);
    }

    [Fact]
    public async Task Chunk_extensions_are_validated_and_ignored()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerEchoHandler());
        using RawConnection c = server.Connect();
        c.Send("POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value;flag\r\nhello\r\n1 ; q=\"quoted;text\"\r\n!\r\n0;last\r\n\r\n");
        Assert.Equal("before=0\nbody=hello!\n", c.ReadResponse().BodyText);
        c.Send("POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;bad ext\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(400, c.ReadResponse().StatusCode);
    }

    [Theory]
    [InlineData(10)]       // buffered: sent chunked anyway, with the trailers
    [InlineData(200_000)]  // streamed
    public async Task Response_trailers_follow_the_last_chunk(int size)
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerSendingHandler(size));
        using RawConnection c = server.Connect();
        c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\nHEAD /x HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse response = c.ReadResponse();
        Assert.Equal("chunked", response.Header("Transfer-Encoding"));
        Assert.Equal("X-Checksum, X-Length", response.Header("Trailer"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal(size, response.Body.Length);
        Assert.Equal(new[] { $"X-Checksum: sum-{size}", $"X-Length: {size}" }, response.Trailers);

        // HEAD: the head GET would have, no body, no trailers; the connection goes on.
        RawResponse head = c.ReadResponse(headRequest: true);
        Assert.Equal(("chunked", "X-Checksum, X-Length"), (head.Header("Transfer-Encoding"), head.Header("Trailer")));
        c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(2, c.ReadResponse().Trailers.Count);
    }

    [Fact]
    public async Task Response_trailers_are_dropped_for_an_HTTP_1_0_client()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerSendingHandler(10));
        using RawConnection c = server.Connect();
        c.Send("GET /x HTTP/1.0\r\n\r\n");
        RawResponse response = c.ReadResponse();
        Assert.Equal(("10", null, null), (response.Header("Content-Length"), response.Header("Trailer"), response.Header("Transfer-Encoding")));
        Assert.Equal(10, response.Body.Length);
    }

    [Theory]
    [InlineData("undeclared")]       // AddTrailer with a name that was not declared
    [InlineData("content-length")]   // trailers with a Content-Length
    [InlineData("forbidden")]        // DeclareTrailers("Content-Length")
    [InlineData("late")]             // DeclareTrailers after the head went out
    public async Task Trailer_misuse_is_an_error_at_the_point_of_misuse(string misuse)
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerMisuseHandler(misuse));
        using RawConnection c = server.Connect();
        c.Send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse response = c.ReadResponse(headRequest: misuse == "late");
        if (misuse == "late")
        {
            // The head had gone out: the body is cut short (no last chunk) and the connection closed.
            Assert.Equal(200, response.StatusCode);
            Assert.Throws<EndOfStreamException>(() => c.ReadLine());
            return;
        }

        Assert.Equal(500, response.StatusCode);
    }

    [Fact]
    public async Task HttpClient_reads_the_response_trailers()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerSendingHandler(1000));
        using var client = new HttpClient();
        using HttpResponseMessage response = await client.GetAsync($"http://127.0.0.1:{server.Port}/x");
        Assert.Equal(1000, (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("sum-1000", response.TrailingHeaders.GetValues("X-Checksum").Single());
        Assert.Equal("1000", response.TrailingHeaders.GetValues("X-Length").Single());
    }

    [Fact]
    public async Task Curl_shows_the_response_trailers()
    {
        await using RunningServer server = await RunningServer.StartAsync(handler: new TrailerSendingHandler(100));
        var (exit, stdout, stderr) = await ExternalTools.RunAsync(ExternalTools.Require("curl", "curl"),
            ["-sS", "-D", "-", "-o", "/dev/null", $"http://127.0.0.1:{server.Port}/x"], TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, stderr);
        Assert.Contains("Trailer: X-Checksum, X-Length\r\n", stdout);
        Assert.Contains("X-Checksum: sum-100\r\n", stdout);
        Assert.Contains("X-Length: 100\r\n", stdout);
    }
}

/// <summary>Answers with the trailer count before reading, the body, then each request trailer field as it was read.</summary>
internal sealed class TrailerEchoHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        int before = 0;
        foreach (HeaderField unused in requestBody.EnumerateTrailers())
        {
            before++;
        }

        ReadOnlyMemory<byte> body = await requestBody.ReadAllAsync(cancellationToken: cancellationToken);
        responseBody.Write(Encoding.ASCII.GetBytes($"before={before}\nbody="));
        responseBody.Write(body.Span);
        responseBody.Write("\n"u8);
        foreach (HeaderField field in requestBody.EnumerateTrailers())
        {
            responseBody.Write(field.Name);
            responseBody.Write(": "u8);
            responseBody.Write(field.Value);
            responseBody.Write("\n"u8);
        }
    }
}

/// <summary>Declares X-Checksum and X-Length, writes <c>size</c> bytes (streamed past 64 KiB), then adds both.</summary>
internal sealed class TrailerSendingHandler(int size) : IHttpHandler<EchoRequest, EchoResponse>
{
    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        responseBody.DeclareTrailers("X-Checksum, X-Length");
        await responseBody.WriteAsync(new byte[size], cancellationToken);
        responseBody.AddTrailer("X-Checksum"u8, Encoding.ASCII.GetBytes($"sum-{size}"));
        responseBody.AddTrailer("X-Length"u8, Encoding.ASCII.GetBytes(size.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>Misuses the trailer API in one of several ways.</summary>
internal sealed class TrailerMisuseHandler(string misuse) : IHttpHandler<EchoRequest, EchoResponse>
{
    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        switch (misuse)
        {
            case "undeclared":
                responseBody.DeclareTrailers("X-A");
                responseBody.AddTrailer("X-B"u8, "v"u8);
                break;
            case "content-length":
                responseBody.DeclareTrailers("X-A");
                response.BodyFraming = new BodyFraming(BodyKind.ContentLength, 2);
                responseBody.Write("ab"u8);
                break;
            case "forbidden":
                responseBody.DeclareTrailers("X-A, Content-Length");
                break;
            case "late":
                await responseBody.FlushAsync(cancellationToken);
                responseBody.DeclareTrailers("X-A");
                break;
        }
    }
}
