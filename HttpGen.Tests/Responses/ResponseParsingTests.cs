using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Responses;

/// <summary>Status-line parsing and response framing per RFC 9112 §4 and §6.3.</summary>
public class ResponseParsingTests
{
    private static (OperationStatus Status, int Consumed, OrderResponse Response) Parse(string text, RequestMethod requestMethod = RequestMethod.Get)
    {
        var response = new OrderResponse { RequestMethod = requestMethod };
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        OperationStatus status = response.TryParse(bytes, out int consumed);
        return (status, consumed, response);
    }

    [Fact]
    public void Parses_a_typical_response()
    {
        const string head = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: \"abc\"\r\nCache-Control: max-age=60\r\nContent-Length: 1234\r\nRetry-After: 7\r\nServer: test\r\n\r\n";
        var (status, consumed, r) = Parse(head + "body");
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(head.Length, consumed);
        Assert.Equal(ProtocolVersion.Http11, r.Version);
        Assert.Equal(200, r.StatusCode);
        Assert.Equal("OK", Encoding.ASCII.GetString(r.ReasonPhrase));
        Assert.True(r.ContentType.Equals("text/html; charset=utf-8"u8));
        Assert.Equal("\"abc\"", r.ETag);
        Assert.True(r.CacheControl.EqualsIgnoreCase("MAX-AGE=60"u8));
        Assert.Equal(1234, r.ContentLength);
        Assert.Equal(7, r.RetryAfter);
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, 1234), r.BodyFraming);
        Assert.True(r.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1 204 No Content\r\n\r\n", 204, "No Content")]
    [InlineData("HTTP/1.1 404 \r\n\r\n", 404, "")]
    [InlineData("HTTP/1.0 500 Internal Server Error\r\n\r\n", 500, "Internal Server Error")]
    [InlineData("HTTP/1.1 299 Caf\u00e9 \t ok\r\n\r\n", 299, "Caf\u00e9 \t ok")]
    [InlineData("HTTP/1.1 999 Whatever\r\n\r\n", 999, "Whatever")]
    public void Status_line_forms(string text, int code, string reason)
    {
        var (status, _, r) = Parse(text);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(code, r.StatusCode);
        Assert.Equal(reason, Encoding.Latin1.GetString(r.ReasonPhrase));
    }

    [Theory]
    [InlineData("HTTP/1.1 200\r\n\r\n", ParseErrorKind.InvalidStatusLine, 12)]
    [InlineData("HTTP/1.1  200 OK\r\n\r\n", ParseErrorKind.InvalidStatusCode, 9)]
    [InlineData("HTTP/1.1 20 OK\r\n\r\n\r\n", ParseErrorKind.InvalidStatusCode, 9)]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n", ParseErrorKind.InvalidStatusLine, 12)]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n", ParseErrorKind.InvalidStatusCode, 9)]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", ParseErrorKind.InvalidStatusCode, 9)]
    [InlineData("HTTP/1.1\t200 OK\r\n\r\n", ParseErrorKind.InvalidStatusLine, 8)]
    [InlineData("HTTP/2.0 200 OK\r\n\r\n", ParseErrorKind.UnsupportedVersion, 0)]
    [InlineData("http/1.1 200 OK\r\n\r\n", ParseErrorKind.InvalidVersion, 0)]
    [InlineData("HTTP/1.1 200 O\u0001K\r\n\r\n", ParseErrorKind.InvalidReasonPhrase, 14)]
    [InlineData("HTTP/1.1 200 OK\nServer: x\r\n\r\n", ParseErrorKind.InvalidLineEnding, 15)]
    [InlineData("HTTP/1.1 200 OK\rServer: x\r\n\r\n", ParseErrorKind.InvalidLineEnding, 15)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", ParseErrorKind.DuplicateContentLength, 52)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", ParseErrorKind.ContentLengthWithTransferEncoding, 61)]
    [InlineData("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ParseErrorKind.TransferEncodingInHttp10, 36)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ParseErrorKind.InvalidTransferEncoding, 36)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: br\r\n\r\n", ParseErrorKind.UnsupportedTransferCoding, 36)]
    [InlineData("HTTP/1.1 200 OK\r\nServer : x\r\n\r\n", ParseErrorKind.WhitespaceBeforeColon, 23)]
    [InlineData("HTTP/1.1 200 OK\r\nRetry-After: soon\r\n\r\n", ParseErrorKind.InvalidNumericHeader, 30)]
    public void Malformed_responses(string text, ParseErrorKind kind, int offset)
    {
        var (status, consumed, r) = Parse(text);
        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(0, consumed);
        Assert.Equal(kind, r.Error.Kind);
        Assert.Equal(offset, r.Error.Offset);
    }

    [Theory]
    // RFC 9112 §6.3: 1xx, 204, 304 and any response to HEAD have no body, whatever their headers say.
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", RequestMethod.Post, BodyKind.None, 0L, true)]
    [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", RequestMethod.Get, BodyKind.None, 0L, true)]
    [InlineData("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", RequestMethod.Get, BodyKind.None, 0L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", RequestMethod.Head, BodyKind.None, 0L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", RequestMethod.Head, BodyKind.None, 0L, true)]
    // A 2xx answer to CONNECT turns the connection into a tunnel: no body.
    [InlineData("HTTP/1.1 200 Connection Established\r\n\r\n", RequestMethod.Connect, BodyKind.None, 0L, true)]
    [InlineData("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\n", RequestMethod.Connect, BodyKind.ContentLength, 3L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", RequestMethod.Get, BodyKind.Chunked, 0L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", RequestMethod.Get, BodyKind.Chunked, 0L, true)]
    // Transfer-Encoding that does not end in chunked: the body runs to the close.
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", RequestMethod.Get, BodyKind.ReadToClose, 0L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", RequestMethod.Get, BodyKind.ContentLength, 0L, true)]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", RequestMethod.Get, BodyKind.ReadToClose, 0L, false)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n", RequestMethod.Get, BodyKind.ContentLength, 5L, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", RequestMethod.Get, BodyKind.ContentLength, 5L, false)]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n", RequestMethod.Get, BodyKind.ContentLength, 5L, true)]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", RequestMethod.Get, BodyKind.ContentLength, 5L, false)]
    public void Framing_follows_rfc9112_section_6_3(string text, RequestMethod method, BodyKind kind, long length, bool keepAlive)
    {
        var (status, _, r) = Parse(text, method);
        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(new BodyFraming(kind, length), r.BodyFraming);
        Assert.Equal(keepAlive, r.KeepAlive);
    }

    [Fact]
    public void Every_split_gives_the_same_result()
    {
        string[] inputs =
        {
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"x\"\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "HTTP/1.1 200 O\u0001K\r\n\r\n",
        };

        foreach (string text in inputs)
        {
            byte[] bytes = Encoding.Latin1.GetBytes(text);
            var whole = new OrderResponse();
            OperationStatus expected = whole.TryParse(bytes, out int expectedConsumed);
            for (int split = 1; split < bytes.Length; split++)
            {
                var r = new OrderResponse();
                OperationStatus first = r.TryParse(bytes.AsMemory(0, split), out int consumed);
                if (first == OperationStatus.NeedMoreData)
                {
                    first = r.TryParse(new ReadOnlySequence<byte>(bytes), out consumed);
                }

                Assert.Equal(expected, first);
                Assert.Equal(expectedConsumed, consumed);
                Assert.Equal(whole.Error, r.Error);
                Assert.Equal(whole.StatusCode, r.StatusCode);
                Assert.Equal(whole.ETag, r.ETag);
                Assert.Equal(whole.BodyFraming, r.BodyFraming);
            }
        }
    }

    [Fact]
    public void Parsing_a_response_allocates_nothing()
    {
        byte[] bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"x\"\r\nCache-Control: no-cache\r\nContent-Length: 3\r\nServer: t\r\nDate: Thu, 26 Nov 2026 07:04:31 GMT\r\n\r\n"u8.ToArray();
        var r = new OrderResponse();
        // Warm up past tiered compilation, so that nothing the runtime does once lands in the measured loop.
        for (int i = 0; i < 2000; i++)
        {
            r.Reset();
            Assert.Equal(OperationStatus.Done, r.TryParse(bytes, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            r.Reset();
            r.TryParse(bytes, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(r.ContentType.Equals("text/plain"u8));
    }
}
