using System.Buffers;
using System.Numerics;
using HttpGen.Parsing;

namespace HttpGen.Chunked;

/// <summary>A trailer field to send after the last chunk: a token name and a value of visible Latin-1 text.</summary>
/// <param name="Name">The field name: one or more token characters (RFC 9110 §5.6.2).</param>
/// <param name="Value">The field value: HTAB, SP, visible ASCII or U+0080–U+00FF, without white space at either end; may be empty.</param>
public readonly record struct TrailerField(string Name, string Value);

/// <summary>
/// Writes the chunked transfer coding (RFC 9112 §7.1) without allocating: <c>size CRLF data CRLF</c> per chunk with the
/// size in upper-case hex, then <c>0 CRLF</c>, the trailer fields, and <c>CRLF</c>.
/// </summary>
/// <remarks>
/// A chunk of zero bytes would end the body, so writing empty data writes nothing. The encoder never writes chunk
/// extensions. Invalid trailers are programmer errors and throw <see cref="ArgumentException"/> before anything is
/// written; this includes Content-Length, Transfer-Encoding and Host, which <see cref="ChunkedDecoder"/> rejects.
/// </remarks>
public static class ChunkedEncoder
{
    /// <summary>The longest chunk header: 16 hex digits and CRLF.</summary>
    public const int MaxChunkHeaderLength = 18;

    /// <summary>The length of the last chunk with no trailers: <c>0\r\n\r\n</c>.</summary>
    public const int LastChunkLength = 5;

    /// <summary>The length of the chunk header (<c>size CRLF</c>) for a chunk of <paramref name="size"/> bytes.</summary>
    /// <param name="size">The chunk size, at least 1.</param>
    /// <returns>The number of hex digits of <paramref name="size"/> plus 2.</returns>
    public static int GetChunkHeaderLength(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return HexDigitCount((ulong)size) + 2;
    }

    /// <summary>The length of a whole chunk carrying <paramref name="dataLength"/> bytes (0 for no data: nothing is written).</summary>
    /// <param name="dataLength">The data length.</param>
    /// <returns>Header, data and the closing CRLF.</returns>
    public static int GetEncodedLength(int dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        return dataLength == 0 ? 0 : GetChunkHeaderLength(dataLength) + dataLength + 2;
    }

    /// <summary>Writes one chunk carrying <paramref name="data"/>. Writes nothing when <paramref name="data"/> is empty.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="data">The chunk data.</param>
    public static void WriteChunk(IBufferWriter<byte> writer, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (data.IsEmpty)
        {
            return;
        }

        int total = GetEncodedLength(data.Length);
        Span<byte> span = writer.GetSpan();
        if (span.Length >= total)
        {
            // The common case: one span holds the whole chunk.
            int header = FormatHeader(span, (ulong)data.Length);
            data.CopyTo(span[header..]);
            span[header + data.Length] = (byte)'\r';
            span[header + data.Length + 1] = (byte)'\n';
            writer.Advance(total);
            return;
        }

        WriteChunkHeader(writer, data.Length);
        writer.Write(data);
        WriteCrlf(writer);
    }

    /// <summary>Writes one chunk carrying all of <paramref name="data"/>. Writes nothing when it is empty.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="data">The chunk data, possibly in several segments.</param>
    public static void WriteChunk(IBufferWriter<byte> writer, in ReadOnlySequence<byte> data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (data.IsSingleSegment)
        {
            WriteChunk(writer, data.FirstSpan);
            return;
        }

        if (data.IsEmpty)
        {
            return;
        }

        WriteChunkHeader(writer, data.Length);
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            writer.Write(segment.Span);
        }

        WriteCrlf(writer);
    }

    /// <summary>
    /// Writes only the header of a chunk (<c>size CRLF</c>); the caller then writes exactly <paramref name="size"/> data
    /// bytes and CRLF. For data that is produced straight into the writer.
    /// </summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="size">The chunk size, at least 1.</param>
    public static void WriteChunkHeader(IBufferWriter<byte> writer, long size)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Span<byte> span = writer.GetSpan(MaxChunkHeaderLength);
        writer.Advance(FormatHeader(span, (ulong)size));
    }

    /// <summary>Writes the CRLF that closes a chunk whose header was written with <see cref="WriteChunkHeader"/>.</summary>
    /// <param name="writer">Where to write.</param>
    public static void WriteCrlf(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> span = writer.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        writer.Advance(2);
    }

    /// <summary>Writes the last chunk and an empty trailer section: <c>0\r\n\r\n</c>.</summary>
    /// <param name="writer">Where to write.</param>
    public static void WriteLastChunk(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        "0\r\n\r\n"u8.CopyTo(writer.GetSpan(LastChunkLength));
        writer.Advance(LastChunkLength);
    }

    /// <summary>Writes the last chunk, the trailer fields and the blank line that ends the body.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="trailers">The trailer fields, in order; may be empty.</param>
    /// <exception cref="ArgumentException">A trailer name is not a token or is a framing field (Content-Length,
    /// Transfer-Encoding, Host), or a value holds a control character, a character above U+00FF, or white space at
    /// either end. Nothing has been written then.</exception>
    public static void WriteLastChunk(IBufferWriter<byte> writer, ReadOnlySpan<TrailerField> trailers)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int total = LastChunkLength;
        foreach (TrailerField field in trailers)
        {
            total += ValidateTrailer(field);
        }

        Span<byte> span = writer.GetSpan(total);
        "0\r\n"u8.CopyTo(span);
        int pos = 3;
        foreach (TrailerField field in trailers)
        {
            pos += WriteLatin1(span[pos..], field.Name);
            span[pos++] = (byte)':';
            if (field.Value.Length > 0)
            {
                span[pos++] = (byte)' ';
                pos += WriteLatin1(span[pos..], field.Value);
            }

            span[pos++] = (byte)'\r';
            span[pos++] = (byte)'\n';
        }

        span[pos++] = (byte)'\r';
        span[pos++] = (byte)'\n';
        writer.Advance(pos);
    }

    /// <summary>
    /// Writes one chunk carrying <paramref name="data"/> into <paramref name="destination"/>, for a writer that owns its
    /// send buffer. Writes nothing (and succeeds) when <paramref name="data"/> is empty.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="data">The chunk data.</param>
    /// <param name="bytesWritten">Bytes written: <see cref="GetEncodedLength"/> of the data length, or 0 on failure.</param>
    /// <returns>False, with nothing written, when <paramref name="destination"/> is too small.</returns>
    public static bool TryWriteChunk(Span<byte> destination, ReadOnlySpan<byte> data, out int bytesWritten)
    {
        int total = GetEncodedLength(data.Length);
        if (destination.Length < total)
        {
            bytesWritten = 0;
            return false;
        }

        if (total > 0)
        {
            int header = FormatHeader(destination, (ulong)data.Length);
            data.CopyTo(destination[header..]);
            destination[header + data.Length] = (byte)'\r';
            destination[header + data.Length + 1] = (byte)'\n';
        }

        bytesWritten = total;
        return true;
    }

    /// <summary>Writes the header of a chunk (<c>size CRLF</c>) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="size">The chunk size, at least 1.</param>
    /// <param name="bytesWritten">Bytes written, or 0 on failure.</param>
    /// <returns>False, with nothing written, when <paramref name="destination"/> is too small.</returns>
    public static bool TryWriteChunkHeader(Span<byte> destination, long size, out int bytesWritten)
    {
        int length = GetChunkHeaderLength(size);
        if (destination.Length < length)
        {
            bytesWritten = 0;
            return false;
        }

        bytesWritten = FormatHeader(destination, (ulong)size);
        return true;
    }

    /// <summary>Writes the last chunk with no trailers (<c>0\r\n\r\n</c>) into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten"><see cref="LastChunkLength"/>, or 0 on failure.</param>
    /// <returns>False, with nothing written, when <paramref name="destination"/> is too small.</returns>
    public static bool TryWriteLastChunk(Span<byte> destination, out int bytesWritten)
    {
        bool ok = "0\r\n\r\n"u8.TryCopyTo(destination);
        bytesWritten = ok ? LastChunkLength : 0;
        return ok;
    }

    private static int HexDigitCount(ulong value) => (64 - BitOperations.LeadingZeroCount(value | 1) + 3) >> 2;

    // Writes the size in hex, most significant digit first, then CRLF. The caller checked the room.
    private static int FormatHeader(Span<byte> destination, ulong size)
    {
        int digits = HexDigitCount(size);
        destination[digits + 1] = (byte)'\n';
        destination[digits] = (byte)'\r';
        for (int i = digits - 1; i >= 0; i--)
        {
            destination[i] = "0123456789ABCDEF"u8[(int)(size & 0xF)];
            size >>= 4;
        }

        return digits + 2;
    }

    // Checks one trailer and returns its encoded length, "name: value\r\n" (no space for an empty value).
    private static int ValidateTrailer(TrailerField field)
    {
        string? name = field.Name;
        string? value = field.Value;
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("A trailer field name cannot be null or empty.", "trailers");
        }

        foreach (char c in name)
        {
            if (c > 0x7F || !HttpCharacters.Token.Contains((byte)c))
            {
                throw new ArgumentException($"The trailer field name '{name}' is not a token.", "trailers");
            }
        }

        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"'{name}' frames or routes a message and cannot be a trailer field.", "trailers");
        }

        if (value is null)
        {
            throw new ArgumentException($"The value of trailer field '{name}' cannot be null.", "trailers");
        }

        foreach (char c in value)
        {
            if (c > 0xFF || (c < 0x20 && c != '\t') || c == 0x7F)
            {
                throw new ArgumentException($"The value of trailer field '{name}' holds a character that cannot be sent (U+{(int)c:X4}).", "trailers");
            }
        }

        if (value.Length > 0 && (IsWhitespace(value[0]) || IsWhitespace(value[^1])))
        {
            throw new ArgumentException($"The value of trailer field '{name}' has white space at one end, which a recipient would drop.", "trailers");
        }

        return name.Length + 1 + (value.Length > 0 ? 1 + value.Length : 0) + 2;
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t';

    // The text was validated to be Latin-1: one byte per char.
    private static int WriteLatin1(Span<byte> destination, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            destination[i] = (byte)text[i];
        }

        return text.Length;
    }
}
