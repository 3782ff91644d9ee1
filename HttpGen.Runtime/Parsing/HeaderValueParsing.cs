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
}
