using System.Text;
using HttpGen.Chunked;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>Trailer fields: read after a chunked response body, and sent after a chunked request body.</summary>
public sealed class ClientTrailerTests() : ClientTestBase()
{
    private static List<string> Fields(HeaderFieldEnumerator fields)
    {
        var list = new List<string>();
        foreach (HeaderField field in fields)
        {
            list.Add(Encoding.Latin1.GetString(field.Name) + "=" + Encoding.Latin1.GetString(field.Value));
        }

        return list;
    }

    [Fact]
    public async Task Response_trailers_are_there_once_the_chunked_body_has_been_read()
    {
        HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/chunked?size=100&chunk=10&trailer=1&piece=3"));
        Assert.Empty(Fields(response.EnumerateTrailers()));
        Assert.Equal(RawHttpServer.Body(100), (await response.ReadAllAsync()).ToArray());
        Assert.True(response.IsBodyComplete);
        Assert.Equal(["X-Checksum=42"], Fields(response.EnumerateTrailers()));
        await response.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => response.EnumerateTrailers());

        // Other framings have none.
        await using HttpGenResponse<ClientTestResponse> plain = await Client.SendAsync(Origin, Request("/cl"));
        await plain.ReadAllAsync();
        Assert.Empty(Fields(plain.EnumerateTrailers()));
        Assert.Equal(2, plain.Head.ConnectionRequest);
    }

    [Fact]
    public async Task Response_trailers_over_the_limits_make_the_body_malformed()
    {
        await using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions
        {
            ChunkedOptions = new ChunkedDecoderOptions { MaxTrailerCount = 0 },
        });
        await using HttpGenResponse<ClientTestResponse> response = await client.SendAsync(Origin, Request("/chunked?size=10&trailer=1"));
        var e = await Assert.ThrowsAsync<HttpResponseException>(async () => await response.ReadAllAsync());
        Assert.Equal(ParseErrorKind.TooManyTrailers, e.ErrorKind);
        Assert.True(e.IsBodyError);
    }

    [Fact]
    public async Task Request_trailers_are_declared_in_the_head_and_sent_after_the_last_chunk()
    {
        byte[] value = "v1"u8.ToArray();
        HttpRequestContent content = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            await writer.WriteAsync("some body"u8.ToArray(), token);
            writer.AddTrailer("X-Checksum"u8, "abc"u8);
            writer.AddTrailer("x-sig"u8, value);
            value[0] = (byte)'\r'; // copied when added: a later change cannot reach the wire
            value[1] = (byte)'\n';
            await writer.WriteAsync(" and more"u8.ToArray(), token);
        }, trailers: "X-Checksum, X-Sig");

        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), content);
        Assert.Equal("some body and more", Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
        Assert.Equal("chunked", response.Head.RequestFraming);
        Assert.Equal("X-Checksum=abc;x-sig=v1", response.Head.RequestTrailers);
        Assert.Contains("\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Sig\r\n\r\n", Server.RequestHeads.Single());
    }

    [Fact]
    public async Task A_chunked_request_without_declared_trailers_ends_with_an_empty_trailer_section()
    {
        HttpRequestContent content = HttpRequestContent.FromWriter((writer, token) => writer.WriteAsync("x"u8.ToArray(), token));
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), content);
        Assert.Equal("", response.Head.RequestTrailers);
        Assert.DoesNotContain("Trailer:", Server.RequestHeads.Single());
    }

    [Fact]
    public async Task Trailer_misuse_is_refused()
    {
        Func<HttpRequestBodyWriter, CancellationToken, ValueTask> write = (_, _) => default;
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, contentLength: 10, trailers: "X-A"));
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, trailers: "Content-Length"));
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, trailers: "host, X-A"));
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, trailers: "X A"));
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, trailers: "X-A\r\nX-Injected: 1"));
        Assert.Throws<ArgumentException>(() => HttpRequestContent.FromWriter(write, trailers: ""));

        async Task<Exception> SendAsync(Action<HttpRequestBodyWriter> body, string? trailers) =>
            await Assert.ThrowsAnyAsync<Exception>(async () => await Client.SendAsync(Origin, Request("/echo", RequestMethod.Post), HttpRequestContent.FromWriter((writer, _) =>
            {
                body(writer);
                return default;
            }, trailers: trailers)));

        Assert.IsType<InvalidOperationException>(await SendAsync(w => w.AddTrailer("X-A"u8, "1"u8), null));
        Assert.IsType<InvalidOperationException>(await SendAsync(w => w.AddTrailer("X-B"u8, "1"u8), "X-A"));
        Assert.IsType<ArgumentException>(await SendAsync(w => w.AddTrailer("X-A"u8, "1\r\nX-Injected: 1"u8), "X-A"));
        Assert.IsType<ArgumentException>(await SendAsync(w => w.AddTrailer("X-A"u8, " padded"u8), "X-A"));
        Assert.DoesNotContain(Server.RequestHeads, h => h.Contains("X-Injected"));

        // The client is fine afterwards.
        var next = await GetAsync("/cl");
        Assert.Equal((200, "hello"), (next.Status, next.Body));
    }
}
