using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>Response framing (RFC 9112 §6.3), request bodies, and the body reader, against the raw test server.</summary>
public sealed class ClientFramingTests : ClientTestBase
{
    [Fact]
    public async Task Content_length_body_is_read_and_the_head_is_parsed()
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl"));
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, 5), response.BodyFraming);
        Assert.Equal(5, response.Head.ContentLength);
        Assert.Equal("text/plain", response.Head.ContentType.ToString());
        byte[] buffer = new byte[64];
        int n = await response.ReadToEndAsync(buffer);
        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.True(response.IsBodyComplete);
        Assert.Equal(0, await response.ReadAsync(buffer));
    }

    [Fact]
    public async Task Large_content_length_body_is_streamed_in_small_reads()
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl?size=200000"));
        var collected = new MemoryStream();
        byte[] small = new byte[7];
        int n;
        while ((n = await response.ReadAsync(small)) > 0)
        {
            collected.Write(small, 0, n);
        }

        Assert.Equal(RawHttpServer.Body(200_000), collected.ToArray());
        Assert.Equal(200_000, response.BodyBytesRead);
    }

    [Theory]
    [InlineData("/chunked?size=5&chunk=2")]
    [InlineData("/chunked?size=10000&chunk=777&piece=3")]
    [InlineData("/chunked?size=100000&chunk=4096&piece=1000")]
    [InlineData("/chunked?size=300&chunk=10&trailer=1&piece=1")]
    public async Task Chunked_body_is_decoded_however_it_is_split(string target)
    {
        int size = int.Parse(target.Split("size=")[1].Split('&')[0]);
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request(target)))
        {
            Assert.Equal(BodyKind.Chunked, response.BodyFraming.Kind);
            ReadOnlyMemory<byte> body = await response.ReadAllAsync();
            Assert.Equal(RawHttpServer.Body(size), body.ToArray());
            Assert.True(response.IsBodyComplete);
        }

        // The connection is reused after a complete chunked body.
        var next = await GetAsync("/cl");
        Assert.Equal(2, next.ConnectionRequest);
    }

    [Fact]
    public async Task Chunked_body_read_into_a_small_buffer()
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/chunked?size=5000&chunk=333&piece=50"));
        var collected = new MemoryStream();
        byte[] small = new byte[10];
        int n;
        while ((n = await response.ReadAsync(small)) > 0)
        {
            collected.Write(small, 0, n);
        }

        Assert.Equal(RawHttpServer.Body(5000), collected.ToArray());
    }

    [Fact]
    public async Task Close_delimited_body_is_read_to_the_end_and_the_connection_is_not_reused()
    {
        var first = await GetAsync("/close?size=3000");
        Assert.Equal(RawHttpServer.Body(3000), Encoding.Latin1.GetBytes(first.Body));
        var second = await GetAsync("/cl");
        Assert.Equal(1, second.ConnectionRequest);
        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task HEAD_response_has_no_body_and_keeps_the_connection()
    {
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl?size=100", RequestMethod.Head)))
        {
            Assert.Equal(200, response.StatusCode);
            Assert.Equal(100, response.Head.ContentLength);
            Assert.Equal(BodyKind.None, response.BodyFraming.Kind);
            Assert.True(response.IsBodyComplete);
        }

        var next = await GetAsync("/cl");
        Assert.Equal(("hello", 2), (next.Body, next.ConnectionRequest));
        Assert.Equal(1, Server.TotalConnections);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public async Task Responses_204_and_304_have_no_body(int code)
    {
        var response = await GetAsync($"/status?code={code}");
        Assert.Equal((code, ""), (response.Status, response.Body));
        var next = await GetAsync("/cl");
        Assert.Equal(("hello", 2), (next.Body, next.ConnectionRequest));
    }

    [Fact]
    public async Task Interim_1xx_responses_are_skipped()
    {
        var response = await GetAsync("/interim");
        Assert.Equal((200, "final"), (response.Status, response.Body));
        var next = await GetAsync("/cl");
        Assert.Equal(2, next.ConnectionRequest);
    }

    [Fact]
    public async Task HTTP10_response_without_keep_alive_closes_the_connection()
    {
        var response = await GetAsync("/http10");
        Assert.Equal("hello", response.Body);
        var next = await GetAsync("/cl");
        Assert.Equal(1, next.ConnectionRequest);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(100_000)]
    public async Task Bytes_are_sent_with_Content_Length(int size)
    {
        byte[] payload = RawHttpServer.Body(size);
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), payload);
        Assert.Equal("content-length", response.Head.RequestFraming);
        Assert.Equal(payload, (await response.ReadAllAsync()).ToArray());
        Assert.Contains($"Content-Length: {size}\r\n", Server.RequestHeads.Last());
    }

    [Fact]
    public async Task POST_without_content_says_Content_Length_0_and_GET_says_nothing()
    {
        await GetAsync("/echo", RequestMethod.Post);
        Assert.Contains("Content-Length: 0\r\n", Server.RequestHeads.Last());
        await GetAsync("/echo");
        Assert.DoesNotContain("Content-Length", Server.RequestHeads.Last());
        Assert.DoesNotContain("Transfer-Encoding", Server.RequestHeads.Last());
    }

    [Fact]
    public async Task Streamed_body_without_a_length_is_sent_chunked()
    {
        byte[] big = RawHttpServer.Body(50_000);
        HttpRequestContent content = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            await writer.WriteAsync("abc"u8.ToArray(), token);
            await writer.WriteAsync(Array.Empty<byte>(), token);
            await writer.WriteAsync(big, token);
            await writer.FlushAsync(token);
            await writer.WriteAsync("xyz"u8.ToArray(), token);
        });

        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), content);
        Assert.Equal("chunked", response.Head.RequestFraming);
        byte[] expected = [.. "abc"u8.ToArray(), .. big, .. "xyz"u8.ToArray()];
        Assert.Equal(expected, (await response.ReadAllAsync()).ToArray());
        Assert.Contains("Transfer-Encoding: chunked\r\n", Server.RequestHeads.Last());
    }

    [Fact]
    public async Task Streamed_body_with_a_declared_length_is_sent_with_Content_Length()
    {
        HttpRequestContent content = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            await writer.WriteAsync("hello "u8.ToArray(), token);
            await writer.WriteAsync("world"u8.ToArray(), token);
        }, 11);

        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Put), content);
        Assert.Equal("content-length", response.Head.RequestFraming);
        Assert.Equal("hello world", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
    }

    [Fact]
    public async Task Streamed_body_shorter_than_declared_fails_and_the_pool_recovers()
    {
        HttpRequestContent content = HttpRequestContent.FromWriter((writer, token) => writer.WriteAsync("abc"u8.ToArray(), token), 10);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), content));
        Assert.Equal("hello", (await GetAsync("/cl")).Body);
        Assert.Equal(1, Client.OpenConnections);
    }

    [Fact]
    public async Task A_request_without_Host_gets_the_origin_host()
    {
        using var client = new HttpGenClient<HostlessRequest, ClientTestResponse>();
        var request = new HostlessRequest { Target = "/cl"u8 };
        await using (HttpGenResponse<ClientTestResponse> response = await client.SendAsync(Origin, request))
        {
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Contains($"\r\nHost: 127.0.0.1:{Server.Port}\r\n", Server.RequestHeads.Last());
        Assert.True(request.ExtraHeaders.ContainsHost);
    }

    [Fact]
    public async Task Request_with_KeepAlive_false_sends_Connection_close_and_closes()
    {
        ClientTestRequest request = Request("/cl");
        request.KeepAlive = false;
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, request))
        {
            await response.ReadAllAsync();
        }

        Assert.Contains("Connection: close\r\n", Server.RequestHeads.Last());
        Assert.Equal(1, (await GetAsync("/cl")).ConnectionRequest);
        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task Unread_short_body_is_drained_on_dispose_and_the_connection_reused()
    {
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/chunked?size=20000&chunk=1000&piece=700")))
        {
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Equal(2, (await GetAsync("/cl")).ConnectionRequest);
        Assert.Equal(1, Server.TotalConnections);
    }

    [Fact]
    public async Task Unread_long_body_closes_the_connection_on_dispose()
    {
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl?size=1000000")))
        {
            Assert.Equal(200, response.StatusCode);
        }

        Assert.Equal(1, (await GetAsync("/cl")).ConnectionRequest);
        Assert.Equal(2, Server.TotalConnections);
    }

    [Fact]
    public async Task Body_longer_than_the_callers_buffer_is_an_error_and_the_pool_recovers()
    {
        byte[] buffer = new byte[100];
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await Client.SendAndReadAsync(Origin, Request("/chunked?size=101&chunk=50"), buffer));
        Assert.Equal(HttpClientErrorKind.ResponseBodyTooLarge, e.Kind);

        HttpGenResult exact = await Client.SendAndReadAsync(Origin, Request("/chunked?size=100&chunk=50"), buffer);
        Assert.Equal(new HttpGenResult(200, 100), exact);
    }

    [Fact]
    public async Task Response_handle_is_stale_after_dispose()
    {
        HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl"));
        await response.ReadAllAsync();
        await response.DisposeAsync();
        await response.DisposeAsync(); // twice is fine
        Assert.Throws<ObjectDisposedException>(() => response.StatusCode);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await response.ReadAsync(new byte[1]));
    }

    [Fact]
    public async Task Sync_dispose_after_reading_keeps_the_connection()
    {
        using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/cl")))
        {
            await response.ReadAllAsync();
        }

        Assert.Equal(2, (await GetAsync("/cl")).ConnectionRequest);
    }
}
