using System.ComponentModel;

namespace HttpGen.Parsing;

/// <summary>Strict conversions of field values, shared by the parsers and generated code.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class HeaderValueParsing
{
    /// <summary>
    /// Parses 1*DIGIT as a non-negative <see cref="long"/>: no sign, no white space, no separators, overflow checked.
    /// </summary>
    /// <param name="value">The trimmed value.</param>
    /// <param name="result">The number.</param>
    /// <returns>True when the value is a valid number.</returns>
    public static bool TryParseDecimal(ReadOnlySpan<byte> value, out long result)
    {
        result = 0;
        if (value.IsEmpty || value.Length > 19)
        {
            return value.Length > 19 && TryParseLongDecimal(value, out result);
        }

        long n = 0;
        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            n = unchecked(n * 10 + digit);
        }

        // Any 19-digit number is below 2^64, so an overflow past long.MaxValue shows up as a negative value.
        if (n < 0)
        {
            return false;
        }

        result = n;
        return true;
    }

    // Leading zeros may make a valid number longer than 19 bytes.
    private static bool TryParseLongDecimal(ReadOnlySpan<byte> value, out long result)
    {
        result = 0;
        int firstNonZero = value.IndexOfAnyExcept((byte)'0');
        if (firstNonZero < 0)
        {
            return true; // all zeros
        }

        return value.Length - firstNonZero <= 19 && TryParseDecimal(value[firstNonZero..], out result);
    }

    /// <summary>Parses 1*DIGIT as a non-negative <see cref="int"/>.</summary>
    /// <param name="value">The trimmed value.</param>
    /// <param name="result">The number.</param>
    /// <returns>True when the value is a valid number that fits in an <see cref="int"/>.</returns>
    public static bool TryParseDecimal(ReadOnlySpan<byte> value, out int result)
    {
        if (TryParseDecimal(value, out long n) && n <= int.MaxValue)
        {
            result = (int)n;
            return true;
        }

        result = 0;
        return false;
    }

    /// <summary>
    /// Takes the next element of a comma-separated list (RFC 9110 §5.6.1), trimmed of OWS. Empty elements are skipped.
    /// </summary>
    /// <param name="list">The rest of the list; advanced past the element and its comma.</param>
    /// <param name="element">The element.</param>
    /// <returns>False when the list has no more elements.</returns>
    public static bool TryTakeListElement(ref ReadOnlySpan<byte> list, out ReadOnlySpan<byte> element)
    {
        while (!list.IsEmpty)
        {
            int comma = list.IndexOf((byte)',');
            ReadOnlySpan<byte> item = comma < 0 ? list : list[..comma];
            list = comma < 0 ? default : list[(comma + 1)..];
            item = HttpCharacters.TrimWhitespace(item);
            if (!item.IsEmpty)
            {
                element = item;
                return true;
            }
        }

        element = default;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="value"/> is <c>uri-host [ ":" port ]</c> (RFC 9110 §7.2, RFC 3986 §3.2.2–3.2.3): a
    /// bracketed IP literal or a non-empty reg-name/IPv4 address with valid percent-encodings, then an optional port
    /// of decimal digits. No userinfo, no second colon outside brackets. IP literals are checked for their bytes only.
    /// </summary>
    /// <param name="value">The authority bytes.</param>
    /// <param name="requirePort">True when the port must be present and non-empty (CONNECT's authority-form).</param>
    /// <returns>True when valid.</returns>
    internal static bool IsValidHostAndPort(ReadOnlySpan<byte> value, bool requirePort) =>
        IsValidHostAndPort(value, 0, value.Length, requirePort);

    /// <summary>Whether <c>buffer[start..end]</c> is <c>uri-host [ ":" port ]</c>; see the overload on a span.</summary>
    /// <param name="buffer">The bytes around the authority: the scan may read past <paramref name="end"/> (and ignore it).</param>
    /// <param name="start">Where the authority starts.</param>
    /// <param name="end">Where it ends.</param>
    /// <param name="requirePort">True when the port must be present and non-empty.</param>
    /// <returns>True when valid.</returns>
    internal static bool IsValidHostAndPort(ReadOnlySpan<byte> buffer, int start, int end, bool requirePort)
    {
        if (end <= start)
        {
            return false;
        }

        // The usual shape, "name" or "name:port" with a plain name: one inline scan settles it. Anything else (IP
        // literals, percent-encodings, sub-delims) takes the full check.
        int plain = HttpCharacters.IndexOfFirstNotIn(buffer, start, end, HttpCharacters.PlainHostNameSet);
        if (plain < 0)
        {
            return !requirePort;
        }

        if (plain > start && buffer[plain] == (byte)':')
        {
            int digit = plain + 1;
            while (digit < end && HttpCharacters.IsDigit(buffer[digit]))
            {
                digit++;
            }

            if (digit == end)
            {
                return !(requirePort && plain + 1 == end);
            }
        }

        return IsValidUnusualHostAndPort(buffer[start..end], requirePort);
    }

    private static bool IsValidUnusualHostAndPort(ReadOnlySpan<byte> value, bool requirePort)
    {
        int hostEnd;
        if (value[0] == (byte)'[')
        {
            int close = value.IndexOf((byte)']');
            if (close < 2 || value[1..close].IndexOfAnyExcept(HttpCharacters.IpLiteral) >= 0)
            {
                return false;
            }

            hostEnd = close + 1;
        }
        else
        {
            hostEnd = value.IndexOf((byte)':');
            hostEnd = hostEnd < 0 ? value.Length : hostEnd;
            ReadOnlySpan<byte> host = value[..hostEnd];
            if (host.IsEmpty || host.IndexOfAnyExcept(HttpCharacters.RegName) >= 0 || IndexOfBadPercentEncoding(host) >= 0)
            {
                return false;
            }
        }

        ReadOnlySpan<byte> rest = value[hostEnd..];
        if (rest.IsEmpty)
        {
            return !requirePort;
        }

        // port = *DIGIT: empty is allowed by the grammar, except where a port is required.
        ReadOnlySpan<byte> port = rest[1..];
        return rest[0] == (byte)':' && !(requirePort && port.IsEmpty) && port.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    /// <summary>
    /// Index of the first byte of a request-target (made of <see cref="HttpCharacters.Target"/> bytes) that no form
    /// allows where it stands, or -1: a '%' not followed by two hex digits (RFC 3986 §2.1), or a '[' or ']' in the path,
    /// where RFC 3986 §3.3 allows only pchar. Brackets enclose an IP literal in the authority, and are accepted in the
    /// query (a documented decision: PHP-style <c>a[]=1</c> is common there); CONNECT's authority-form has no path.
    /// </summary>
    /// <param name="target">The target bytes.</param>
    /// <param name="method">The request method; the path is looked for unless it is CONNECT.</param>
    /// <returns>The index, or -1.</returns>
    internal static int IndexOfTargetFault(ReadOnlySpan<byte> target, RequestMethod method)
    {
        int fault = IndexOfBadPercentEncoding(target);
        int query = target.IndexOf((byte)'?');
        ReadOnlySpan<byte> beforeQuery = query < 0 ? target : target[..query];
        for (int bracket = beforeQuery.IndexOfAny((byte)'[', (byte)']'); bracket >= 0 && (fault < 0 || bracket < fault);)
        {
            if (IsInPath(beforeQuery[..bracket], method))
            {
                return bracket;
            }

            int next = beforeQuery[(bracket + 1)..].IndexOfAny((byte)'[', (byte)']');
            bracket = next < 0 ? -1 : bracket + 1 + next;
        }

        return fault;
    }

    /// <summary>
    /// Whether the byte after <paramref name="prefix"/> (the start of a request-target, before any '?') stands in a
    /// path: an origin-form target's, or an absolute-form one's after its authority. CONNECT's authority-form, the
    /// asterisk-form and shapes of no form have none (a target of no form is reported at its first byte).
    /// </summary>
    /// <param name="prefix">The target bytes before the one in question.</param>
    /// <param name="method">The request method.</param>
    /// <returns>True in a path.</returns>
    internal static bool IsInPath(ReadOnlySpan<byte> prefix, RequestMethod method)
    {
        if (method == RequestMethod.Connect || prefix.IsEmpty)
        {
            return false;
        }

        if (prefix[0] == (byte)'/')
        {
            return true;
        }

        // scheme "://" authority, and the path from the first '/' after it
        int schemeEnd = prefix.IndexOfAnyExcept(HttpCharacters.Scheme);
        return HttpCharacters.IsAlpha(prefix[0]) && schemeEnd >= 0 && prefix[schemeEnd..].StartsWith("://"u8)
            && prefix[(schemeEnd + 3)..].Contains((byte)'/');
    }

    /// <summary>Index of the first '%' that is not followed by two hex digits (RFC 3986 §2.1), or -1.</summary>
    /// <param name="text">URI text.</param>
    /// <returns>The index, or -1 when every percent-encoding is valid.</returns>
    internal static int IndexOfBadPercentEncoding(ReadOnlySpan<byte> text)
    {
        int searched = 0;
        while (true)
        {
            int percent = text[searched..].IndexOf((byte)'%');
            if (percent < 0)
            {
                return -1;
            }

            percent += searched;
            if (percent + 2 >= text.Length || !HttpCharacters.IsHexDigit(text[percent + 1]) || !HttpCharacters.IsHexDigit(text[percent + 2]))
            {
                return percent;
            }

            searched = percent + 3;
        }
    }
}
