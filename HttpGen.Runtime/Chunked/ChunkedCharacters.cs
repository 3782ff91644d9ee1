using System.Buffers;
using System.Runtime.CompilerServices;

namespace HttpGen.Chunked;

/// <summary>Byte classes used only by the chunked coding, kept apart from <c>HttpCharacters</c>.</summary>
internal static class ChunkedCharacters
{
    /// <summary>
    /// The bytes that end a run of qdtext inside a quoted chunk extension value: DQUOTE, backslash, DEL and every control
    /// byte except HTAB (so CR and LF too).
    /// </summary>
    public static readonly SearchValues<byte> QuotedTextStop = SearchValues.Create(QuotedStopBytes());

    /// <summary>The value of a hex digit, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HexValue(byte b)
    {
        uint digit = (uint)(b - '0');
        if (digit <= 9)
        {
            return (int)digit;
        }

        // OR-ing 0x20 folds 'A'-'F' onto 'a'-'f' and moves no other byte into that range.
        uint letter = (uint)((b | 0x20) - 'a');
        return letter <= 5 ? (int)letter + 10 : -1;
    }

    /// <summary>HTAB, SP, VCHAR or obs-text: what may follow a backslash in a quoted-string (RFC 9110 §5.6.4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsQuotedPairByte(byte b) => b == (byte)'\t' || (b >= 0x20 && b != 0x7F);

    private static byte[] QuotedStopBytes()
    {
        var bytes = new List<byte>(35) { (byte)'"', (byte)'\\', 0x7F };
        for (int b = 0; b < 0x20; b++)
        {
            if (b != '\t')
            {
                bytes.Add((byte)b);
            }
        }

        return bytes.ToArray();
    }
}
