using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace HttpGen.Tests.Formatting;

/// <summary>Generated TryFormat/WriteTo for both directions, and the guards that keep invalid values off the wire.</summary>
public class FormattingTests
{
    internal static string Format(IHttpMessageHead message)
    {
        var writer = new ArrayBufferWriter<byte>();
        message.WriteTo(writer);
        return Encoding.Latin1.GetString(writer.WrittenSpan);
    }

    // The Date line changes every second; tests compare the rest exactly.
    private static string WithoutDate(string head)
    {
        Assert.Matches(new Regex(@"\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT\r\n"), head);
        return Regex.Replace(head, @"Date: [^\r]*\r\n", "");
    }

    [Fact]
    public void Fresh_response_is_200_with_an_empty_body()
    {
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", WithoutDate(Format(new OrderResponse())));
    }

    [Fact]
    public void Response_with_declared_and_extra_headers()
    {
        var r = new OrderResponse
        {
            StatusCode = 404,
            ContentType = HeaderValue.Create("text/plain; charset=utf-8"),
            ETag = "\"v1\"",
            RetryAfter = 120,
            BodyFraming = new BodyFraming(BodyKind.ContentLength, 9),
        };
        r.ExtraHeaders.Add("X-Trace"u8, "abc"u8);
        r.ExtraHeaders.Add("Vary", "Accept");

        Assert.Equal(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nETag: \"v1\"\r\nRetry-After: 120\r\nX-Trace: abc\r\nVary: Accept\r\nContent-Length: 9\r\n\r\n",
            WithoutDate(Format(r)));
    }

    [Fact]
    public void Setting_content_length_sets_the_framing()
    {
        var r = new OrderResponse { ContentLength = 42 };
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, 42), r.BodyFraming);
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", WithoutDate(Format(r)));
    }

    [Theory]
    [InlineData(204, BodyKind.None, true, "HTTP/1.1 204 No Content\r\n\r\n")]
    [InlineData(304, BodyKind.None, true, "HTTP/1.1 304 Not Modified\r\n\r\n")]
    [InlineData(101, BodyKind.None, true, "HTTP/1.1 101 Switching Protocols\r\n\r\n")]
    [InlineData(200, BodyKind.Chunked, true, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData(200, BodyKind.ReadToClose, true, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")]
    [InlineData(500, BodyKind.None, false, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
    [InlineData(599, BodyKind.None, true, "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n")]
    public void Framing_headers_come_from_BodyFraming_and_KeepAlive(int status, BodyKind kind, bool keepAlive, string expected)
    {
        var r = new OrderResponse { StatusCode = status, BodyFraming = new BodyFraming(kind, 0), KeepAlive = keepAlive };
        Assert.Equal(expected, WithoutDate(Format(r)));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(7L)]
    [InlineData(10L)]
    [InlineData(99L)]
    [InlineData(100L)]
    [InlineData(1256L)]
    [InlineData(1_000_000_007L)]
    [InlineData(long.MaxValue)]
    public void Content_length_is_written_in_decimal(long length)
    {
        var r = new OrderResponse { ContentLength = length };
        Assert.Equal($"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n", WithoutDate(Format(r)));
    }

    [Fact]
    public void Every_status_code_has_its_line_and_standard_reason()
    {
        for (int status = 100; status <= 999; status++)
        {
            var r = new OrderResponse { StatusCode = status, BodyFraming = new BodyFraming(BodyKind.ContentLength, 0) };
            string reason = Encoding.Latin1.GetString(ReasonPhrases.Get(status));
            Assert.StartsWith($"HTTP/1.1 {status} {reason}\r\nDate: ", Format(r));
        }
    }

    [Fact]
    public void Every_destination_shorter_than_the_head_is_reported_and_the_exact_size_fits()
    {
        var r = new OrderResponse
        {
            StatusCode = 200,
            ContentType = HeaderValue.Create("text/plain"),
            ETag = "\"v1\"",
            RetryAfter = 120,
            ContentLength = 1256,
        };
        r.ExtraHeaders.Add("X-Trace"u8, "abc"u8);
        string full = Format(r);
        byte[] destination = new byte[full.Length + 8];
        for (int size = 0; size < full.Length; size++)
        {
            Assert.False(r.TryFormat(destination.AsSpan(0, size), out int written), $"size {size}");
            Assert.Equal(0, written);
        }

        Assert.True(r.TryFormat(destination.AsSpan(0, full.Length), out int all));
        Assert.Equal(WithoutDate(full), WithoutDate(Encoding.Latin1.GetString(destination, 0, all))); // the second may have turned
    }

    [Fact]
    public void Custom_reason_phrase_and_status_reset_it()
    {
        var r = new OrderResponse { StatusCode = 200, ReasonPhrase = "Fine Thanks"u8 };
        Assert.StartsWith("HTTP/1.1 200 Fine Thanks\r\n", Format(r));
        r.StatusCode = 503;
        Assert.StartsWith("HTTP/1.1 503 Service Unavailable\r\n", Format(r));
    }

    [Fact]
    public void Extra_Date_replaces_the_cached_one()
    {
        var r = new OrderResponse();
        r.ExtraHeaders.Add("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
        Assert.Equal("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n", Format(r));
    }

    [Fact]
    public void TryFormat_reports_a_short_destination_and_WriteTo_grows()
    {
        var r = new OrderResponse { ETag = new string('e', 2000) };
        Span<byte> small = stackalloc byte[64];
        Assert.False(r.TryFormat(small, out int written));
        Assert.Equal(0, written);
        Assert.Contains(new string('e', 2000), Format(r));
    }

    [Fact]
    public void Request_is_written_with_its_line_and_headers()
    {
        var q = new ClientRequest
        {
            Method = RequestMethod.Post,
            Target = "/api/items?page=2"u8,
            Host = "example.com:8080"u8,
            Accept = "application/json",
            UserAgent = HeaderValue.Create("httpgen/0.1"),
            MaxForwards = 3,
            Offset = 9_000_000_000L,
            DoNotTrack = true,
            BodyFraming = new BodyFraming(BodyKind.Chunked, 0),
        };

        Assert.Equal(
            "POST /api/items?page=2 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: application/json\r\nUser-Agent: httpgen/0.1\r\nMax-Forwards: 3\r\nX-Offset: 9000000000\r\nDNT: \r\nTransfer-Encoding: chunked\r\n\r\n",
            Format(q));
        Assert.Equal("/api/items", Encoding.ASCII.GetString(q.Path));
        Assert.Equal("page=2", Encoding.ASCII.GetString(q.Query));
    }

    [Fact]
    public void Request_defaults_to_GET_slash_and_custom_methods_work()
    {
        var q = new ClientRequest { Host = "h"u8 };
        Assert.Equal("GET / HTTP/1.1\r\nHost: h\r\n\r\n", Format(q));
        q.RawMethod = "PROPFIND"u8;
        q.KeepAlive = false;
        Assert.Equal(RequestMethod.Custom, q.Method);
        Assert.Equal("PROPFIND / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", Format(q));
    }

    [Fact]
    public void Request_without_Host_is_misuse()
    {
        var q = new ClientRequest { Target = "/"u8 };
        Assert.Throws<InvalidOperationException>(() => Format(q));
        q.ExtraHeaders.Add("Host", "from-extra");
        Assert.Contains("\r\nHost: from-extra\r\n", Format(q));
    }

    [Fact]
    public void A_parsed_request_can_be_written_back()
    {
        byte[] bytes = "PUT /x?y=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nContent-Length: 5\r\nMax-Forwards: 9\r\n\r\n"u8.ToArray();
        var q = new ClientRequest();
        Assert.Equal(OperationStatus.Done, q.TryParse(bytes, out _));
        Assert.Equal("PUT /x?y=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nMax-Forwards: 9\r\nContent-Length: 5\r\n\r\n", Format(q));
    }

    public static TheoryData<string> Injections => new() { "a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "\u007f", " leading", "trailing\t", "\u0001" };

    [Theory]
    [MemberData(nameof(Injections))]
    public void Invalid_values_are_rejected_where_they_are_set(string value)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(value);
        var r = new OrderResponse();
        var q = new ClientRequest();
        Assert.Throws<ArgumentException>(() => r.ETag = value);
        Assert.Throws<ArgumentException>(() => q.Host = bytes);
        Assert.Throws<ArgumentException>(() => q.Accept = value);
        Assert.Throws<ArgumentException>(() => r.ExtraHeaders.Add("X-A", value));
        Assert.Throws<ArgumentException>(() => HeaderValue.Create(value));
        if (value.Contains('\r') || value.Contains('\n') || value.Contains('\0') || value.Contains('\u0001') || value.Contains('\u007f'))
        {
            Assert.Throws<ArgumentException>(() => r.ReasonPhrase = bytes);

            // FromParsed (for generated code) skips the checks of Create: the write refuses the control byte instead.
            var bypassed = new OrderResponse { ContentType = HeaderValue.FromParsed(bytes) };
            Assert.Throws<InvalidOperationException>(() => bypassed.TryFormat(new byte[512], out _));
        }

        // Nothing was stored: the heads are what they were.
        Assert.Null(r.ETag);
        Assert.True(q.Host.IsEmpty);
        Assert.Equal(0, r.ExtraHeaders.Count);
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("X:Y")]
    [InlineData("")]
    [InlineData("Content-Length")]
    [InlineData("transfer-encoding")]
    [InlineData("CONNECTION")]
    public void Extra_header_names_are_checked(string name)
    {
        Assert.Throws<ArgumentException>(() => new HeaderList().Add(name, "v"));
    }

    [Theory]
    [InlineData("/a b")]
    [InlineData("/a\r\n")]
    [InlineData("")]
    [InlineData("/frag#x")]
    [InlineData("/a[0]")]
    [InlineData("http://[::1]:80/p]?q")]
    public void Invalid_targets_and_methods_are_rejected(string target)
    {
        var q = new ClientRequest();
        Assert.Throws<ArgumentException>(() => q.Target = Encoding.Latin1.GetBytes(target));
        Assert.Throws<ArgumentException>(() => q.RawMethod = "GE T"u8);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Method = RequestMethod.Custom);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OrderResponse().StatusCode = 42);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.MaxForwards = -1);
    }

    [Fact]
    public void A_negative_body_length_is_rejected_when_set()
    {
        var r = new OrderResponse();
        Assert.Throws<ArgumentOutOfRangeException>(() => r.BodyFraming = new BodyFraming(BodyKind.ContentLength, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => r.BodyFraming = new BodyFraming(BodyKind.Chunked, long.MinValue));
        var five = new BodyFraming(BodyKind.ContentLength, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => r.BodyFraming = five with { ContentLength = -5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => r.ContentLength = -1);
        var q = new ClientRequest { Host = "h"u8 };
        Assert.Throws<ArgumentOutOfRangeException>(() => q.BodyFraming = new BodyFraming(BodyKind.ContentLength, -1));

        // Nothing was stored, and a valid length is written as set.
        Assert.Equal(default, r.BodyFraming);
        r.BodyFraming = five;
        Assert.Contains("\r\nContent-Length: 5\r\n", Format(r));
        Assert.Equal(default, q.BodyFraming);
    }

    [Theory]
    [InlineData("/?a[]=1")]
    [InlineData("http://[::1]:8080/p?x[0]=1")]
    [InlineData("/a%5B0%5D")]
    public void Brackets_in_a_query_or_an_ip_literal_are_accepted_in_a_target(string target)
    {
        var q = new ClientRequest { Target = Encoding.Latin1.GetBytes(target), Host = "h"u8 };
        Assert.StartsWith("GET " + target + " HTTP/1.1\r\n", Format(q));
    }

    [Fact]
    public void Writing_a_response_head_allocates_nothing()
    {
        var r = new OrderResponse { ContentType = HeaderValue.Create("text/plain"), ETag = "\"1\"" };
        r.ExtraHeaders.Add("Server", "httpgen");
        var buffer = new byte[1024];
        for (int i = 0; i < 100; i++)
        {
            Assert.True(r.TryFormat(buffer, out _));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            r.BodyFraming = new BodyFraming(BodyKind.ContentLength, i);
            r.TryFormat(buffer, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Date_is_current_imf_fixdate()
    {
        string value = Encoding.ASCII.GetString(HttpGen.Formatting.HttpDate.Value);
        DateTimeOffset parsed = DateTimeOffset.ParseExact(value, "r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((DateTimeOffset.UtcNow - parsed).TotalSeconds, -1, 3);
    }
}
