using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Formatting;

/// <summary>
/// Memory changed after it was validated must not put a line break on the wire. A HeaderValue made from a buffer, and
/// every value of a parsed head, are views of memory the caller owns (a pooled buffer returned after a handler, a proxy's
/// receive buffer): if it changes before the head is written, the write refuses it. Setters that copy (spans, RawMethod,
/// Target, ReasonPhrase, ExtraHeaders) keep what they were given.
/// </summary>
public class InjectionTests
{
    private static string Format(IHttpMessageHead message) => FormattingTests.Format(message);

    // Overwrites the start of `buffer` with `text` (the buffer keeps its length).
    private static void Overwrite(byte[] buffer, string text) => Encoding.Latin1.GetBytes(text).CopyTo(buffer, 0);

    private static void AssertRefused(IHttpMessageHead message, string expectedInMessage)
    {
        var e = Assert.Throws<InvalidOperationException>(() => message.TryFormat(new byte[4096], out _));
        Assert.Contains(expectedInMessage, e.Message);
        Assert.Throws<InvalidOperationException>(() => Format(message));
    }

    [Fact]
    public void Server_response_value_changed_after_it_was_set_is_refused()
    {
        byte[] pooled = Encoding.ASCII.GetBytes("text/plain; charset=utf-8 padding....");
        var response = new OrderResponse { ContentType = HeaderValue.Create(pooled) };
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8 padding....\r\n", Format(response));

        // The buffer goes back to its pool and is reused: CR LF and a second header appear in it.
        Overwrite(pooled, "x\r\nSet-Cookie: session=attacker");
        AssertRefused(response, "Content-Type");
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u0001b")]
    public void Every_control_byte_is_refused_at_write_time(string changed)
    {
        byte[] pooled = Encoding.ASCII.GetBytes("abc");
        var response = new OrderResponse { CacheControl = HeaderValue.Create(pooled) };
        Overwrite(pooled, changed);
        AssertRefused(response, "Cache-Control");
    }

    [Fact]
    public void Client_request_value_changed_after_it_was_set_cannot_smuggle_a_request()
    {
        byte[] pooled = Encoding.ASCII.GetBytes("agent/1.0 (a long enough user agent string to hold a request)");
        var request = new ClientRequest { Host = "h"u8, UserAgent = HeaderValue.Create(pooled) };
        Overwrite(pooled, "x\r\n\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n");
        AssertRefused(request, "User-Agent");
    }

    [Fact]
    public void Parsed_head_written_back_after_its_buffer_changed_is_refused()
    {
        // A proxy parses a request, and its receive buffer is reused before the request is forwarded.
        byte[] received = Encoding.ASCII.GetBytes("GET /a/b HTTP/1.1\r\nHost: h\r\nUser-Agent: agent/1.0\r\n\r\n");
        var request = new ClientRequest();
        Assert.Equal(OperationStatus.Done, request.TryParse(received, out _));
        Assert.Contains("\r\nUser-Agent: agent/1.0\r\n", Format(request));

        int agent = Encoding.ASCII.GetString(received).IndexOf("agent/1.0", StringComparison.Ordinal);
        Encoding.ASCII.GetBytes("x\r\nX: 1").CopyTo(received, agent);
        AssertRefused(request, "User-Agent");
    }

    [Theory]
    [InlineData("GET", "G\nT", "method")]
    [InlineData("/a/b", "/\r\n ", "request-target")]
    [InlineData("/a/b", "/ab ", "request-target")]
    public void Parsed_request_line_written_back_after_its_buffer_changed_is_refused(string original, string changed, string what)
    {
        byte[] received = Encoding.ASCII.GetBytes("GET /a/b HTTP/1.1\r\nHost: h\r\n\r\n");
        var request = new ClientRequest();
        Assert.Equal(OperationStatus.Done, request.TryParse(received, out _));
        int at = Encoding.ASCII.GetString(received).IndexOf(original, StringComparison.Ordinal);
        Encoding.ASCII.GetBytes(changed).CopyTo(received, at);
        AssertRefused(request, what);
    }

    [Fact]
    public void Parsed_reason_phrase_written_back_after_its_buffer_changed_is_refused()
    {
        byte[] received = Encoding.ASCII.GetBytes("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
        var response = new OrderResponse();
        Assert.Equal(OperationStatus.Done, response.TryParse(received, out _));
        received["HTTP/1.1 200 Fi".Length] = (byte)'\n';
        AssertRefused(response, "reason phrase");
    }

    [Fact]
    public void Setters_that_copy_keep_what_they_were_given()
    {
        byte[] method = Encoding.ASCII.GetBytes("PURGE");
        byte[] target = Encoding.ASCII.GetBytes("/cache/item");
        byte[] host = Encoding.ASCII.GetBytes("example.test");
        byte[] name = Encoding.ASCII.GetBytes("X-Trace");
        byte[] value = Encoding.ASCII.GetBytes("abc123");
        var request = new ClientRequest { RawMethod = method, Target = target, Host = host };
        request.ExtraHeaders.Add(name, value);
        byte[] reason = Encoding.ASCII.GetBytes("Fine");
        var response = new OrderResponse { StatusCode = 299, ReasonPhrase = reason };

        foreach (byte[] buffer in new[] { method, target, host, name, value, reason })
        {
            buffer.AsSpan().Fill((byte)'\n');
        }

        Assert.Equal("PURGE /cache/item HTTP/1.1\r\nHost: example.test\r\nX-Trace: abc123\r\n\r\n", Format(request));
        Assert.StartsWith("HTTP/1.1 299 Fine\r\n", Format(response));
    }

    [Fact]
    public void Writing_with_the_checks_allocates_nothing()
    {
        var response = new OrderResponse { ContentType = HeaderValue.Create("text/plain"), CacheControl = HeaderValue.Create("no-cache"), ETag = "\"1\"" };
        var buffer = new byte[1024];
        for (int i = 0; i < 100; i++)
        {
            Assert.True(response.TryFormat(buffer, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            response.TryFormat(buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
