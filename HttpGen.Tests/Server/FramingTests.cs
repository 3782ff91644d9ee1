using System.Text;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>The connection loop over real sockets: keep-alive, pipelining, bodies, closes, Expect, HTTP/1.0.</summary>
public class FramingTests
{
    [Fact]
    public async Task Keep_alive_serves_several_requests_on_one_connection()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        for (int i = 0; i < 5; i++)
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = c.ReadResponse();
            Assert.Equal(200, r.StatusCode);
            Assert.Equal("Hello, World!", r.BodyText);
            Assert.Equal("text/plain", r.Header("Content-Type"));
            Assert.NotNull(r.Header("Date"));
            Assert.Null(r.Header("Connection"));
        }

        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Ten_pipelined_mixed_requests_are_answered_in_order()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        var requests = new StringBuilder();
        requests.Append("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        requests.Append("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst");
        requests.Append("HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        requests.Append("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
        requests.Append("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        requests.Append("OPTIONS / HTTP/1.1\r\nHost: t\r\n\r\n");
        requests.Append("PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        requests.Append("POST /echo HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n");
        requests.Append("DELETE /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        requests.Append("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        c.Send(requests.ToString());

        Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        Assert.Equal("first", c.ReadResponse().BodyText);
        RawResponse head = c.ReadResponse(headRequest: true);
        Assert.Equal("13", head.Header("Content-Length"));
        Assert.Equal(404, c.ReadResponse().StatusCode);
        Assert.Equal("abcde", c.ReadResponse().BodyText);
        Assert.Equal("GET, HEAD, POST, OPTIONS", c.ReadResponse().Header("Allow"));
        RawResponse put = c.ReadResponse();
        Assert.Equal((200, ""), (put.StatusCode, put.BodyText));
        Assert.Equal("Host: t\nX-A: 1\nContent-Length: 0\n", c.ReadResponse().BodyText);
        RawResponse delete = c.ReadResponse();
        Assert.Equal((405, "GET, HEAD"), (delete.StatusCode, delete.Header("Allow")));
        Assert.Equal("OK", c.ReadResponse().BodyText);
        Assert.True(c.NothingArrives(200), "exactly ten responses");
    }

    [Fact]
    public async Task Byte_at_a_time_delivery_works()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        await c.SendSlowlyAsync("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nslow\r\n1;ext=1\r\n!\r\n0\r\nX-Trailer: y\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n", 0);
        Assert.Equal("slow!", c.ReadResponse().BodyText);
        Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bodies_up_to_8_MiB_are_echoed_exactly(bool chunked)
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(42).NextBytes(body);
        var sending = Task.Run(() =>
        {
            if (chunked)
            {
                c.Send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (int offset = 0; offset < body.Length; offset += 100_000)
                {
                    int size = Math.Min(100_000, body.Length - offset);
                    c.Send($"{size:x}\r\n");
                    c.Send(body.AsSpan(offset, size));
                    c.Send("\r\n");
                }

                c.Send("0\r\n\r\n");
            }
            else
            {
                c.Send($"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: {body.Length}\r\n\r\n");
                c.Send(body);
            }
        });

        RawResponse r = c.ReadResponse();
        await sending;
        Assert.Equal(200, r.StatusCode);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("Content-Length"));
        Assert.True(body.AsSpan().SequenceEqual(r.Body), "the body came back byte for byte");
    }

    [Fact]
    public async Task Connection_close_is_honoured_both_ways()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal("close", r.Header("Connection"));
        Assert.True(c.IsClosedByServer());
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task Http10_closes_by_default_and_keeps_alive_when_asked()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using (RawConnection c = server.Connect())
        {
            c.Send("GET / HTTP/1.0\r\n\r\n");
            RawResponse r = c.ReadResponse();
            Assert.Equal(("OK", "close"), (r.BodyText, r.Header("Connection")));
            Assert.StartsWith("HTTP/1.1 200", r.StatusLine);
            Assert.True(c.IsClosedByServer());
        }

        using (RawConnection c = server.Connect())
        {
            c.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", c.ReadResponse().Header("Connection"));
            c.Send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        }
    }

    [Fact]
    public async Task Expect_100_continue_is_sent_only_when_the_body_is_read()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        RawResponse interim = c.ReadResponse();
        Assert.Equal(100, interim.StatusCode);
        c.Send("ping");
        Assert.Equal("ping", c.ReadResponse().BodyText);

        // The handler of GET /plaintext never reads a body: no 100, a final answer, and a fresh connection required.
        using RawConnection d = server.Connect();
        d.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        RawResponse final = d.ReadResponse();
        Assert.Equal(200, final.StatusCode);
        Assert.Equal("close", final.Header("Connection"));
    }

    [Fact]
    public async Task Head_and_no_content_responses_carry_no_body()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nHEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("2", c.ReadResponse(headRequest: true).Header("Content-Length"));
        Assert.Equal("13", c.ReadResponse(headRequest: true).Header("Content-Length"));
        Assert.Equal("Hello, World!", c.ReadResponse().BodyText); // proves no stray body bytes came before it
    }

    [Fact]
    public async Task Options_asterisk_is_answered()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r = c.ReadResponse();
        Assert.Equal((200, "GET, HEAD, POST, OPTIONS"), (r.StatusCode, r.Header("Allow")));
    }

    [Fact]
    public async Task Unread_body_is_drained_before_the_next_request()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        // GET /plaintext ignores its body; the body must not be taken for the next request.
        c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\nContent-Length: 24\r\n\r\nGET /evil HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal("Hello, World!", c.ReadResponse().BodyText);
        Assert.Equal("OK", c.ReadResponse().BodyText);
        Assert.True(c.NothingArrives(200));
    }
}
