using System.Buffers;
using System.Text;
using HttpGen.Caching;
using HttpGen.Tests.Caching;
using HttpGen.Tests.Parsing;
using Xunit;

namespace HttpGen.Tests.Formatting;

/// <summary>A response with the typed header property kinds: HTTP-dates, Cache-Control directives, an entity tag.</summary>
[HttpResponse]
public partial class TypedResponse
{
    [HttpHeader("Last-Modified")] public partial DateTimeOffset? LastModified { get; set; }
    [HttpHeader("Expires")] public partial DateTimeOffset? Expires { get; set; }
    [HttpHeader("Cache-Control")] public partial CacheControl CacheControl { get; set; }
    [HttpHeader("ETag")] public partial EntityTag ETag { get; set; }
}

/// <summary>A response that declares its own Date.</summary>
[HttpResponse]
public partial class DatedResponse
{
    [HttpHeader("Date")] public partial DateTimeOffset? Date { get; set; }
}

/// <summary>A request with the typed header property kinds.</summary>
[HttpRequest]
public partial class TypedRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
    [HttpHeader("If-Modified-Since")] public partial DateTimeOffset? IfModifiedSince { get; set; }
    [HttpHeader("Cache-Control")] public partial CacheControl CacheControl { get; set; }
    [HttpHeader("If-Range")] public partial EntityTag IfRange { get; set; }
}

/// <summary>
/// The typed header properties (<c>DateTimeOffset?</c>, <see cref="CacheControl"/>, <see cref="EntityTag"/>): parsed
/// on read, absent when invalid, validated and written in canonical form when set, always read from the latest buffer.
/// </summary>
public class TypedHeaderTests
{
    private static readonly DateTimeOffset Nov6 = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    private static TypedResponse ParseResponse(string head)
    {
        var response = new TypedResponse();
        Assert.Equal(OperationStatus.Done, response.TryParse(Encoding.Latin1.GetBytes(head), out _));
        return response;
    }

    private static string Format(IHttpMessageHead message) => FormattingTests.Format(message);

    private static int DateLines(string head) => head.Split("\r\n").Count(line => line.StartsWith("Date:", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void A_declared_Date_that_is_set_or_parsed_is_the_only_Date_line_of_a_response()
    {
        var set = new DatedResponse { Date = Nov6 };
        string head = Format(set);
        Assert.Equal(1, DateLines(head));
        Assert.Contains("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n", head);

        var parsed = new DatedResponse();
        Assert.Equal(OperationStatus.Done, parsed.TryParse("HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), out _));
        head = Format(parsed);
        Assert.Equal(1, DateLines(head));
        Assert.Contains("\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n", head);

        // Absent: the current date, once.
        var absent = new DatedResponse();
        head = Format(absent);
        Assert.Equal(1, DateLines(head));
        Assert.DoesNotContain("1994", head);
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]   // IMF-fixdate
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]  // obsolete RFC 850
    [InlineData("Sun Nov  6 08:49:37 1994")]        // obsolete asctime
    [InlineData("sun, 06 NOV 1994 08:49:37 gmt")]   // names ignore case (RFC 9111 §4.2)
    public void Dates_in_every_form_of_rfc9110_are_read(string date)
    {
        TypedResponse response = ParseResponse("HTTP/1.1 200 OK\r\nLast-Modified: " + date + "\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(Nov6, response.LastModified);
        Assert.Equal(TimeSpan.Zero, response.LastModified!.Value.Offset);
    }

    [Theory]
    [InlineData("0")]                               // RFC 9111 §5.3: an invalid Expires means "already expired"
    [InlineData("Sun, 06 Nov 1994 08:49:37")]      // no zone
    [InlineData("Sun, 31 Nov 1994 08:49:37 GMT")]  // no such day
    [InlineData("Sun, 06 Nov 1994 24:49:37 GMT")]
    [InlineData("")]
    public void Invalid_dates_read_as_null_and_do_not_reject_the_message(string date)
    {
        TypedResponse response = ParseResponse("HTTP/1.1 200 OK\r\nExpires: " + date + "\r\nContent-Length: 0\r\n\r\n");
        Assert.Null(response.Expires);
        Assert.Null(response.LastModified);
        // Written back as received: the property reads it as absent, the message still carries it.
        Assert.Contains("\r\nExpires: " + date + "\r\n", Format(response));
    }

    [Fact]
    public void A_repeated_date_reads_the_first_line()
    {
        TypedResponse response = ParseResponse(
            "HTTP/1.1 200 OK\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\nLast-Modified: Mon, 07 Nov 1994 08:49:37 GMT\r\n\r\n");
        Assert.Equal(Nov6, response.LastModified);
    }

    [Fact]
    public void A_date_set_is_written_as_an_imf_fixdate_in_utc_to_the_second_and_read_back()
    {
        var set = new DateTimeOffset(2026, 12, 1, 21, 30, 15, 999, TimeSpan.FromHours(2)).AddTicks(1234);
        var response = new TypedResponse { LastModified = set, StatusCode = 304 };
        var expected = new DateTimeOffset(2026, 12, 1, 19, 30, 15, TimeSpan.Zero);
        Assert.Equal(expected, response.LastModified);
        Assert.Equal(TimeSpan.Zero, response.LastModified!.Value.Offset);

        string head = Format(response);
        Assert.Contains("\r\nLast-Modified: Tue, 01 Dec 2026 19:30:15 GMT\r\n", head);
        Assert.Equal(expected, ParseResponse(head).LastModified);

        response.LastModified = null;
        Assert.Null(response.LastModified);
        Assert.DoesNotContain("Last-Modified", Format(response));
    }

    [Fact]
    public void Extreme_dates_round_trip()
    {
        foreach (DateTimeOffset date in new[] { DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch })
        {
            var response = new TypedResponse { Expires = date };
            var truncated = new DateTimeOffset(date.UtcTicks - date.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            Assert.Equal(truncated, ParseResponse(Format(response)).Expires);
        }
    }

    [Fact]
    public void Cache_control_reads_the_directives_of_every_line_combined()
    {
        TypedResponse response = ParseResponse(
            "HTTP/1.1 200 OK\r\nCache-Control: public, max-age=60\r\nETag: \"a\"\r\ncache-control: must-revalidate\r\nCache-Control: s-maxage=5, x-ext=1\r\n\r\n");
        CacheControl cc = response.CacheControl;
        Assert.True(cc.Public);
        Assert.True(cc.MustRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(60), cc.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(5), cc.SharedMaxAge);
        Assert.False(cc.NoStore);
        // Several lines are written back as one, in canonical form (RFC 9110 §5.3 lets a recipient combine them).
        Assert.Contains("\r\nCache-Control: public, must-revalidate, max-age=60, s-maxage=5\r\n", Format(response));
    }

    [Fact]
    public void Cache_control_read_before_a_later_line_arrives_reads_that_line_too()
    {
        byte[] head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nCache-Control: no-cache\r\nCache-Control: no-store\r\n\r\n");
        var response = new TypedResponse();
        int firstLineEnd = Encoding.ASCII.GetString(head).IndexOf("Cache-Control: no-store", StringComparison.Ordinal);
        Assert.Equal(OperationStatus.NeedMoreData, response.TryParse(head.AsMemory(0, firstLineEnd), out _));
        Assert.True(response.CacheControl.NoCache);
        Assert.False(response.CacheControl.NoStore);

        Assert.Equal(OperationStatus.Done, response.TryParse(head, out _));
        Assert.True(response.CacheControl.NoCache);
        Assert.True(response.CacheControl.NoStore);
    }

    [Fact]
    public void Cache_control_absent_or_without_known_directives_reads_as_none()
    {
        Assert.True(ParseResponse("HTTP/1.1 200 OK\r\n\r\n").CacheControl.IsEmpty);
        TypedResponse odd = ParseResponse("HTTP/1.1 200 OK\r\nCache-Control: ,,, x-ext, =bad\r\n\r\n");
        Assert.True(odd.CacheControl.IsEmpty);
        Assert.Contains("\r\nCache-Control: ,,, x-ext, =bad\r\n", Format(odd)); // a single line is written as received
    }

    [Fact]
    public void Cache_control_set_is_written_canonically_and_read_back()
    {
        var set = new CacheControl { Private = true, NoCache = true, MaxAge = TimeSpan.FromSeconds(30), StaleIfError = TimeSpan.FromMinutes(1) };
        var request = new TypedRequest { Host = "h"u8, CacheControl = new CacheControl { MaxStale = TimeSpan.MaxValue, OnlyIfCached = true } };
        var response = new TypedResponse { CacheControl = set };
        Assert.Equal(set, response.CacheControl);

        string head = Format(response);
        Assert.Contains("\r\nCache-Control: private, no-cache, max-age=30, stale-if-error=60\r\n", head);
        Assert.Equal(set, ParseResponse(head).CacheControl);

        string requestHead = Format(request);
        Assert.Contains("\r\nCache-Control: only-if-cached, max-stale\r\n", requestHead);
        var received = new TypedRequest();
        Assert.Equal(OperationStatus.Done, received.TryParse(Encoding.Latin1.GetBytes(requestHead), out _));
        Assert.Equal(TimeSpan.MaxValue, received.CacheControl.MaxStale);
        Assert.True(received.CacheControl.OnlyIfCached);

        response.CacheControl = default;
        Assert.True(response.CacheControl.IsEmpty);
        Assert.DoesNotContain("Cache-Control", Format(response));
    }

    [Theory]
    [InlineData("\"xyzzy\"", "xyzzy", false)]
    [InlineData("W/\"xyzzy\"", "xyzzy", true)]
    [InlineData("\"\"", "", false)]
    public void Entity_tags_are_read_as_views_of_the_head(string value, string tag, bool weak)
    {
        TypedResponse response = ParseResponse("HTTP/1.1 200 OK\r\nETag: " + value + "\r\n\r\n");
        EntityTag read = response.ETag;
        Assert.True(read.IsPresent);
        Assert.Equal(tag, Encoding.Latin1.GetString(read.Tag));
        Assert.Equal(weak, read.IsWeak);
    }

    [Theory]
    [InlineData("xyzzy")]
    [InlineData("\"a\", \"b\"")]
    [InlineData("w/\"a\"")]
    [InlineData("\"a")]
    public void Invalid_entity_tags_read_as_absent(string value)
    {
        TypedResponse response = ParseResponse("HTTP/1.1 200 OK\r\nETag: " + value + "\r\n\r\n");
        Assert.False(response.ETag.IsPresent);
        Assert.False(ParseResponse("HTTP/1.1 200 OK\r\n\r\n").ETag.IsPresent);
        // Absent matches nothing, not even another absent tag.
        Assert.False(response.ETag.WeakEquals(default));
        Assert.False(response.ETag.StrongEquals(default));
    }

    [Fact]
    public void Entity_tags_set_are_written_with_their_quotes_and_compare_strongly_or_weakly()
    {
        var response = new TypedResponse { ETag = new EntityTag("v1"u8, isWeak: true) };
        string head = Format(response);
        Assert.Contains("\r\nETag: W/\"v1\"\r\n", head);
        TypedResponse received = ParseResponse(head);
        Assert.True(received.ETag.WeakEquals(new EntityTag("v1"u8, isWeak: false)));
        Assert.False(received.ETag.StrongEquals(new EntityTag("v1"u8, isWeak: false)));

        var request = new TypedRequest { Host = "h"u8, IfRange = new EntityTag("v1"u8, isWeak: false) };
        var parsedRequest = new TypedRequest();
        Assert.Equal(OperationStatus.Done, parsedRequest.TryParse(Encoding.Latin1.GetBytes(Format(request)), out _));
        Assert.True(parsedRequest.IfRange.StrongEquals(new EntityTag("v1"u8, isWeak: false)));

        response.ETag = default;
        Assert.False(response.ETag.IsPresent);
        Assert.DoesNotContain("ETag", Format(response));
    }

    [Fact]
    public void An_entity_tag_is_copied_when_set_and_checked_again()
    {
        byte[] pooled = Encoding.ASCII.GetBytes("abc");
        var response = new TypedResponse { ETag = new EntityTag(pooled, isWeak: false) };
        pooled.AsSpan().Fill((byte)'z'); // the caller's buffer is reused: the copy set stays
        Assert.Contains("\r\nETag: \"abc\"\r\n", Format(response));

        // Memory changed between making the tag and setting it: a line break must not get onto the wire.
        byte[] changed = Encoding.ASCII.GetBytes("abcdefgh");
        Assert.Throws<ArgumentException>(() => SetChangedTag(response, changed));
        Assert.Contains("\r\nETag: \"abc\"\r\n", Format(response)); // the earlier value stays
    }

    private static void SetChangedTag(TypedResponse response, byte[] bytes)
    {
        var tag = new EntityTag(bytes, isWeak: false);
        Encoding.ASCII.GetBytes("a\r\nX: y").CopyTo(bytes, 0);
        response.ETag = tag;
    }

    [Fact]
    public void Setters_cannot_put_a_line_break_on_the_wire()
    {
        // Nothing the typed values can hold formats to a control character: the only way in is an entity tag made
        // from bytes that hold one, which its constructor refuses.
        Assert.Throws<ArgumentException>(() => new EntityTag("a\r\nSet-Cookie: x"u8, isWeak: false));
        var response = new TypedResponse
        {
            LastModified = DateTimeOffset.MaxValue,
            CacheControl = new CacheControl { MaxAge = TimeSpan.MaxValue, NoCache = true },
        };
        string head = Format(response);
        Assert.Contains("\r\nCache-Control: no-cache, max-age=" + CacheControl.MaxDeltaSeconds + "\r\n", head);
        Assert.Equal(head.Split("\r\n").Length - 1, head.Count(c => c == '\n'));
        Assert.DoesNotContain('\r', head.Replace("\r\n", ""));
    }

    [Fact]
    public void Reading_typed_values_allocates_nothing()
    {
        TypedResponse response = ParseResponse(
            "HTTP/1.1 200 OK\r\nLast-Modified: Sunday, 06-Nov-94 08:49:37 GMT\r\nCache-Control: max-age=9\r\nCache-Control: public\r\nETag: W/\"t\"\r\n\r\n");
        Allocations.AssertNone(n =>
        {
            long sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += response.LastModified!.Value.Second + response.CacheControl.MaxAge!.Value.Seconds + response.ETag.Tag.Length;
            }

            return sum;
        });
    }

    /// <summary>The typed kinds after a move of the bytes per call, each line complete in an earlier buffer than the last.</summary>
    [Theory]
    [InlineData(Move.NewArray)]
    [InlineData(Move.Compact)]
    [InlineData(Move.Segments)]
    public void Typed_values_read_the_latest_buffer(Move move)
    {
        const string text = "HTTP/1.1 200 OK\r\nLast-Modified: Sun Nov  6 08:49:37 1994\r\nCache-Control: max-age=60, private=\"x\"\r\n" +
            "ETag: W/\"abc\"\r\nExpires: Sun, 06 Nov 1994 08:49:37 GMT\r\nCache-Control: must-revalidate\r\nContent-Length: 0\r\n\r\n";
        byte[] input = Encoding.ASCII.GetBytes(text);
        var response = new TypedResponse();
        (OperationStatus status, _) = Feed.Moved(response.TryParse, response.TryParse, input, MovedBufferTests.LineEnds(text), move);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(Nov6, response.LastModified);
        Assert.Equal(Nov6, response.Expires);
        Assert.Equal(TimeSpan.FromSeconds(60), response.CacheControl.MaxAge);
        Assert.True(response.CacheControl.IsPrivateQualified);
        Assert.True(response.CacheControl.MustRevalidate);
        Assert.Equal("abc", Encoding.ASCII.GetString(response.ETag.Tag));
        Assert.True(response.ETag.IsWeak);
        string head = Format(response);
        Assert.Contains("\r\nETag: W/\"abc\"\r\n", head);
        Assert.Contains("\r\nLast-Modified: Sun Nov  6 08:49:37 1994\r\n", head);
    }
}
