using System.Text;
using HttpGen.Client;
using HttpGen.Tests.Server;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>HttpGen's client against HttpGen's EchoServer: both halves of the toolkit over a real socket.</summary>
public sealed class EchoServerClientTests
{
    private static ClientTestRequest Request(HttpOrigin origin, string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = origin.HostHeader.Span };

    [Fact]
    public async Task Get_head_post_and_chunked_upload_against_the_echo_server()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>();
        var origin = new HttpOrigin("127.0.0.1", server.Port);

        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, Request(origin, "/plaintext")))
        {
            Assert.Equal(200, r.StatusCode);
            Assert.Equal(new BodyFraming(BodyKind.ContentLength, 13), r.BodyFraming);
            Assert.Equal("Hello, World!", Encoding.ASCII.GetString((await r.ReadAllAsync()).Span));
            Assert.True(r.Head.ContentType.Equals("text/plain"u8));
        }

        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, Request(origin, "/plaintext", RequestMethod.Head)))
        {
            Assert.Equal((200, 13L), (r.StatusCode, r.Head.ContentLength));
            Assert.True((await r.ReadAllAsync()).IsEmpty); // HEAD: headers, no body
        }

        byte[] payload = new byte[200_000];
        new Random(3).NextBytes(payload);
        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, Request(origin, "/", RequestMethod.Post), HttpRequestContent.FromBytes(payload)))
        {
            Assert.Equal(payload, (await r.ReadAllAsync()).ToArray());
        }

        // A body of unknown length goes chunked; the server de-chunks it and echoes it with a Content-Length.
        HttpRequestContent streamed = HttpRequestContent.FromWriter(async (writer, ct) =>
        {
            for (int offset = 0; offset < payload.Length; offset += 30_000)
            {
                await writer.WriteAsync(payload.AsMemory(offset, Math.Min(30_000, payload.Length - offset)), ct);
            }
        }, contentLength: null);
        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, Request(origin, "/", RequestMethod.Put), streamed))
        {
            Assert.Equal(BodyKind.ContentLength, r.BodyFraming.Kind);
            Assert.Equal(payload, (await r.ReadAllAsync()).ToArray());
        }

        ClientTestRequest echo = Request(origin, "/echo", RequestMethod.Post);
        echo.Test = "from-the-client";
        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, echo))
        {
            Assert.Contains("X-Test: from-the-client\n", Encoding.Latin1.GetString((await r.ReadAllAsync()).Span));
        }

        await using (HttpGenResponse<ClientTestResponse> r = await client.SendAsync(origin, Request(origin, "/nowhere")))
        {
            Assert.Equal(404, r.StatusCode);
        }

        // Every exchange above reused one keep-alive connection.
        Assert.Equal(1, client.ConnectionsOpened);
        Assert.Equal(1, server.Server.AcceptedConnections);
    }
}
