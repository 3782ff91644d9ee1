using HttpGen.Parsing;

namespace HttpGen.Formatting;

/// <summary>
/// Checks values before they can reach the wire. Called once, where a value is set; a violation is programmer misuse
/// and throws <see cref="ArgumentException"/>, so that header injection (CR, LF, NUL in a value) is impossible.
/// </summary>
public static class HeaderValidation
{
    /// <summary>Throws unless <paramref name="value"/> is a valid field value: no controls but HTAB, no surrounding white space.</summary>
    /// <param name="value">The value bytes.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <exception cref="ArgumentException">The value is invalid.</exception>
    public static void ValidateValue(ReadOnlySpan<byte> value, string paramName = "value")
    {
        int bad = HttpCharacters.IndexOfInvalidFieldValueByte(value);
        if (bad >= 0)
        {
            throw new ArgumentException($"A header value cannot hold byte 0x{value[bad]:X2} (at {bad}).", paramName);
        }

        if (value.Length > 0 && (HttpCharacters.IsWhitespace(value[0]) || HttpCharacters.IsWhitespace(value[^1])))
        {
            throw new ArgumentException("A header value cannot start or end with white space.", paramName);
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is Latin-1 text that is a valid field value.</summary>
    /// <param name="value">The value text.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <exception cref="ArgumentException">The value is invalid.</exception>
    public static void ValidateValue(string value, string paramName = "value")
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        foreach (char c in value)
        {
            if (c > 0xFF || (c < 0x20 && c != '\t') || c == 0x7F)
            {
                throw new ArgumentException($"A header value cannot hold U+{(int)c:X4}.", paramName);
            }
        }

        if (value.Length > 0 && (value[0] is ' ' or '\t' || value[^1] is ' ' or '\t'))
        {
            throw new ArgumentException("A header value cannot start or end with white space.", paramName);
        }
    }

    /// <summary>Throws unless <paramref name="name"/> is a token (RFC 9110 §5.6.2).</summary>
    /// <param name="name">The field name bytes.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public static void ValidateName(ReadOnlySpan<byte> name, string paramName = "name")
    {
        if (name.IsEmpty || name.IndexOfAnyExcept(HttpCharacters.Token) >= 0)
        {
            throw new ArgumentException("A header name must be a non-empty token.", paramName);
        }
    }

    /// <summary>Throws unless <paramref name="target"/> is a request-target HttpGen's parser would accept.</summary>
    /// <param name="target">The target bytes.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <exception cref="ArgumentException">The target is invalid.</exception>
    public static void ValidateTarget(ReadOnlySpan<byte> target, string paramName = "value")
    {
        int bad = target.IndexOfAnyExcept(HttpCharacters.Target);
        if (target.IsEmpty || bad >= 0)
        {
            throw new ArgumentException(target.IsEmpty ? "A request-target cannot be empty." : $"A request-target cannot hold byte 0x{target[bad]:X2}.", paramName);
        }

        int fault = HeaderValueParsing.IndexOfTargetFault(target, RequestMethod.None);
        if (fault >= 0)
        {
            throw new ArgumentException(target[fault] == (byte)'%'
                ? "A '%' in a request-target must be followed by two hex digits."
                : "A request-target cannot hold '[' or ']' in its path (RFC 3986 §3.3); percent-encode them.", paramName);
        }
    }

    /// <summary>Throws unless <paramref name="reason"/> is a valid reason phrase: HTAB, SP, visible ASCII and obs-text.</summary>
    /// <param name="reason">The phrase bytes.</param>
    /// <param name="paramName">The argument name for the exception.</param>
    /// <exception cref="ArgumentException">The phrase is invalid.</exception>
    public static void ValidateReasonPhrase(ReadOnlySpan<byte> reason, string paramName = "value")
    {
        int bad = HttpCharacters.IndexOfInvalidFieldValueByte(reason);
        if (bad >= 0)
        {
            throw new ArgumentException($"A reason phrase cannot hold byte 0x{reason[bad]:X2}.", paramName);
        }
    }
}
