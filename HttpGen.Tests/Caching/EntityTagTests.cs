using System.Text;
using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>Entity tags: parsing, the comparison table of RFC 9110 §8.8.3.2, and If-None-Match lists.</summary>
public class EntityTagTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    [Theory]
    // RFC 9110 §8.8.3.2, the example table: ETag 1, ETag 2, strong comparison, weak comparison.
    [InlineData("W/\"1\"", "W/\"1\"", false, true)]
    [InlineData("W/\"1\"", "W/\"2\"", false, false)]
    [InlineData("W/\"1\"", "\"1\"", false, true)]
    [InlineData("\"1\"", "\"1\"", true, true)]
    public void Comparison_table_of_rfc9110(string first, string second, bool strong, bool weak)
    {
        Assert.True(EntityTag.TryParse(B(first), out EntityTag a));
        Assert.True(EntityTag.TryParse(B(second), out EntityTag b));
        Assert.Equal(strong, a.StrongEquals(b));
        Assert.Equal(strong, b.StrongEquals(a));
        Assert.Equal(weak, a.WeakEquals(b));
        Assert.Equal(weak, b.WeakEquals(a));
    }

    [Theory]
    [InlineData("\"xyzzy\"", "xyzzy", false)]
    [InlineData("W/\"xyzzy\"", "xyzzy", true)]
    [InlineData("\"\"", "", false)]
    [InlineData("\"a,b\"", "a,b", false)] // commas are etagc
    [InlineData("\"\u00e9t\u00e9\"", "\u00e9t\u00e9", false)] // obs-text
    public void Parses_tags(string text, string tag, bool weak)
    {
        Assert.True(EntityTag.TryParse(B(text), out EntityTag parsed));
        Assert.Equal(tag, Encoding.Latin1.GetString(parsed.Tag));
        Assert.Equal(weak, parsed.IsWeak);
        Assert.Equal(text, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyzzy")] // unquoted
    [InlineData("\"xyzzy")] // unterminated
    [InlineData("w/\"xyzzy\"")] // the weak prefix is case-sensitive
    [InlineData("W/xyzzy")]
    [InlineData("\"xy zzy\"")] // no white space inside
    [InlineData("\"a\" ")] // trailing byte
    [InlineData("\"a\"\"b\"")]
    [InlineData("*")]
    public void Rejects_malformed_tags(string text)
    {
        Assert.False(EntityTag.TryParse(B(text), out _));
    }

    [Fact]
    public void Constructor_validates_and_formats()
    {
        var tag = new EntityTag("v1"u8, isWeak: true);
        Span<byte> buffer = stackalloc byte[8];
        Assert.True(tag.TryFormat(buffer, out int written));
        Assert.Equal("W/\"v1\"", Encoding.ASCII.GetString(buffer[..written]));
        Assert.False(tag.TryFormat(buffer[..5], out _));
        Assert.Throws<ArgumentException>(() => new EntityTag("a\"b"u8, false));
    }

    [Fact]
    public void If_none_match_list_with_star_and_tags()
    {
        Assert.True(EntityTagList.TryParse("*"u8, out EntityTagList any));
        Assert.True(any.IsAny);
        Assert.True(EntityTag.TryParse("\"whatever\""u8, out EntityTag whatever));
        Assert.True(any.ContainsWeakMatch(whatever));

        Assert.True(EntityTagList.TryParse(" \"a\" , W/\"b\",,\"c,d\""u8, out EntityTagList list));
        Assert.False(list.IsAny);
        var seen = new List<string>();
        foreach (EntityTag t in list)
        {
            seen.Add(t.ToString());
        }

        Assert.Equal(["\"a\"", "W/\"b\"", "\"c,d\""], seen);
        Assert.True(EntityTag.TryParse("\"b\""u8, out EntityTag b));
        Assert.True(list.ContainsWeakMatch(b));
        Assert.False(list.ContainsStrongMatch(b)); // listed weak
        Assert.True(EntityTag.TryParse("W/\"a\""u8, out EntityTag weakA));
        Assert.True(list.ContainsWeakMatch(weakA));
        Assert.False(list.ContainsStrongMatch(weakA));
    }

    [Theory]
    [InlineData("\"a\" \"b\"")] // missing comma
    [InlineData("\"a\", b")]
    [InlineData("*, \"a\"")] // "*" only alone
    [InlineData("\"a")]
    public void Rejects_malformed_lists(string text)
    {
        Assert.False(EntityTagList.TryParse(B(text), out _));
    }
}
