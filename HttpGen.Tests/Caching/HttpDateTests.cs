using System.Text;
using HttpGen.Formatting;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>HTTP-date parsing (RFC 9110 §5.6.7): the three forms a recipient must accept, and what is not a date.</summary>
public class HttpDateTests
{
    private static readonly DateTimeOffset Expected = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")] // IMF-fixdate
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")] // obsolete RFC 850
    [InlineData("Sun Nov  6 08:49:37 1994")] // obsolete asctime, day padded with a space
    [InlineData("Sun Nov 06 08:49:37 1994")] // asctime with a two-digit day
    [InlineData("sun, 06 nov 1994 08:49:37 gmt")] // RFC 9111 §4.2: caches match case-insensitively
    [InlineData("SUNDAY, 06-NOV-94 08:49:37 GMT")]
    public void Parses_the_three_forms(string text)
    {
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), out DateTimeOffset value));
        Assert.Equal(Expected, value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Sun, 06 Nov 1994 08:49:37")] // no GMT
    [InlineData("Sun, 06 Nov 1994 08:49:37 UTC")] // only GMT is allowed
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT ")] // trailing byte
    [InlineData("Sun,  6 Nov 1994 08:49:37 GMT")] // IMF-fixdate needs two digits
    [InlineData("Sun, 31 Nov 1994 08:49:37 GMT")] // November has 30 days
    [InlineData("Sun, 29 Feb 1995 08:49:37 GMT")] // not a leap year
    [InlineData("Sun, 06 Nov 1994 24:00:00 GMT")] // hour out of range
    [InlineData("Sun, 06 Nov 1994 08:60:00 GMT")] // minute out of range
    [InlineData("Sun, 06 Nov 1994 08:49:61 GMT")] // second out of range
    [InlineData("Sun, 06 Foo 1994 08:49:37 GMT")] // unknown month
    [InlineData("Xyz, 06 Nov 1994 08:49:37 GMT")] // unknown day
    [InlineData("Sun, 06 Nov 0000 08:49:37 GMT")] // year 0
    [InlineData("Sun, 06 Nov 1994 08-49-37 GMT")]
    [InlineData("Sun, 0x Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-1994 08:49:37 GMT")] // RFC 850 has a two-digit year
    [InlineData("Sundae, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994 GMT")]
    [InlineData("Sun Nov 6 08:49:37 1994")] // asctime pads the day to two characters
    [InlineData("0")] // the classic invalid Expires
    [InlineData("-1")]
    [InlineData("1994-11-06T08:49:37Z")]
    public void Rejects_what_is_not_an_http_date(string text)
    {
        Assert.False(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), out DateTimeOffset value));
        Assert.Equal(default, value);
    }

    [Fact]
    public void Leap_second_reads_as_the_59th()
    {
        Assert.True(HttpDate.TryParse("Wed, 31 Dec 2016 23:59:60 GMT"u8, out DateTimeOffset value));
        Assert.Equal(new DateTimeOffset(2016, 12, 31, 23, 59, 59, TimeSpan.Zero), value);
    }

    [Theory]
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year with those digits.
    [InlineData(2024, "Monday, 01-Jan-24 00:00:00 GMT", 2024)]
    [InlineData(2024, "Friday, 01-Jan-74 00:00:00 GMT", 2074)] // exactly 50 years ahead: not more than 50
    [InlineData(2024, "Thursday, 01-Jan-75 00:00:00 GMT", 1975)] // 51 years ahead: the past century
    [InlineData(2024, "Friday, 01-Jan-99 00:00:00 GMT", 1999)]
    [InlineData(2090, "Wednesday, 01-Jan-10 00:00:00 GMT", 2110)] // 20 years ahead of 2090
    public void Rfc850_two_digit_years_follow_the_fifty_year_rule(int nowYear, string text, int year)
    {
        Assert.True(HttpDate.TryParse(Encoding.ASCII.GetBytes(text), new DateTimeOffset(nowYear, 6, 1, 0, 0, 0, TimeSpan.Zero), out DateTimeOffset value));
        Assert.Equal(year, value.Year);
    }

    [Fact]
    public void Formats_imf_fixdate_in_utc_and_round_trips()
    {
        var local = new DateTimeOffset(1994, 11, 6, 10, 49, 37, 500, TimeSpan.FromHours(2));
        Span<byte> buffer = stackalloc byte[40];
        Assert.True(HttpDate.TryFormat(local, buffer, out int written));
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", Encoding.ASCII.GetString(buffer[..written]));
        Assert.True(HttpDate.TryParse(buffer[..written], out DateTimeOffset back));
        Assert.Equal(Expected, back);
        Assert.False(HttpDate.TryFormat(local, buffer[..28], out written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Parsing_does_not_allocate()
    {
        byte[][] inputs = [Encoding.ASCII.GetBytes("Sun, 06 Nov 1994 08:49:37 GMT"), Encoding.ASCII.GetBytes("Sun Nov  6 08:49:37 1994")];
        Allocations.AssertNone(count =>
        {
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                HttpDate.TryParse(inputs[i & 1], out DateTimeOffset d);
                sum += d.Ticks;
            }

            return sum;
        });
    }
}
