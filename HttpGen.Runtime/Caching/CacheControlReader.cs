using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>
/// Walks the directives of a Cache-Control value (RFC 9111 §5.2): <c>token [ "=" ( token / quoted-string ) ]</c>
/// separated by commas, with optional white space around them. Never fails: a malformed element is reported as such
/// and the walk resumes after the next comma that is not inside a quoted string.
/// </summary>
internal ref struct CacheControlReader
{
    private ReadOnlySpan<byte> _rest;

    public CacheControlReader(ReadOnlySpan<byte> value) => _rest = value;

    /// <summary>The directive name, as received (compare ignoring case).</summary>
    public ReadOnlySpan<byte> Name;

    /// <summary>The argument: a token, or a quoted string's content with its escapes still in place.</summary>
    public ReadOnlySpan<byte> Argument;

    /// <summary>Whether an argument was given.</summary>
    public bool HasArgument;

    /// <summary>Whether the argument was a quoted string.</summary>
    public bool IsQuoted;

    /// <summary>Whether the element followed the grammar exactly (no stray bytes, no white space around '=').</summary>
    public bool IsWellFormed;

    /// <summary>Moves to the next directive.</summary>
    /// <returns>False at the end of the value.</returns>
    public bool MoveNext()
    {
        ReadOnlySpan<byte> s = _rest;
        int pos = SkipSeparators(s, 0);
        if (pos == s.Length)
        {
            _rest = default;
            return false;
        }

        int nameEnd = s[pos..].IndexOfAnyExcept(HttpCharacters.Token);
        nameEnd = nameEnd < 0 ? s.Length : pos + nameEnd;
        Name = s[pos..nameEnd];
        Argument = default;
        HasArgument = false;
        IsQuoted = false;
        IsWellFormed = !Name.IsEmpty;
        pos = nameEnd;

        int afterSpace = SkipWhitespace(s, pos);
        if (afterSpace < s.Length && s[afterSpace] == (byte)'=')
        {
            IsWellFormed &= afterSpace == pos;
            pos = afterSpace + 1;
            int valueStart = SkipWhitespace(s, pos);
            IsWellFormed &= valueStart == pos;
            pos = valueStart;
            HasArgument = true;
            if (pos < s.Length && s[pos] == (byte)'"')
            {
                IsQuoted = true;
                int close = FindClosingQuote(s, pos);
                if (close < 0)
                {
                    Argument = s[(pos + 1)..];
                    IsWellFormed = false;
                    pos = s.Length;
                }
                else
                {
                    Argument = s[(pos + 1)..close];
                    pos = close + 1;
                }
            }
            else
            {
                int end = s[pos..].IndexOfAnyExcept(HttpCharacters.Token);
                end = end < 0 ? s.Length : pos + end;
                Argument = s[pos..end];
                IsWellFormed &= !Argument.IsEmpty;
                pos = end;
            }
        }
        else
        {
            pos = afterSpace;
        }

        pos = SkipWhitespace(s, pos);
        if (pos < s.Length && s[pos] != (byte)',')
        {
            IsWellFormed = false;
            pos = SkipToComma(s, pos);
        }

        _rest = s[pos..];
        return true;
    }

    /// <summary>Index of the quote that closes the quoted string opened at <paramref name="open"/>, or -1.</summary>
    internal static int FindClosingQuote(ReadOnlySpan<byte> s, int open)
    {
        for (int i = open + 1; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\')
            {
                i++;
            }
            else if (s[i] == (byte)'"')
            {
                return i;
            }
        }

        return -1;
    }

    private static int SkipToComma(ReadOnlySpan<byte> s, int pos)
    {
        while (pos < s.Length && s[pos] != (byte)',')
        {
            if (s[pos] == (byte)'"')
            {
                int close = FindClosingQuote(s, pos);
                pos = close < 0 ? s.Length : close + 1;
            }
            else
            {
                pos++;
            }
        }

        return pos;
    }

    private static int SkipSeparators(ReadOnlySpan<byte> s, int pos)
    {
        while (pos < s.Length && (s[pos] == (byte)',' || HttpCharacters.IsWhitespace(s[pos])))
        {
            pos++;
        }

        return pos;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> s, int pos)
    {
        while (pos < s.Length && HttpCharacters.IsWhitespace(s[pos]))
        {
            pos++;
        }

        return pos;
    }
}
