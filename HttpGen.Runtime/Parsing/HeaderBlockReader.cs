using System.Buffers;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HttpGen.Parsing;

/// <summary>
/// The resumable header-block loop shared by request and response parsers: one header line per iteration, from the
/// field name through CRLF, up to the blank line. It also interprets the framing headers (Host, Content-Length,
/// Transfer-Encoding, Connection) as they go by. Positions are offsets from the head's first byte.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct HeaderBlockReader
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    /// <summary>Offset of the first header line.</summary>
    internal int BlockStart;

    /// <summary>Offset of the first line not yet parsed: where the next call resumes.</summary>
    internal int Position;

    /// <summary>
    /// How far the unfinished line at <see cref="Position"/> was scanned by earlier calls: none of its bytes before this
    /// offset ends a field value, and while <see cref="LineColon"/> is 0 all of them are name bytes. Scans resume here,
    /// so a line that arrives a byte at a time is still read once, not once per call.
    /// </summary>
    internal int LineScanned;

    /// <summary>The colon of the unfinished line at <see cref="Position"/>, as an offset in the line; 0 until seen.</summary>
    internal int LineColon;

    /// <summary>Header lines parsed so far.</summary>
    internal int Count;

    /// <summary>Offset of the blank line that ends the block, once it has been read.</summary>
    internal int BlankLineOffset;

    /// <summary>Set by the request-line parser for an HTTP/1.0 message, where Transfer-Encoding is refused.</summary>
    internal bool IsHttp10;

    internal int HostCount;
    internal int FirstHostOffset;
    internal long ContentLength;
    internal bool HasContentLength;
    internal int ContentLengthOffset;
    internal bool HasTransferEncoding;
    internal bool ChunkedSeen;
    internal int TransferEncodingOffset;
    internal bool ConnectionClose;
    internal bool ConnectionKeepAlive;
    internal bool ConnectionUpgrade;
    internal bool ExpectContinue;

    /// <summary>
    /// Parses header lines from <see cref="Position"/> until the blank line.
    /// </summary>
    /// <returns><see cref="OperationStatus.Done"/> with <see cref="Position"/> just past the blank line,
    /// <see cref="OperationStatus.NeedMoreData"/> with <see cref="Position"/> at the start of the incomplete line,
    /// or <see cref="OperationStatus.InvalidData"/> with <paramref name="error"/> set.</returns>
    internal OperationStatus Read<TSink>(ReadOnlySpan<byte> head, ref TSink sink, ParserOptions options, out ParseError error)
        where TSink : struct, IHeaderSink
    {
        error = default;

        // Everything past the block limit is out of reach: a head that has not ended by then is too large.
        // (Computed in 64 bits: a limit near int.MaxValue must not wrap around.)
        int blockEnd = (int)Math.Min((long)BlockStart + options.MaxHeaderBlockLength, int.MaxValue);
        bool truncated = head.Length > blockEnd;
        ReadOnlySpan<byte> window = truncated ? head[..blockEnd] : head;
        bool allowBareLf = options.AllowBareLineFeed;
        int maxName = options.MaxFieldNameLength;
        int pos = Position;

        // What earlier calls read of the unfinished line at `pos` (0 for every line after it), and what this call
        // leaves for the next. A head that reaches no further than that (a multi-segment head is copied in growing
        // chunks, so a call may see less than the one before) has nothing new to judge: the loop does not run.
        int scanned = Math.Max(LineScanned - pos, 0), knownColon = LineColon;
        int resumeScanned = 0, resumeColon = 0;
        int loopEnd = window.Length;
        if (LineScanned >= window.Length)
        {
            (resumeScanned, resumeColon, loopEnd) = (LineScanned, LineColon, 0);
        }

        while (pos < loopEnd)
        {
            byte first = window[pos];
            if (first == CR)
            {
                if (pos + 1 >= window.Length)
                {
                    break;
                }

                if (window[pos + 1] != LF)
                {
                    return Fail(ParseErrorKind.InvalidLineEnding, pos, out error);
                }

                BlankLineOffset = pos;
                Position = pos + 2;
                return OperationStatus.Done;
            }

            if (first == LF)
            {
                if (!allowBareLf)
                {
                    return Fail(ParseErrorKind.InvalidLineEnding, pos, out error);
                }

                BlankLineOffset = pos;
                Position = pos + 1;
                return OperationStatus.Done;
            }

            if (HttpCharacters.IsWhitespace(first))
            {
                return Fail(ParseErrorKind.ObsoleteLineFolding, pos, out error);
            }

            // A line that is neither the blank line nor a continuation is one more field line: past the count limit
            // it fails where it starts, before its bytes are looked at.
            if (Count >= options.MaxHeaderCount)
            {
                return Fail(ParseErrorKind.TooManyHeaders, pos, out error);
            }

            // The usual line takes one pass, inline: the first 32 bytes of the line give two masks side by side, token
            // bytes (the name ends at the colon) and the bytes that end a value (its CR, when the line is that short;
            // a longer value is scanned on from there), and an LF follows the CR. Anything unusual (a bad byte, a
            // missing colon, a name of 32 bytes or more, a bare LF, a line not complete yet) goes to the byte-exact path
            // below, which finds the precise error and offset. A line begun in an earlier call resumes there, where
            // that call's scan stopped: the bytes before were judged, so a line that arrives a byte at a time is read once.
            ReadOnlySpan<byte> line = window[pos..];
            int colon, valueStart, stop, lineEnd;
            ReadOnlySpan<byte> rest;
            int end;
            if (scanned == 0
                && HttpCharacters.TryLoad32(window, pos, out Vector128<byte> low, out Vector128<byte> high, out int shift)
                && (colon = BitOperations.TrailingZeroCount(HttpCharacters.NotIn32(low, high, HttpCharacters.TokenSet.Bitmap, shift))) < 32 - shift
                && colon > 0 && window[pos + colon] == (byte)':' && colon <= maxName
                && (end = UsualValueEnd(window, pos, colon, HttpCharacters.Stop32(low, high, shift), shift)) >= 0
                && end + 1 < window.Length && window[end] == CR && window[end + 1] == LF)
            {
                valueStart = pos + colon + 1;
                rest = window[valueStart..];
                stop = end - valueStart;
                lineEnd = end + 2;
            }
            else
            {
                // Field name: a run of token bytes that must end at the colon. Its length is judged before the byte that
                // ends it, so the name-length error sits at the first byte past the limit whatever follows.
                colon = knownColon;
                if (colon == 0)
                {
                    colon = line[scanned..].IndexOfAnyExcept(HttpCharacters.Token);
                    colon = colon < 0 ? colon : colon + scanned;
                    if ((colon < 0 ? line.Length : colon) > maxName)
                    {
                        return Fail(ParseErrorKind.HeaderFieldTooLarge, pos + maxName, out error);
                    }

                    if (colon < 0)
                    {
                        resumeScanned = window.Length;
                        break;
                    }

                    if (line[colon] != (byte)':' || colon == 0)
                    {
                        return Fail(HttpCharacters.IsWhitespace(line[colon]) ? ParseErrorKind.WhitespaceBeforeColon : ParseErrorKind.InvalidHeaderName, pos + colon, out error);
                    }
                }

                // Field value: one scan for the first control byte finds the line end and rejects NUL, bare CR and the rest.
                valueStart = pos + colon + 1;
                rest = window[valueStart..];
                int from = Math.Max(scanned - colon - 1, 0);
                stop = rest[from..].IndexOfAny(HttpCharacters.FieldValueStop);
                if (stop < 0)
                {
                    (resumeScanned, resumeColon) = (window.Length, colon);
                    break;
                }

                stop += from;
                if (rest[stop] == CR)
                {
                    if (stop + 1 >= rest.Length)
                    {
                        (resumeScanned, resumeColon) = (valueStart + stop, colon);
                        break;
                    }

                    if (rest[stop + 1] != LF)
                    {
                        return Fail(ParseErrorKind.InvalidLineEnding, valueStart + stop, out error);
                    }

                    lineEnd = valueStart + stop + 2;
                }
                else if (rest[stop] == LF && allowBareLf)
                {
                    lineEnd = valueStart + stop + 1;
                }
                else
                {
                    return Fail(rest[stop] == LF ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidHeaderValue, valueStart + stop, out error);
                }
            }

            // OWS around the value is not part of it (RFC 9112 §5.1).
            ReadOnlySpan<byte> value = rest[..stop];
            int lead = 0;
            while (lead < value.Length && HttpCharacters.IsWhitespace(value[lead]))
            {
                lead++;
            }

            int trail = value.Length;
            while (trail > lead && HttpCharacters.IsWhitespace(value[trail - 1]))
            {
                trail--;
            }

            value = value[lead..trail];
            if (value.Length > options.MaxFieldValueLength)
            {
                // The first byte of the trimmed value past the limit.
                return Fail(ParseErrorKind.HeaderFieldTooLarge, valueStart + lead + options.MaxFieldValueLength, out error);
            }

            Count++;
            int id = sink.MatchName(line[..colon]);
            if (id >= 0)
            {
                var range = new HeaderRange(valueStart + lead, value.Length);
                ParseErrorKind kind = id < KnownHeaderIds.FirstDeclared ? OnFramingHeader(id, window, range.Start, value) : ParseErrorKind.None;
                if (kind == ParseErrorKind.None)
                {
                    kind = sink.OnHeader(id, range, value);
                }

                if (kind != ParseErrorKind.None)
                {
                    return Fail(kind, range.Start, out error);
                }
            }

            pos = lineEnd;
            scanned = knownColon = 0;
        }

        // Out of data before the blank line: remember where the unfinished line starts and how far it was read, and
        // wait for more, unless the block limit was what cut the data short.
        Position = pos;
        LineScanned = resumeScanned;
        LineColon = resumeColon;
        if (truncated)
        {
            return Fail(ParseErrorKind.HeadersTooLarge, blockEnd, out error);
        }

        return OperationStatus.NeedMoreData;
    }

    // Where the value of the line at `pos`, whose colon is at `colon`, ends: the first value-ending byte after the colon
    // in the line's 32-byte masks, or further on. -1 when the buffer ends first.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int UsualValueEnd(ReadOnlySpan<byte> window, int pos, int colon, uint stops, int shift)
    {
        stops &= ~((2u << colon) - 1); // from the byte after the colon (nothing when the colon is the 32nd byte)
        if (stops != 0)
        {
            return pos + BitOperations.TrailingZeroCount(stops);
        }

        return shift == 0 ? HttpCharacters.IndexOfFieldValueStop(window, pos + 32) : -1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ParseErrorKind OnFramingHeader(int id, ReadOnlySpan<byte> window, int offset, ReadOnlySpan<byte> value)
    {
        switch (id)
        {
            case KnownHeaderIds.Host:
                if (HostCount++ > 0)
                {
                    return ParseErrorKind.DuplicateHost;
                }

                FirstHostOffset = offset;

                // Host = uri-host [ ":" port ] (RFC 9110 §7.2); an empty value is allowed for a target without an authority.
                return value.IsEmpty || HeaderValueParsing.IsValidHostAndPort(window, offset, offset + value.Length, requirePort: false) ? ParseErrorKind.None : ParseErrorKind.InvalidHost;

            case KnownHeaderIds.ContentLength:
                // Both framings in one message is how request smuggling starts (RFC 9112 §6.1): refused at the
                // second of the two, whichever it is.
                if (HasTransferEncoding)
                {
                    return ParseErrorKind.ContentLengthWithTransferEncoding;
                }

                // A repeated Content-Length or a list of them is rejected outright, even when the values agree.
                if (HasContentLength)
                {
                    return ParseErrorKind.DuplicateContentLength;
                }

                HasContentLength = true;
                ContentLengthOffset = offset;
                if (HeaderValueParsing.TryParseDecimal(value, out ContentLength))
                {
                    return ParseErrorKind.None;
                }

                // A list of lengths ("42, 42") is a repetition, not a malformed number.
                return value.Contains((byte)',') ? ParseErrorKind.DuplicateContentLength : ParseErrorKind.InvalidContentLength;

            case KnownHeaderIds.TransferEncoding:
                // An HTTP/1.0 recipient cannot trust chunked framing (RFC 9112 §6.1), whatever the codings are.
                if (IsHttp10)
                {
                    return ParseErrorKind.TransferEncodingInHttp10;
                }

                if (HasContentLength)
                {
                    return ParseErrorKind.ContentLengthWithTransferEncoding;
                }

                // The last Transfer-Encoding line holds the coding that has to be chunked: errors about it point there.
                HasTransferEncoding = true;
                TransferEncodingOffset = offset;
                return ReadTransferCodings(value);

            case KnownHeaderIds.Connection:
                ReadConnectionOptions(value);
                return ParseErrorKind.None;

            case KnownHeaderIds.Expect:
                // 100-continue is the only expectation defined (RFC 9110 §10.1.1); others are ignored, not refused.
                ExpectContinue |= System.Text.Ascii.EqualsIgnoreCase(value, "100-continue"u8);
                return ParseErrorKind.None;

            default:
                return ParseErrorKind.None;
        }
    }

    // Transfer-Encoding is a list of codings across all its field lines. chunked must come last and only once;
    // codings other than the few registered ones are 501. Parameters are not accepted: no registered coding has any,
    // and every extra syntax a parser tolerates is one more way for two parsers to disagree.
    private ParseErrorKind ReadTransferCodings(ReadOnlySpan<byte> value)
    {
        bool any = false;
        while (HeaderValueParsing.TryTakeListElement(ref value, out ReadOnlySpan<byte> coding))
        {
            any = true;
            if (coding.IndexOfAnyExcept(HttpCharacters.Token) >= 0 || ChunkedSeen)
            {
                return ParseErrorKind.InvalidTransferEncoding;
            }

            if (System.Text.Ascii.EqualsIgnoreCase(coding, "chunked"u8))
            {
                ChunkedSeen = true;
            }
            else if (!IsKnownCoding(coding))
            {
                return ParseErrorKind.UnsupportedTransferCoding;
            }
        }

        return any ? ParseErrorKind.None : ParseErrorKind.InvalidTransferEncoding;
    }

    private static bool IsKnownCoding(ReadOnlySpan<byte> coding) =>
        System.Text.Ascii.EqualsIgnoreCase(coding, "gzip"u8)
        || System.Text.Ascii.EqualsIgnoreCase(coding, "deflate"u8)
        || System.Text.Ascii.EqualsIgnoreCase(coding, "compress"u8)
        || System.Text.Ascii.EqualsIgnoreCase(coding, "x-gzip"u8)
        || System.Text.Ascii.EqualsIgnoreCase(coding, "x-compress"u8);

    private void ReadConnectionOptions(ReadOnlySpan<byte> value)
    {
        // Nearly every Connection header is exactly one of these two: decide it without the list parser. OR-ing 0x20
        // folds the letters to lower case; it also maps a few control bytes onto '-', which a field value cannot hold.
        if (value.Length == 10
            && (HeaderNameMatching.Read64(value, 0) | 0x2020202020202020UL) == KeepAlive8
            && (HeaderNameMatching.Read16(value, 8) | 0x2020) == KeepAlive2)
        {
            ConnectionKeepAlive = true;
            return;
        }

        if (value.Length == 5
            && (HeaderNameMatching.Read32(value, 0) | 0x20202020u) == Close4
            && (HeaderNameMatching.Read8(value, 4) | 0x20) == (byte)'e')
        {
            ConnectionClose = true;
            return;
        }

        while (HeaderValueParsing.TryTakeListElement(ref value, out ReadOnlySpan<byte> option))
        {
            if (System.Text.Ascii.EqualsIgnoreCase(option, "close"u8))
            {
                ConnectionClose = true;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(option, "keep-alive"u8))
            {
                ConnectionKeepAlive = true;
            }
            else if (System.Text.Ascii.EqualsIgnoreCase(option, "upgrade"u8))
            {
                ConnectionUpgrade = true;
            }
        }
    }

    private static ulong KeepAlive8 => HeaderNameMatching.Read64("keep-alive"u8, 0);

    private static ushort KeepAlive2 => HeaderNameMatching.Read16("keep-alive"u8, 8);

    private static uint Close4 => HeaderNameMatching.Read32("close"u8, 0);

    /// <summary>Whether the connection stays open after this message (RFC 9112 §9.3).</summary>
    internal readonly bool KeepAlive(ProtocolVersion version) =>
        !ConnectionClose && (version == ProtocolVersion.Http11 || ConnectionKeepAlive);

    private static OperationStatus Fail(ParseErrorKind kind, int offset, out ParseError error)
    {
        error = new ParseError(kind, offset);
        return OperationStatus.InvalidData;
    }
}
