using System.Buffers;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>
/// Reading a validated head's status line and header block: finding fields by name, list membership, and the
/// whitespace-normalized combined value that Vary matching compares (RFC 9111 §4.1).
/// </summary>
internal static class FieldScan
{
    /// <summary>Reads <c>HTTP/1.x SSS reason</c> and returns the header block after it.</summary>
    public static bool TryReadStatusLine(ReadOnlySpan<byte> head, out int status, out ReadOnlySpan<byte> reason, out ReadOnlySpan<byte> fields)
    {
        status = 0;
        reason = default;
        fields = default;
        int lf = head.IndexOf((byte)'\n');
        if (lf < 12 || !head.StartsWith("HTTP/1."u8) || head[8] != (byte)' ' || head[12] is not ((byte)' ' or (byte)'\r' or (byte)'\n'))
        {
            return false;
        }

        if (!HeaderValueParsing.TryParseDecimal(head.Slice(9, 3), out status) || status < 100)
        {
            return false;
        }

        ReadOnlySpan<byte> line = head[..lf];
        line = line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
        reason = line.Length > 13 ? line[13..] : default;
        fields = head[(lf + 1)..];
        return true;
    }

    /// <summary>The value of the first field named <paramref name="name"/>.</summary>
    public static bool TryGetFirst(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (field.NameEquals(name))
            {
                value = field.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Whether any field named <paramref name="listName"/> lists <paramref name="token"/> (ignoring case).</summary>
    public static bool ListContains(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> listName, ReadOnlySpan<byte> token)
    {
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (field.NameEquals(listName) && ValueListContains(field.Value, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a comma-separated value lists <paramref name="token"/>, ignoring case.</summary>
    public static bool ValueListContains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        while (HeaderValueParsing.TryTakeListElement(ref list, out ReadOnlySpan<byte> element))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(element, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes the combined value of every field named <paramref name="name"/>: the lines joined with commas, white
    /// space around commas (outside quoted strings) and empty list elements removed.
    /// </summary>
    /// <returns>The length written, -1 when the field is absent, or -2 when <paramref name="destination"/> is too small.</returns>
    public static int WriteNormalized(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> name, Span<byte> destination)
    {
        int length = 0;
        bool present = false;
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (!field.NameEquals(name))
            {
                continue;
            }

            present = true;
            ReadOnlySpan<byte> v = field.Value;
            int i = 0;
            while (i < v.Length)
            {
                // One list element, up to a comma outside quotes.
                int start = i;
                while (i < v.Length && v[i] != (byte)',')
                {
                    i = v[i] == (byte)'"' ? SkipQuoted(v, i) : i + 1;
                }

                ReadOnlySpan<byte> element = HttpCharacters.TrimWhitespace(v[start..i]);
                i++;
                if (element.IsEmpty)
                {
                    continue;
                }

                int needed = element.Length + (length > 0 ? 1 : 0);
                if (destination.Length - length < needed)
                {
                    return -2;
                }

                if (length > 0)
                {
                    destination[length++] = (byte)',';
                }

                element.CopyTo(destination[length..]);
                length += element.Length;
            }
        }

        return present ? length : -1;
    }

    /// <summary>The total length of the values of every field named <paramref name="name"/>, plus one per line: enough for <see cref="WriteNormalized"/>.</summary>
    public static int MaxNormalizedLength(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> name)
    {
        int total = 0;
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (field.NameEquals(name))
            {
                total += field.Value.Length + 1;
            }
        }

        return total;
    }

    /// <summary>
    /// Whether the request's value of <paramref name="name"/>, normalized, equals <paramref name="expected"/>
    /// (<paramref name="expectPresent"/> false: the field must be absent).
    /// </summary>
    public static bool NormalizedEquals(ReadOnlySpan<byte> fields, ReadOnlySpan<byte> name, bool expectPresent, ReadOnlySpan<byte> expected)
    {
        Span<byte> stack = stackalloc byte[256];
        int written = WriteNormalized(fields, name, stack);
        if (written != -2)
        {
            return written == -1 ? !expectPresent : expectPresent && stack[..written].SequenceEqual(expected);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(MaxNormalizedLength(fields, name));
        written = WriteNormalized(fields, name, rented);
        bool equal = expectPresent && written >= 0 && rented.AsSpan(0, written).SequenceEqual(expected);
        ArrayPool<byte>.Shared.Return(rented);
        return equal;
    }

    private static int SkipQuoted(ReadOnlySpan<byte> v, int open)
    {
        int close = CacheControlReader.FindClosingQuote(v, open);
        return close < 0 ? v.Length : close + 1;
    }
}
