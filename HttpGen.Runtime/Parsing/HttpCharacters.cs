using System.Buffers;
using System.Runtime.CompilerServices;

namespace HttpGen.Parsing;

/// <summary>The byte classes of RFC 9110 and RFC 3986 that the parsers scan with, as vectorized <see cref="SearchValues{T}"/>.</summary>
internal static class HttpCharacters
{
    private const string Alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digit = "0123456789";

    /// <summary>tchar (RFC 9110 §5.6.2): the bytes of methods, field names and transfer codings.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Bytes("!#$%&'*+-.^_`|~" + Alpha + Digit));

    /// <summary>
    /// The bytes that end a field value scan: every control byte but HTAB (so CR and LF too) and DEL.
    /// One vectorized scan finds the line end and rejects NUL, bare CR and other controls at once.
    /// </summary>
    public static readonly SearchValues<byte> FieldValueStop = SearchValues.Create(ControlBytesExceptTab());

    /// <summary>The bytes a request-target may hold (RFC 3986: unreserved, gen-delims but '#', sub-delims, '%').</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + ":/?@[]" + "!$&'()*+,;=" + "%"));

    /// <summary>The target bytes but '?', '[' and ']': a path's, or an absolute-form target's up to its path.</summary>
    public static readonly SearchValues<byte> PathBytes = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + ":/@" + "!$&'()*+,;=" + "%"));

    /// <summary>The bytes a Host value may hold: reg-name, IP literals and a port (a byte filter only; see HeaderValueParsing.IsValidHostAndPort).</summary>
    public static readonly SearchValues<byte> Host = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + "!$&'()*+,;=" + ":[]%"));

    /// <summary>reg-name bytes (RFC 3986 §3.2.2): unreserved, sub-delims and the '%' of a pct-encoding.</summary>
    /// <summary>The bytes of the usual host name: letters, digits, '-' and '.'. A name made of these alone needs no other check.</summary>
    public static readonly SearchValues<byte> PlainHostName = SearchValues.Create(Bytes(Alpha + Digit + "-."));

    public static readonly SearchValues<byte> RegName = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + "!$&'()*+,;=" + "%"));

    /// <summary>The bytes between the brackets of an IP-literal: IPv6 and IPvFuture (unreserved, sub-delims, ':').</summary>
    public static readonly SearchValues<byte> IpLiteral = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + "!$&'()*+,;=" + ":"));

    /// <summary>URI scheme characters after the first letter (RFC 3986 §3.1).</summary>
    public static readonly SearchValues<byte> Scheme = SearchValues.Create(Bytes(Alpha + Digit + "+-."));

    /// <summary>Index of the first byte that cannot appear in a field value, or -1.</summary>
    public static int IndexOfInvalidFieldValueByte(ReadOnlySpan<byte> value) => value.IndexOfAny(FieldValueStop);

    /// <summary>SP or HTAB.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b == (byte)' ' || b == (byte)'\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsHexDigit(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAlpha(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>Trims SP and HTAB from both ends.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length && IsWhitespace(value[start]))
        {
            start++;
        }

        int end = value.Length;
        while (end > start && IsWhitespace(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    private static byte[] Bytes(string ascii)
    {
        var bytes = new byte[ascii.Length];
        for (int i = 0; i < ascii.Length; i++)
        {
            bytes[i] = (byte)ascii[i];
        }

        return bytes;
    }

    private static byte[] ControlBytesExceptTab()
    {
        var list = new List<byte>(33);
        for (int b = 0; b < 0x20; b++)
        {
            if (b != '\t')
            {
                list.Add((byte)b);
            }
        }

        list.Add(0x7F);
        return list.ToArray();
    }
}
