using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace HttpGen.Parsing;

/// <summary>The byte classes of RFC 9110 and RFC 3986 that the parsers scan with, as vectorized <see cref="SearchValues{T}"/>.</summary>
internal static class HttpCharacters
{
    private const string Alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digit = "0123456789";

    /// <summary>tchar (RFC 9110 §5.6.2): the bytes of methods, field names and transfer codings.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Bytes(TokenChars));

    private const string TokenChars = "!#$%&'*+-.^_`|~" + Alpha + Digit;

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
    public static readonly SearchValues<byte> RegName = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + "!$&'()*+,;=" + "%"));

    /// <summary>The bytes between the brackets of an IP-literal: IPv6 and IPvFuture (unreserved, sub-delims, ':').</summary>
    public static readonly SearchValues<byte> IpLiteral = SearchValues.Create(Bytes(Alpha + Digit + "-._~" + "!$&'()*+,;=" + ":"));

    /// <summary>URI scheme characters after the first letter (RFC 3986 §3.1).</summary>
    public static readonly SearchValues<byte> Scheme = SearchValues.Create(Bytes(Alpha + Digit + "+-."));

    // The sets the one-pass scans of the usual head use (see IndexOfFirstNotIn). They leave '%' out, so that a scan stops
    // at each percent-encoding and its two hex digits are checked right there rather than by a second scan.

    /// <summary>tchar, for the one-pass scans.</summary>
    public static readonly AsciiSet TokenSet = new(TokenChars);

    /// <summary>What a path scan passes over: <see cref="PathBytes"/> but '%'.</summary>
    public static readonly AsciiSet PathScanSet = new(Alpha + Digit + "-._~" + ":/@" + "!$&'()*+,;=");

    /// <summary>What a query scan passes over: <see cref="Target"/> bytes but '%'.</summary>
    public static readonly AsciiSet QueryScanSet = new(Alpha + Digit + "-._~" + ":/?@[]" + "!$&'()*+,;=");

    /// <summary>The bytes of the usual host name: letters, digits, '-' and '.'. A name made of these alone needs no other check.</summary>
    public static readonly AsciiSet PlainHostNameSet = new(Alpha + Digit + "-.");

    /// <summary>
    /// Index of the first byte of <c>buffer[start..end]</c> that is not in <paramref name="set"/>, or -1. Sixteen bytes
    /// at a time, inline: the short spans of a head (a method, a name, a path, a host) cost no call. A load may reach
    /// past <paramref name="end"/> into the rest of <paramref name="buffer"/> (those bits are masked off), and near the
    /// buffer's end it starts earlier and is shifted, so no byte outside the buffer is read and no scalar tail is needed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfFirstNotIn(ReadOnlySpan<byte> buffer, int start, int end, in AsciiSet set)
    {
        if (Vector128.IsHardwareAccelerated && buffer.Length >= Vector128<byte>.Count)
        {
            ref byte first = ref MemoryMarshal.GetReference(buffer);
            Vector128<byte> bitmap = set.Bitmap;
            int last = buffer.Length - Vector128<byte>.Count;
            for (int i = start; i < end;)
            {
                int at = Math.Min(i, last);
                uint mask = AsciiSet.NotIn(Vector128.LoadUnsafe(ref first, (nuint)at), bitmap) >> (i - at);
                int left = end - i;
                if (left < Vector128<byte>.Count)
                {
                    mask &= (1u << left) - 1;
                }

                if (mask != 0)
                {
                    return i + BitOperations.TrailingZeroCount(mask);
                }

                i = at + Vector128<byte>.Count;
            }

            return -1;
        }

        for (int i = start; i < end; i++)
        {
            if (!set.Contains(buffer[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Loads 32 bytes of <paramref name="buffer"/> from <paramref name="start"/> on, as two vectors, for masks that
    /// several scans of one short line share (<see cref="NotIn32"/>, <see cref="Stop32"/>): computed from the same
    /// loads, side by side, they cost one scan's latency. Fewer than 32 bytes from <paramref name="start"/> to the end:
    /// the last 32 of the buffer are loaded and the masks shifted by <paramref name="shift"/>, so that bit 0 is still
    /// <paramref name="start"/> and only the low <c>32 - shift</c> bits are meaningful. False when the buffer is shorter
    /// than 32 bytes or vectors are not accelerated.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryLoad32(ReadOnlySpan<byte> buffer, int start, out Vector128<byte> low, out Vector128<byte> high, out int shift)
    {
        if (!Vector128.IsHardwareAccelerated || buffer.Length < 32)
        {
            (low, high, shift) = (default, default, 0);
            return false;
        }

        int at = Math.Min(start, buffer.Length - 32);
        ref byte first = ref Unsafe.Add(ref MemoryMarshal.GetReference(buffer), (nint)(uint)at);
        low = Vector128.LoadUnsafe(ref first);
        high = Vector128.LoadUnsafe(ref first, 16);
        shift = start - at;
        return true;
    }

    /// <summary>One bit per loaded byte (see <see cref="TryLoad32"/>) that is not in the set of <paramref name="bitmap"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint NotIn32(Vector128<byte> low, Vector128<byte> high, Vector128<byte> bitmap, int shift) =>
        (AsciiSet.NotIn(low, bitmap) | (AsciiSet.NotIn(high, bitmap) << 16)) >> shift;

    /// <summary>One bit per loaded byte (see <see cref="TryLoad32"/>) that ends a field value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Stop32(Vector128<byte> low, Vector128<byte> high, int shift) =>
        (StopMask(low) | (StopMask(high) << 16)) >> shift;

    /// <summary>
    /// Index of the first byte from <paramref name="start"/> on that cannot be in a field value (a control byte but HTAB,
    /// or DEL: <see cref="FieldValueStop"/>), or -1: where the usual value ends, at its CR. Inline, 32 or 16 bytes at a
    /// time, reading nothing outside <paramref name="buffer"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOfFieldValueStop(ReadOnlySpan<byte> buffer, int start)
    {
        if (Vector128.IsHardwareAccelerated && buffer.Length >= Vector128<byte>.Count)
        {
            ref byte first = ref MemoryMarshal.GetReference(buffer);
            int i = start;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; buffer.Length - i >= Vector256<byte>.Count; i += Vector256<byte>.Count)
                {
                    uint wide = StopMask(Vector256.LoadUnsafe(ref first, (nuint)i));
                    if (wide != 0)
                    {
                        return i + BitOperations.TrailingZeroCount(wide);
                    }
                }
            }

            int last = buffer.Length - Vector128<byte>.Count;
            while (i < buffer.Length)
            {
                int at = Math.Min(i, last);
                uint mask = StopMask(Vector128.LoadUnsafe(ref first, (nuint)at)) >> (i - at);
                if (mask != 0)
                {
                    return i + BitOperations.TrailingZeroCount(mask);
                }

                i = at + Vector128<byte>.Count;
            }

            return -1;
        }

        int found = buffer[start..].IndexOfAny(FieldValueStop);
        return found < 0 ? -1 : start + found;
    }

    // One bit per byte that ends a field value: 0x00-0x1F but HTAB, and 0x7F.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StopMask(Vector128<byte> v) =>
        ((Vector128.Equals(v & Vector128.Create((byte)0xE0), Vector128<byte>.Zero) & ~Vector128.Equals(v, Vector128.Create((byte)'\t')))
        | Vector128.Equals(v, Vector128.Create((byte)0x7F))).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint StopMask(Vector256<byte> v) =>
        ((Vector256.Equals(v & Vector256.Create((byte)0xE0), Vector256<byte>.Zero) & ~Vector256.Equals(v, Vector256.Create((byte)'\t')))
        | Vector256.Equals(v, Vector256.Create((byte)0x7F))).ExtractMostSignificantBits();

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

/// <summary>
/// A set of ASCII bytes that a vector tests sixteen bytes at a time with two table lookups (the nibble method of
/// picohttpparser's and .NET's own searchers): the low nibble of a byte picks a row of the bitmap, whose bits say which
/// high nibbles (0-7) are members. Bytes from 0x80 have high nibbles 8-15, which no row holds: never members.
/// </summary>
internal readonly struct AsciiSet
{
    /// <summary>Row per low nibble: bit h set when the byte <c>h &lt;&lt; 4 | low</c> is a member.</summary>
    public readonly Vector128<byte> Bitmap;

    // The same set for the scalar path: bit b of the 128.
    private readonly ulong _low;
    private readonly ulong _high;

    public AsciiSet(string members)
    {
        Span<byte> rows = stackalloc byte[16];
        foreach (char c in members)
        {
            if (c >= 128)
            {
                throw new ArgumentOutOfRangeException(nameof(members), "ASCII only.");
            }

            rows[c & 0xF] |= (byte)(1 << (c >> 4));
            if (c < 64)
            {
                _low |= 1UL << c;
            }
            else
            {
                _high |= 1UL << (c - 64);
            }
        }

        Bitmap = Vector128.Create((ReadOnlySpan<byte>)rows);
    }

    /// <summary>Whether <paramref name="b"/> is a member.</summary>
    public bool Contains(byte b) => b < 64 ? ((_low >> b) & 1) != 0 : b < 128 && ((_high >> (b - 64)) & 1) != 0;

    /// <summary>One bit per byte of <paramref name="v"/> that is not a member of the set whose bitmap is given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint NotIn(Vector128<byte> v, Vector128<byte> bitmap)
    {
        Vector128<byte> nibble = Vector128.Create((byte)0x0F);
        Vector128<byte> rows = Vector128.ShuffleNative(bitmap, v & nibble);
        Vector128<byte> high = Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble;
        Vector128<byte> bit = Vector128.ShuffleNative(Vector128.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0), high);
        return Vector128.Equals(rows & bit, Vector128<byte>.Zero).ExtractMostSignificantBits();
    }
}
