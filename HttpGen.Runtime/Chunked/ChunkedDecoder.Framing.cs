using System.Buffers;
using System.Runtime.CompilerServices;
using HttpGen.Parsing;

namespace HttpGen.Chunked;

// The framing: chunk-size lines with their extensions, and the CRLF after each chunk's data.
public sealed partial class ChunkedDecoder
{
    // The grammar after the chunk-size digits, from the first byte that is not a digit to the line's CR, as one table:
    // for each of these states and each byte, the next state, or Failed when the byte cannot be there. Every byte it
    // accepts but the CR is an extension byte (counted against MaxChunkExtensionLength).
    private const State FirstTableState = State.SizeDigits;
    private const State LastTableState = State.ExtBws;
    private static readonly byte[] s_next = BuildTransitions();

    // Reads chunk-size lines and the CRLF after data, one byte at a time except for runs of token or quoted text,
    // which are scanned vectorized but never past a limit, so that a limit is always hit at the same byte.
    // Returns true when it moved on to Data or the trailer section, false when out of input or failed.
    private bool ParseFraming(ReadOnlySpan<byte> source, ref int index)
    {
        int i = index;
        int start = i;
        long budget = _framingLimit - _framing;
        int end = budget < source.Length - i ? i + (int)budget : source.Length;
        State state = _state;
        ParseErrorKind kind;
        long errorAt;

        if ((state == State.DataCr || state == State.SizeStart) && TryPlainSizeLine(source, ref i, end, state))
        {
            _framing += i - start;
            index = i;
            return true;
        }

        while (i < end)
        {
            byte b = source[i];
            switch (state)
            {
                case State.SizeStart:
                    int first = ChunkedCharacters.HexValue(b);
                    if (first < 0)
                    {
                        kind = b == LF ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidChunkSize;
                        goto Failed;
                    }

                    _chunkSize = first;
                    _sizeDigits = 1;
                    _sizeStart = _consumed + i;
                    _extensionLength = 0;
                    state = State.SizeDigits;
                    i++;
                    continue;

                case State.SizeDigits:
                    int digit = ChunkedCharacters.HexValue(b);
                    if (digit >= 0)
                    {
                        // 16 digits at most, and no value that a shift would push past 63 bits.
                        if (_sizeDigits == MaxChunkSizeDigits || _chunkSize > (long.MaxValue >> 4))
                        {
                            kind = ParseErrorKind.InvalidChunkSize;
                            goto Failed;
                        }

                        _chunkSize = (_chunkSize << 4) | (long)digit;
                        _sizeDigits++;
                        i++;
                        continue;
                    }

                    // The chunk-size is complete: refuse it before any of its data if it breaks the body limit.
                    if (_chunkSize > _maxBody - _decoded)
                    {
                        kind = ParseErrorKind.ChunkedBodyTooLarge;
                        errorAt = _sizeStart;
                        goto FailedAt;
                    }

                    break;

                case State.ExtName or State.ExtToken or State.ExtQuoted:
                    if (TakeRun(source, ref i, end, quoted: state == State.ExtQuoted))
                    {
                        continue;
                    }

                    break;

                case State.SizeLineLf:
                    if (b != LF)
                    {
                        kind = ParseErrorKind.InvalidLineEnding;
                        errorAt = _consumed + i - 1; // the bare CR
                        goto FailedAt;
                    }

                    i++;
                    _framing += i - start;
                    index = i;
                    EnterChunk(_chunkSize);
                    return true;

                case State.DataCr:
                    if (b != CR)
                    {
                        kind = b == LF ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.MissingChunkDataCrlf;
                        goto Failed;
                    }

                    state = State.DataLf;
                    i++;
                    continue;

                case State.DataLf:
                    if (b != LF)
                    {
                        kind = ParseErrorKind.InvalidLineEnding;
                        errorAt = _consumed + i - 1; // the bare CR
                        goto FailedAt;
                    }

                    state = State.SizeStart;
                    i++;
                    continue;
            }

            // The rest of the chunk-size line, by the table.
            var next = (State)s_next[(((int)state - (int)FirstTableState) << 8) | b];
            if (next == State.Failed)
            {
                kind = b == LF ? ParseErrorKind.InvalidLineEnding
                    : state <= State.SizeBws ? ParseErrorKind.InvalidChunkSize
                    : ParseErrorKind.InvalidChunkExtension;
                goto Failed;
            }

            if (next != State.SizeLineLf && ++_extensionLength > _maxExtension)
            {
                kind = ParseErrorKind.ChunkExtensionTooLong;
                goto Failed;
            }

            state = next;
            i++;
        }

        _framing += i - start;
        _state = state;
        index = i;
        if (i == source.Length)
        {
            return false;
        }

        // More framing bytes are waiting but the framing budget for the data so far is spent.
        SetError(ParseErrorKind.ExcessiveChunkFraming, _consumed + i);
        return false;

    Failed:
        errorAt = _consumed + i;
    FailedAt:
        _framing += i - start;
        index = i;
        SetError(kind, errorAt);
        return false;
    }

    // The common case in one go: [CRLF after data] 1*16HEXDIG CRLF, all of it in source, inside the framing budget and
    // the body limit. It commits only a line the byte-at-a-time path would accept just the same; anything else (an
    // extension, a split line, an error) is left to that path, so results do not depend on which path ran.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPlainSizeLine(ReadOnlySpan<byte> source, ref int index, int end, State state)
    {
        int p = index;
        if (state == State.DataCr)
        {
            if (end - p < 2 || source[p] != CR || source[p + 1] != LF)
            {
                return false;
            }

            p += 2;
        }

        int digitsStart = p;
        int digitsEnd = end - p > MaxChunkSizeDigits ? p + MaxChunkSizeDigits : end;
        long size = 0;
        while (p < digitsEnd)
        {
            int value = ChunkedCharacters.HexValue(source[p]);
            if (value < 0)
            {
                break;
            }

            size = (size << 4) | (long)value;
            p++;
        }

        // size < 0: sixteen digits that do not fit in 63 bits.
        if (p == digitsStart || end - p < 2 || source[p] != CR || source[p + 1] != LF || size < 0 || size > _maxBody - _decoded)
        {
            return false;
        }

        _sizeStart = _consumed + digitsStart;
        _sizeDigits = p - digitsStart;
        _extensionLength = 0;
        _chunkSize = size;
        index = p + 2;
        EnterChunk(size);
        return true;
    }

    // After the LF of a chunk-size line: the chunk's data, or the trailer section after the last chunk.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnterChunk(long size)
    {
        if (size == 0)
        {
            _state = State.TrailerLineStart;
        }
        else
        {
            _chunkRemaining = size;
            _state = State.Data;
        }
    }

    // Consumes a run of token bytes (or of qdtext when quoted) starting at i, as far as the framing end and the
    // extension limit allow. True when it took at least one byte. The byte it stops at goes through the table.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TakeRun(ReadOnlySpan<byte> source, ref int i, int end, bool quoted)
    {
        int room = _maxExtension - _extensionLength;
        int runEnd = end - i <= room ? end : i + room;
        ReadOnlySpan<byte> run = source[i..runEnd];
        int length = quoted ? run.IndexOfAny(ChunkedCharacters.QuotedTextStop) : run.IndexOfAnyExcept(HttpCharacters.Token);
        if (length < 0)
        {
            length = run.Length;
        }

        i += length;
        _extensionLength += length;
        return length > 0;
    }

    // RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), and after the
    // chunk-size, white space only when a ";" follows. Nothing may trail before the CRLF.
    private static byte[] BuildTransitions()
    {
        var table = new byte[((int)LastTableState - (int)FirstTableState + 1) << 8];
        table.AsSpan().Fill((byte)State.Failed);

        void On(State from, State to, Func<byte, bool> bytes)
        {
            for (int b = 0; b < 256; b++)
            {
                if (bytes((byte)b))
                {
                    table[(((int)from - (int)FirstTableState) << 8) | b] = (byte)to;
                }
            }
        }

        Func<byte, bool> whitespace = HttpCharacters.IsWhitespace;
        Func<byte, bool> token = HttpCharacters.Token.Contains;
        Func<byte, bool> qdtext = b => !ChunkedCharacters.QuotedTextStop.Contains(b);
        Func<byte, bool> pairByte = ChunkedCharacters.IsQuotedPairByte;
        Func<byte, bool> cr = b => b == CR, semicolon = b => b == (byte)';', equals = b => b == (byte)'=';

        On(State.SizeDigits, State.SizeLineLf, cr);
        On(State.SizeDigits, State.ExtNameStart, semicolon);
        On(State.SizeDigits, State.SizeBws, whitespace);
        On(State.SizeBws, State.SizeBws, whitespace);
        On(State.SizeBws, State.ExtNameStart, semicolon);

        On(State.ExtNameStart, State.ExtNameStart, whitespace);
        On(State.ExtNameStart, State.ExtName, token);
        On(State.ExtName, State.ExtName, token);
        On(State.ExtName, State.SizeLineLf, cr);
        On(State.ExtName, State.ExtNameStart, semicolon);
        On(State.ExtName, State.ExtValueStart, equals);
        On(State.ExtName, State.ExtNameBws, whitespace);
        On(State.ExtNameBws, State.ExtNameBws, whitespace);
        On(State.ExtNameBws, State.ExtNameStart, semicolon);
        On(State.ExtNameBws, State.ExtValueStart, equals);

        On(State.ExtValueStart, State.ExtValueStart, whitespace);
        On(State.ExtValueStart, State.ExtToken, token);
        On(State.ExtValueStart, State.ExtQuoted, b => b == (byte)'"');
        On(State.ExtToken, State.ExtToken, token);
        On(State.ExtToken, State.SizeLineLf, cr);
        On(State.ExtToken, State.ExtNameStart, semicolon);
        On(State.ExtToken, State.ExtBws, whitespace);
        On(State.ExtQuoted, State.ExtQuoted, qdtext);
        On(State.ExtQuoted, State.ExtValueEnd, b => b == (byte)'"');
        On(State.ExtQuoted, State.ExtQuotedPair, b => b == (byte)'\\');
        On(State.ExtQuotedPair, State.ExtQuoted, pairByte);
        On(State.ExtValueEnd, State.SizeLineLf, cr);
        On(State.ExtValueEnd, State.ExtNameStart, semicolon);
        On(State.ExtValueEnd, State.ExtBws, whitespace);

        // White space after an extension must lead to another one.
        On(State.ExtBws, State.ExtBws, whitespace);
        On(State.ExtBws, State.ExtNameStart, semicolon);
        return table;
    }
}
