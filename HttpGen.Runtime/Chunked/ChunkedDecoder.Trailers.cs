using System.Runtime.CompilerServices;
using HttpGen.Parsing;

namespace HttpGen.Chunked;

// The trailer section: after the last-chunk line, up to the blank line that ends the body.
public sealed partial class ChunkedDecoder
{
    // Reads the trailer section after the last-chunk line, keeping its bytes for TrailerSection.
    // Returns true when the body is complete, false when out of input or failed.
    private bool ParseTrailers(ReadOnlySpan<byte> source, ref int index)
    {
        int i = index;
        int start = i;
        int budget = _maxTrailerLength - _trailerLength;
        int end = budget < source.Length - i ? i + budget : source.Length;
        State state = _state;
        ParseErrorKind kind;
        long errorAt;

        while (i < end)
        {
            byte b = source[i];
            int length;
            switch (state)
            {
                case State.TrailerLineStart:
                    if (b == CR)
                    {
                        state = State.TrailerEndLf;
                        i++;
                        continue;
                    }

                    if (!HttpCharacters.Token.Contains(b))
                    {
                        kind = b == LF ? ParseErrorKind.InvalidLineEnding
                            : HttpCharacters.IsWhitespace(b) ? ParseErrorKind.ObsoleteLineFolding
                            : ParseErrorKind.InvalidHeaderName;
                        goto Failed;
                    }

                    if (++_trailerCount > _maxTrailerCount)
                    {
                        kind = ParseErrorKind.TooManyTrailers;
                        goto Failed;
                    }

                    _trailerNameOffset = _consumed + i;
                    _trailerNameIndex = _trailerStored + (i - start);
                    state = State.TrailerName;
                    i++;
                    continue;

                case State.TrailerName:
                    length = source[i..end].IndexOfAnyExcept(HttpCharacters.Token);
                    if (length < 0)
                    {
                        i = end;
                        continue;
                    }

                    i += length;
                    b = source[i];
                    if (b != (byte)':')
                    {
                        kind = HttpCharacters.IsWhitespace(b) ? ParseErrorKind.WhitespaceBeforeColon : ParseErrorKind.InvalidHeaderName;
                        goto Failed;
                    }

                    // Keep what was read so far, so that the whole name is in the buffer to be checked.
                    StoreTrailerBytes(source[start..i]);
                    _trailerLength += i - start;
                    start = i;
                    if (IsForbiddenTrailer(_trailers.AsSpan(_trailerNameIndex, _trailerStored - _trailerNameIndex)))
                    {
                        kind = ParseErrorKind.ForbiddenTrailerField;
                        errorAt = _trailerNameOffset;
                        goto FailedAt;
                    }

                    state = State.TrailerValue;
                    i++;
                    continue;

                case State.TrailerValue:
                    // One scan finds the line end and any control byte, as for header values.
                    length = source[i..end].IndexOfAny(HttpCharacters.FieldValueStop);
                    if (length < 0)
                    {
                        i = end;
                        continue;
                    }

                    i += length;
                    b = source[i];
                    if (b != CR)
                    {
                        kind = b == LF ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidHeaderValue;
                        goto Failed;
                    }

                    state = State.TrailerLineLf;
                    i++;
                    continue;

                case State.TrailerLineLf:
                case State.TrailerEndLf:
                    if (b != LF)
                    {
                        kind = ParseErrorKind.InvalidLineEnding;
                        errorAt = _consumed + i - 1; // the bare CR
                        goto FailedAt;
                    }

                    i++;
                    if (state == State.TrailerLineLf)
                    {
                        state = State.TrailerLineStart;
                        continue;
                    }

                    StoreTrailerBytes(source[start..i]);
                    _trailerLength += i - start;
                    index = i;
                    _state = State.Done;
                    return true;

                default:
                    throw new InvalidOperationException("Unreachable trailer state.");
            }
        }

        StoreTrailerBytes(source[start..i]);
        _trailerLength += i - start;
        _state = state;
        index = i;
        if (i == source.Length)
        {
            return false;
        }

        SetError(ParseErrorKind.TrailerSectionTooLarge, _consumed + i);
        return false;

    Failed:
        errorAt = _consumed + i;
    FailedAt:
        index = i;
        SetError(kind, errorAt);
        return false;
    }

    // Fields that frame or route a message. A trailer is never used for framing, and a recipient that merges trailers
    // into the header section must not be handed a second, late framing.
    private static bool IsForbiddenTrailer(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 => System.Text.Ascii.EqualsIgnoreCase(name, "host"u8),
        14 => System.Text.Ascii.EqualsIgnoreCase(name, "content-length"u8),
        17 => System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8),
        _ => false,
    };

    // Keeps trailer bytes once the section has a field. A section without fields is just CRLF and needs no buffer.
    private void StoreTrailerBytes(ReadOnlySpan<byte> bytes)
    {
        if (_trailerCount == 0 || bytes.IsEmpty)
        {
            return;
        }

        int needed = _trailerStored + bytes.Length;
        if (_trailers is null || _trailers.Length < needed)
        {
            GrowTrailers(needed);
        }

        bytes.CopyTo(_trailers.AsSpan(_trailerStored));
        _trailerStored = needed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GrowTrailers(int needed)
    {
        int size = Math.Max(needed, Math.Max(256, (_trailers?.Length ?? 0) * 2));
        var bigger = new byte[Math.Min(size, Math.Max(needed, _maxTrailerLength))];
        _trailers.AsSpan(0, _trailerStored).CopyTo(bigger);
        _trailers = bigger;
    }
}
