using System.Text;
using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>Cache-Control parsing (RFC 9111 §5.2): every directive, case, quoting, lists, repeats and garbage.</summary>
public class CacheControlTests
{
    private static CacheControl P(string s) => CacheControl.Parse(Encoding.Latin1.GetBytes(s));

    private static TimeSpan S(long seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Every_directive_of_rfc9111_and_rfc5861()
    {
        CacheControl cc = P("max-age=60, s-maxage=120, no-cache, no-store, private, public, must-revalidate, proxy-revalidate, "
            + "must-understand, no-transform, immutable, only-if-cached, max-stale=5, min-fresh=7, stale-while-revalidate=30, stale-if-error=300");
        Assert.Equal(S(60), cc.MaxAge);
        Assert.Equal(S(120), cc.SharedMaxAge);
        Assert.True(cc.NoCache && !cc.IsNoCacheQualified);
        Assert.True(cc.NoStore);
        Assert.True(cc.Private && !cc.IsPrivateQualified);
        Assert.True(cc.Public && cc.MustRevalidate && cc.ProxyRevalidate && cc.MustUnderstand && cc.NoTransform && cc.Immutable && cc.OnlyIfCached);
        Assert.Equal(S(5), cc.MaxStale);
        Assert.Equal(S(7), cc.MinFresh);
        Assert.Equal(S(30), cc.StaleWhileRevalidate);
        Assert.Equal(S(300), cc.StaleIfError);
    }

    [Fact]
    public void Empty_and_absent_directives()
    {
        CacheControl cc = P("");
        Assert.True(cc.IsEmpty);
        Assert.Equal(default, cc);
        Assert.Null(cc.MaxAge);
        Assert.Null(cc.MaxStale);
        Assert.False(cc.NoCache);
        Assert.True(CacheControl.TryParse(""u8, out _));
    }

    [Theory]
    [InlineData("MAX-AGE=60")]
    [InlineData("Max-Age=60")]
    [InlineData("max-age=\"60\"")] // recipients accept the quoted form (RFC 9111 §5.2)
    [InlineData("  max-age=60  ")]
    [InlineData(",, max-age=60 ,")]
    [InlineData("foo, max-age=60, bar=\"x, max-age=1\"")] // a comma inside a quoted extension value does not split
    [InlineData("max-age=060")]
    public void Names_ignore_case_and_values_may_be_quoted(string text)
    {
        Assert.Equal(S(60), P(text).MaxAge);
    }

    [Theory]
    // RFC 9111 §4.2.1 / §1.2.2: invalid freshness information makes the response stale: max-age = 0.
    [InlineData("max-age=abc")]
    [InlineData("max-age=-1")]
    [InlineData("max-age=1.5")]
    [InlineData("max-age")]
    [InlineData("max-age=")]
    [InlineData("max-age=\"\"")]
    [InlineData("max-age=60, max-age=120")] // differing repeats: stale
    [InlineData("max-age=\"6\\0\"")]
    public void Invalid_max_age_means_stale(string text)
    {
        Assert.Equal(TimeSpan.Zero, P(text).MaxAge);
        if (!text.Contains(','))
        {
            Assert.False(CacheControl.TryParse(Encoding.ASCII.GetBytes(text), out _));
        }
    }

    [Fact]
    public void Repeated_equal_max_age_is_kept()
    {
        Assert.Equal(S(60), P("max-age=60, max-age=60").MaxAge);
        Assert.Equal(S(60), CacheControl.Combine(P("max-age=60"), P("max-age=60")).MaxAge);
        Assert.Equal(TimeSpan.Zero, CacheControl.Combine(P("max-age=60"), P("max-age=61")).MaxAge);
    }

    [Fact]
    public void Delta_seconds_overflow_is_two_to_the_31()
    {
        Assert.Equal(S(2147483648), P("max-age=99999999999999999999999999").MaxAge);
        Assert.Equal(S(2147483648), P("max-age=2147483649").MaxAge);
        Assert.Equal(S(2147483647), P("max-age=2147483647").MaxAge);
    }

    [Fact]
    public void Max_stale_with_and_without_a_value()
    {
        Assert.Equal(TimeSpan.MaxValue, P("max-stale").MaxStale);
        Assert.Equal(S(10), P("max-stale=10").MaxStale);
        Assert.Equal(S(10), P("max-stale, max-stale=10").MaxStale); // the smaller allowance wins
        Assert.Null(P("max-stale=ten").MaxStale); // invalid: no stale response allowed
    }

    [Fact]
    public void Invalid_request_directives_lean_towards_less_reuse()
    {
        Assert.Equal(S(CacheControl.MaxDeltaSeconds), P("min-fresh=x").MinFresh);
        Assert.Equal(S(20), P("min-fresh=10, min-fresh=20").MinFresh);
        Assert.Null(P("stale-while-revalidate=soon").StaleWhileRevalidate);
        Assert.Null(P("stale-if-error").StaleIfError);
        Assert.Equal(S(5), P("stale-if-error=50, stale-if-error=5").StaleIfError);
    }

    [Fact]
    public void Qualified_no_cache_and_private_keep_their_field_names_in_the_value()
    {
        byte[] value = Encoding.ASCII.GetBytes("private=\"Set-Cookie, X-Secret\", no-cache=Set-Cookie, max-age=5");
        CacheControl cc = CacheControl.Parse(value);
        Assert.True(cc.Private && cc.IsPrivateQualified);
        Assert.True(cc.NoCache && cc.IsNoCacheQualified);
        Assert.True(CacheControl.TryGetFieldNames(value, "private"u8, out ReadOnlySpan<byte> names));
        Assert.Equal("Set-Cookie, X-Secret", Encoding.ASCII.GetString(names));
        Assert.True(CacheControl.TryGetFieldNames(value, "NO-CACHE"u8, out names));
        Assert.Equal("Set-Cookie", Encoding.ASCII.GetString(names));
        Assert.False(CacheControl.TryGetFieldNames(value, "max-stale"u8, out _));
    }

    [Theory]
    [InlineData("no-cache=\"a\", no-cache")]
    [InlineData("no-cache, no-cache=\"a\"")]
    public void Unqualified_no_cache_wins_in_any_order(string text)
    {
        CacheControl cc = P(text);
        Assert.True(cc.NoCache);
        Assert.False(cc.IsNoCacheQualified);
    }

    [Fact]
    public void Unqualified_wins_across_field_lines()
    {
        CacheControl cc = CacheControl.Combine(P("private=\"a\""), P("private"));
        Assert.True(cc.Private && !cc.IsPrivateQualified);
        cc = CacheControl.Combine(P("private"), P("private=\"a\""));
        Assert.True(cc.Private && !cc.IsPrivateQualified);
        cc = CacheControl.Combine(P("no-store"), P("max-age=3, public"));
        Assert.True(cc.NoStore && cc.Public);
        Assert.Equal(S(3), cc.MaxAge);
    }

    [Theory]
    [InlineData("max-age=60;x")]
    [InlineData("max-age =60")]
    [InlineData("max-age= 60")]
    [InlineData("public=yes")]
    [InlineData("\"quoted\"")]
    [InlineData("=5")]
    [InlineData("@@@")]
    [InlineData("max-age=\"60")]
    [InlineData("no-cache=\"\"")]
    public void Strict_parse_rejects_malformed_elements(string text)
    {
        Assert.False(CacheControl.TryParse(Encoding.ASCII.GetBytes(text), out CacheControl result));
        Assert.Equal(default, result);
    }

    [Theory]
    [InlineData("max-age=60;x", 60)] // the bad element's own directive is still read up to the garbage
    [InlineData("garbage garbage, max-age=7", 7)]
    [InlineData("\"x, y\", max-age=8", 8)]
    [InlineData("max-age=\"9\" junk, public", 9)]
    public void Lenient_parse_skips_garbage_to_the_next_comma(string text, int maxAge)
    {
        Assert.Equal(S(maxAge), P(text).MaxAge);
    }

    [Fact]
    public void Unterminated_quote_swallows_the_rest()
    {
        CacheControl cc = P("foo=\"bar, max-age=5");
        Assert.Null(cc.MaxAge);
    }

    [Fact]
    public void Formats_in_a_fixed_order_and_round_trips()
    {
        var cc = new CacheControl { MaxAge = S(60), Public = true, StaleWhileRevalidate = S(30), MaxStale = TimeSpan.MaxValue, NoCache = true };
        Assert.Equal("public, no-cache, max-age=60, max-stale, stale-while-revalidate=30", cc.ToString());
        Span<byte> buffer = stackalloc byte[128];
        Assert.True(cc.TryFormat(buffer, out int written));
        Assert.True(CacheControl.TryParse(buffer[..written], out CacheControl back));
        Assert.Equal(cc, back);
        Assert.False(cc.TryFormat(buffer[..10], out written));
        Assert.Equal(0, written);
        Assert.Equal("max-age=0", new CacheControl { MaxAge = TimeSpan.FromMilliseconds(999) }.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheControl { MaxAge = S(-1) });
    }

    [Fact]
    public void Parsing_does_not_allocate()
    {
        byte[] value = Encoding.ASCII.GetBytes("public, max-age=3600, stale-while-revalidate=60, no-cache=\"Set-Cookie\", ext=\"a, b\"");
        Allocations.AssertNone(count =>
        {
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += CacheControl.Parse(value).MaxAge!.Value.Ticks;
            }

            return sum;
        });
    }
}
