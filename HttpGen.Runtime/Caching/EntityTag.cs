using System.Buffers;
using System.Text;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>
/// An entity tag (RFC 9110 §8.8.3): <c>"opaque"</c> or, weak, <c>W/"opaque"</c>. A view over the bytes it was parsed
/// from: nothing is copied or allocated.
/// </summary>
/// <remarks>
/// The two comparisons of RFC 9110 §8.8.3.2: <see cref="StrongEquals"/> (both strong, same characters: for If-Match
/// and ranges) and <see cref="WeakEquals"/> (same characters, weak or not: for If-None-Match and cache validation).
/// </remarks>
public readonly ref struct EntityTag
{
    // Bytes that cannot appear inside the quotes: etagc is %x21 / %x23-7E / obs-text.
    private static readonly SearchValues<byte> s_notTagChar = SearchValues.Create(NotTagChars());

    /// <summary>Creates an entity tag from its opaque characters.</summary>
    /// <param name="tag">The characters between the quotes.</param>
    /// <param name="isWeak">Whether it is weak (<c>W/</c> prefix).</param>
    /// <exception cref="ArgumentException"><paramref name="tag"/> holds a quote, a control character or white space.</exception>
    public EntityTag(ReadOnlySpan<byte> tag, bool isWeak)
    {
        if (tag.IndexOfAny(s_notTagChar) >= 0)
        {
            throw new ArgumentException("An entity tag cannot hold a double quote, white space or control characters.", nameof(tag));
        }

        Tag = tag;
        IsWeak = isWeak;
        IsPresent = true;
    }

    private EntityTag(ReadOnlySpan<byte> tag, bool isWeak, bool _)
    {
        Tag = tag;
        IsWeak = isWeak;
        IsPresent = true;
    }

    /// <summary>
    /// Whether this is a tag, parsed or created; false for <c>default</c>, which stands for no tag: an absent or invalid
    /// field (an <c>EntityTag</c> header property reads so), or no tag to set (setting it removes the field).
    /// </summary>
    public bool IsPresent { get; }

    /// <summary>The opaque characters, without the quotes and the weak prefix.</summary>
    public ReadOnlySpan<byte> Tag { get; }

    /// <summary>Whether the tag is weak (<c>W/"..."</c>).</summary>
    public bool IsWeak { get; }

    /// <summary>The formatted length: the tag, two quotes, and <c>W/</c> when weak.</summary>
    public int FormattedLength => Tag.Length + (IsWeak ? 4 : 2);

    /// <summary>Parses exactly one entity tag (an ETag field value).</summary>
    /// <param name="value">The trimmed field value.</param>
    /// <param name="tag">The tag, a view into <paramref name="value"/>.</param>
    /// <returns>False unless the whole value is one entity tag.</returns>
    public static bool TryParse(ReadOnlySpan<byte> value, out EntityTag tag) =>
        TryParsePrefix(value, out tag, out int consumed) && consumed == value.Length;

    /// <summary>Parses an entity tag at the start of <paramref name="value"/>.</summary>
    internal static bool TryParsePrefix(ReadOnlySpan<byte> value, out EntityTag tag, out int consumed)
    {
        tag = default;
        consumed = 0;
        bool weak = value.Length >= 2 && value[0] == (byte)'W' && value[1] == (byte)'/';
        int open = weak ? 2 : 0;
        if (value.Length < open + 2 || value[open] != (byte)'"')
        {
            return false;
        }

        int close = value[(open + 1)..].IndexOfAny(s_notTagChar);
        if (close < 0 || value[open + 1 + close] != (byte)'"')
        {
            return false;
        }

        close += open + 1;
        tag = new EntityTag(value[(open + 1)..close], weak, true);
        consumed = close + 1;
        return true;
    }

    /// <summary>The strong comparison: both tags strong and their characters identical.</summary>
    /// <param name="other">The other tag.</param>
    /// <returns>True when they match strongly.</returns>
    /// <remarks>A <c>default</c> tag (not <see cref="IsPresent"/>) matches nothing, not even another <c>default</c>.</remarks>
    public bool StrongEquals(EntityTag other) => IsPresent && other.IsPresent && !IsWeak && !other.IsWeak && Tag.SequenceEqual(other.Tag);

    /// <summary>The weak comparison: the characters identical, whether either tag is weak or not.</summary>
    /// <param name="other">The other tag.</param>
    /// <returns>True when they match weakly.</returns>
    /// <remarks>A <c>default</c> tag (not <see cref="IsPresent"/>) matches nothing, not even another <c>default</c>.</remarks>
    public bool WeakEquals(EntityTag other) => IsPresent && other.IsPresent && Tag.SequenceEqual(other.Tag);

    /// <summary>Whether the characters are still all etagc: the memory a tag views may have changed since it was checked.</summary>
    internal bool HasValidCharacters => Tag.IndexOfAny(s_notTagChar) < 0;

    /// <summary>Writes the tag with its quotes (and <c>W/</c> when weak).</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The length written; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is shorter than <see cref="FormattedLength"/>.</returns>
    public bool TryFormat(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < FormattedLength)
        {
            return false;
        }

        int at = 0;
        if (IsWeak)
        {
            destination[at++] = (byte)'W';
            destination[at++] = (byte)'/';
        }

        destination[at++] = (byte)'"';
        Tag.CopyTo(destination[at..]);
        at += Tag.Length;
        destination[at++] = (byte)'"';
        bytesWritten = at;
        return true;
    }

    /// <summary>The formatted tag, decoded as Latin-1 (allocates).</summary>
    /// <returns>For instance <c>W/"xyzzy"</c>.</returns>
    public override string ToString()
    {
        var bytes = new byte[FormattedLength];
        TryFormat(bytes, out _);
        return Encoding.Latin1.GetString(bytes);
    }

    private static byte[] NotTagChars()
    {
        var list = new List<byte>();
        for (int b = 0; b <= 0x20; b++)
        {
            list.Add((byte)b);
        }

        list.Add((byte)'"');
        list.Add(0x7F);
        return [.. list];
    }
}

/// <summary>
/// The value of an <c>If-None-Match</c> or <c>If-Match</c> field (RFC 9110 §13.1.1–13.1.2): <c>*</c>, or a
/// comma-separated list of entity tags. A view over the field value; enumerate it with <c>foreach</c>.
/// </summary>
public readonly ref struct EntityTagList
{
    private readonly ReadOnlySpan<byte> _value;

    private EntityTagList(ReadOnlySpan<byte> value, bool isAny)
    {
        _value = value;
        IsAny = isAny;
    }

    /// <summary>Whether the value is <c>*</c>, which matches any current representation.</summary>
    public bool IsAny { get; }

    /// <summary>Parses <c>"*" / #entity-tag</c>, checking the whole list.</summary>
    /// <param name="value">The trimmed field value (several lines may be joined with commas).</param>
    /// <param name="list">The list, a view into <paramref name="value"/>.</param>
    /// <returns>False when the value is neither <c>*</c> nor a list of entity tags.</returns>
    public static bool TryParse(ReadOnlySpan<byte> value, out EntityTagList list)
    {
        list = default;
        if (value.Length == 1 && value[0] == (byte)'*')
        {
            list = new EntityTagList(value, isAny: true);
            return true;
        }

        var walk = new Enumerator(value);
        while (walk.MoveNext())
        {
        }

        if (walk.Failed)
        {
            return false;
        }

        list = new EntityTagList(value, isAny: false);
        return true;
    }

    /// <summary>Whether <c>*</c> or any listed tag matches <paramref name="tag"/> by the weak comparison (If-None-Match).</summary>
    /// <param name="tag">The current tag.</param>
    /// <returns>True on a match.</returns>
    public bool ContainsWeakMatch(EntityTag tag) => Contains(tag, strong: false);

    /// <summary>Whether <c>*</c> or any listed tag matches <paramref name="tag"/> by the strong comparison (If-Match).</summary>
    /// <param name="tag">The current tag.</param>
    /// <returns>True on a match.</returns>
    public bool ContainsStrongMatch(EntityTag tag) => Contains(tag, strong: true);

    /// <summary>Walks the listed tags (none for <c>*</c>).</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(IsAny ? default : _value);

    private bool Contains(EntityTag tag, bool strong)
    {
        if (IsAny)
        {
            return true;
        }

        foreach (EntityTag listed in this)
        {
            if (strong ? listed.StrongEquals(tag) : listed.WeakEquals(tag))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Walks the tags of a list.</summary>
    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> value)
        {
            _rest = value;
            Current = default;
            Failed = false;
        }

        /// <summary>The current tag.</summary>
        public EntityTag Current { get; private set; }

        internal bool Failed { get; private set; }

        /// <summary>Moves to the next tag; empty list elements are skipped.</summary>
        /// <returns>False at the end, or at a malformed element.</returns>
        public bool MoveNext()
        {
            int start = 0;
            while (start < _rest.Length && (_rest[start] == (byte)',' || HttpCharacters.IsWhitespace(_rest[start])))
            {
                start++;
            }

            if (start == _rest.Length)
            {
                _rest = default;
                return false;
            }

            if (!EntityTag.TryParsePrefix(_rest[start..], out EntityTag tag, out int consumed))
            {
                Failed = true;
                _rest = default;
                return false;
            }

            ReadOnlySpan<byte> after = _rest[(start + consumed)..];
            int next = 0;
            while (next < after.Length && HttpCharacters.IsWhitespace(after[next]))
            {
                next++;
            }

            if (next < after.Length && after[next] != (byte)',')
            {
                Failed = true;
                _rest = default;
                return false;
            }

            _rest = after[next..];
            Current = tag;
            return true;
        }
    }
}
