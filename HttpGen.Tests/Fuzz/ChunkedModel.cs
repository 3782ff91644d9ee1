using System.Buffers;
using System.Text;
using HttpGen.Chunked;
using HttpGen.Tests.Chunked;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// A reference model of the chunked decoder, written to be obviously right rather than fast: the whole body at once,
/// read top-down along the grammar of RFC 9112 §7.1 with the rules of docs/chunked.md, one byte at a time, with
/// exceptions to stop. Every byte is first checked against the limit that applies to it (framing budget or trailer
/// section size), then against the grammar, then against the per-line extension limit, as the documentation says.
/// On an error, "consumed" is the offset of the byte being judged when the error was found.
/// </summary>
internal sealed class ChunkedModel
{
    private readonly byte[] _body;
    private readonly ChunkedDecoderOptions _options;
    private readonly List<byte> _data = [];
    private int _p;                // the next byte
    private long _framing;         // framing bytes taken
    private int _extension;        // extension bytes on the current size line
    private int _trailerLength;    // trailer section bytes taken

    private ChunkedModel(byte[] body, ChunkedDecoderOptions options)
    {
        _body = body;
        _options = options;
    }

    /// <summary>What the decoder must make of <paramref name="body"/>, given whole.</summary>
    public static Outcome Decode(byte[] body, ChunkedDecoderOptions options)
    {
        var model = new ChunkedModel(body, options);
        try
        {
            string trailers = model.Body();
            return new Outcome(OperationStatus.Done, model.DataText, ParseErrorKind.None, 0, model._p, trailers);
        }
        catch (NeedMore)
        {
            return new Outcome(OperationStatus.NeedMoreData, model.DataText, ParseErrorKind.None, 0, body.Length, "");
        }
        catch (Invalid e)
        {
            return new Outcome(OperationStatus.InvalidData, model.DataText, e.Kind, e.Offset, model._p, "");
        }
    }

    private string DataText => Encoding.Latin1.GetString(_data.ToArray());

    private string Body()
    {
        while (true)
        {
            long size = SizeLine();
            if (size == 0)
            {
                return Trailers();
            }

            for (long n = 0; n < size; n++)
            {
                _data.Add(Next());
                _p++;
            }

            // CRLF after the data.
            byte b = Framing();
            if (b != '\r')
            {
                throw new Invalid(b == '\n' ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.MissingChunkDataCrlf, _p);
            }

            TakeFraming();
            Lf(Framing());
            TakeFraming();
        }
    }

    // chunk-size [ chunk-ext ] CRLF; returns the size.
    private long SizeLine()
    {
        byte b = Framing();
        if (Hex(b) < 0)
        {
            throw new Invalid(b == '\n' ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidChunkSize, _p);
        }

        long sizeStart = _p;
        long size = 0;
        int digits = 0;
        while (Hex(b = Framing()) >= 0)
        {
            if (digits == 16 || (Int128)size * 16 + Hex(b) > long.MaxValue)
            {
                throw new Invalid(ParseErrorKind.InvalidChunkSize, _p);
            }

            size = size * 16 + Hex(b);
            digits++;
            TakeFraming();
        }

        if ((Int128)_data.Count + size > (_options.MaxBodySize ?? long.MaxValue))
        {
            throw new Invalid(ParseErrorKind.ChunkedBodyTooLarge, sizeStart);
        }

        _extension = 0;
        if (b != '\r')
        {
            // White space after the size only before a ';'.
            while (IsWhitespace(b))
            {
                TakeExtension();
                b = Framing();
            }

            if (b != ';')
            {
                throw new Invalid(b == '\n' ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidChunkSize, _p);
            }

            Extensions();
        }

        TakeFraming(); // CR
        Lf(Framing());
        TakeFraming();
        return size;
    }

    // 1*( ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] BWS ), at the first ';', up to the CR.
    private void Extensions()
    {
        while (true)
        {
            TakeExtension(); // ';'
            byte b = SkipWhitespace();
            ExpectExtension(IsToken(b));
            TakeTokens();

            b = Framing();
            if (b == '\r')
            {
                return;
            }

            b = SkipWhitespace();
            if (b == '=')
            {
                TakeExtension();
                b = SkipWhitespace();
                ExpectExtension(IsToken(b) || b == '"');
                if (b == '"')
                {
                    QuotedString();
                }
                else
                {
                    TakeTokens();
                }

                b = Framing();
                if (b == '\r')
                {
                    return;
                }

                b = SkipWhitespace();
            }

            ExpectExtension(b == ';');
        }
    }

    private void QuotedString()
    {
        TakeExtension(); // opening quote
        while (true)
        {
            byte b = Framing();
            if (b == '"')
            {
                TakeExtension();
                return;
            }

            if (b == '\\')
            {
                TakeExtension();
                b = Framing();
                ExpectExtension(b == '\t' || (b >= 0x20 && b != 0x7F));
            }
            else
            {
                ExpectExtension(b == '\t' || (b >= 0x20 && b != 0x7F)); // qdtext: not a control, not DEL
            }

            TakeExtension();
        }
    }

    private void TakeTokens()
    {
        while (IsToken(Framing()))
        {
            TakeExtension();
        }
    }

    private byte SkipWhitespace()
    {
        byte b;
        while (IsWhitespace(b = Framing()))
        {
            TakeExtension();
        }

        return b;
    }

    // trailer-section = *( field-line CRLF ) CRLF
    private string Trailers()
    {
        int start = _p;
        int count = 0;
        while (true)
        {
            byte b = Trailer();
            if (b == '\r')
            {
                TakeTrailer();
                Lf(Trailer());
                TakeTrailer();
                return count == 0 ? "\r\n" : Encoding.Latin1.GetString(_body, start, _p - start);
            }

            if (!IsToken(b))
            {
                throw new Invalid(
                    b == '\n' ? ParseErrorKind.InvalidLineEnding : IsWhitespace(b) ? ParseErrorKind.ObsoleteLineFolding : ParseErrorKind.InvalidHeaderName, _p);
            }

            if (++count > _options.MaxTrailerCount)
            {
                throw new Invalid(ParseErrorKind.TooManyTrailers, _p);
            }

            int nameStart = _p;
            while (IsToken(Trailer()))
            {
                TakeTrailer();
            }

            b = Trailer();
            if (b != ':')
            {
                throw new Invalid(IsWhitespace(b) ? ParseErrorKind.WhitespaceBeforeColon : ParseErrorKind.InvalidHeaderName, _p);
            }

            string name = Encoding.Latin1.GetString(_body, nameStart, _p - nameStart).ToLowerInvariant();
            if (name is "content-length" or "transfer-encoding" or "host")
            {
                throw new Invalid(ParseErrorKind.ForbiddenTrailerField, nameStart);
            }

            TakeTrailer();
            while ((b = Trailer()) != '\r')
            {
                if (b < 0x20 && b != '\t' || b == 0x7F)
                {
                    throw new Invalid(b == '\n' ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidHeaderValue, _p);
                }

                TakeTrailer();
            }

            TakeTrailer();
            Lf(Trailer());
            TakeTrailer();
        }
    }

    // The byte after a CR must be LF; otherwise the CR (just before it) is bare.
    private void Lf(byte b)
    {
        if (b != '\n')
        {
            throw new Invalid(ParseErrorKind.InvalidLineEnding, _p - 1);
        }
    }

    private byte Next() => _p < _body.Length ? _body[_p] : throw new NeedMore();

    // The next framing byte, if there is one and the framing budget for the data so far allows one more.
    private byte Framing()
    {
        byte b = Next();
        Int128 limit = (Int128)_data.Count * _options.FramingBytesPerDataByte + _options.FramingOverheadAllowance;
        if (_framing + 1 > limit)
        {
            throw new Invalid(ParseErrorKind.ExcessiveChunkFraming, _p);
        }

        return b;
    }

    private void TakeFraming()
    {
        _framing++;
        _p++;
    }

    private void ExpectExtension(bool valid)
    {
        if (!valid)
        {
            throw new Invalid(_body[_p] == '\n' ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidChunkExtension, _p);
        }
    }

    private void TakeExtension()
    {
        if (++_extension > _options.MaxChunkExtensionLength)
        {
            throw new Invalid(ParseErrorKind.ChunkExtensionTooLong, _p);
        }

        TakeFraming();
    }

    private byte Trailer()
    {
        byte b = Next();
        if (_trailerLength + 1 > _options.MaxTrailerSectionLength)
        {
            throw new Invalid(ParseErrorKind.TrailerSectionTooLarge, _p);
        }

        return b;
    }

    private void TakeTrailer()
    {
        _trailerLength++;
        _p++;
    }

    private static int Hex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';

    // tchar (RFC 9110 §5.6.2)
    private static bool IsToken(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' || "!#$%&'*+-.^_`|~".Contains((char)b);

    private sealed class NeedMore : Exception;

    private sealed class Invalid(ParseErrorKind kind, long offset) : Exception
    {
        public ParseErrorKind Kind { get; } = kind;

        public long Offset { get; } = offset;
    }
}
