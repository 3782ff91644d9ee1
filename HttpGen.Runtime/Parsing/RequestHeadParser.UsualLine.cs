using System.Numerics;
using System.Runtime.Intrinsics;

namespace HttpGen.Parsing;

// The fast path of the request line: the usual shape in one inline pass, and the method compared a word at a time.
public partial struct RequestHeadParser
{
    // The usual request line, whole in the first call, in one inline pass: a method token and SP, an origin-form (or
    // absolute-form) target whose percent-encodings are checked where the scan meets them, SP, HTTP/1.1 or HTTP/1.0 and
    // CRLF. Returns false for anything else (an error, a bracket, a bare LF, a line not complete yet) and leaves it to
    // the byte-exact path, which reads the line afresh and reports the precise error and offset; it sets nothing then
    // that the byte-exact path does not set again.
    private bool TryReadUsualRequestLine(ReadOnlySpan<byte> window)
    {
        // The first 32 bytes give the method's end and, beside it, the target's first byte that is not a path byte
        // (its end, for the usual short target); a longer target is scanned on from there.
        int methodEnd, pos, question = -1;
        if (HttpCharacters.TryLoad32(window, 0, out Vector128<byte> low, out Vector128<byte> high, out _))
        {
            methodEnd = BitOperations.TrailingZeroCount(HttpCharacters.NotIn32(low, high, HttpCharacters.TokenSet.Bitmap, 0));
            if (methodEnd is 0 or 32 || window[methodEnd] != (byte)' ')
            {
                return false;
            }

            // And the query's end, from the same loads: the byte after a '?' that ends the path there.
            uint nonPath = HttpCharacters.NotIn32(low, high, HttpCharacters.PathScanSet.Bitmap, 0) & ~((2u << methodEnd) - 1);
            uint nonQuery = HttpCharacters.NotIn32(low, high, HttpCharacters.QueryScanSet.Bitmap, 0);
            pos = nonPath != 0 ? BitOperations.TrailingZeroCount(nonPath)
                : HttpCharacters.IndexOfFirstNotIn(window, 32, window.Length, HttpCharacters.PathScanSet);
            if (pos is > 0 and < 31 && window[pos] == (byte)'?' && (nonQuery &= ~((2u << pos) - 1)) != 0)
            {
                question = pos;
                pos = BitOperations.TrailingZeroCount(nonQuery);
            }
        }
        else
        {
            methodEnd = HttpCharacters.IndexOfFirstNotIn(window, 0, window.Length, HttpCharacters.TokenSet);
            if (methodEnd <= 0 || window[methodEnd] != (byte)' ')
            {
                return false;
            }

            pos = HttpCharacters.IndexOfFirstNotIn(window, methodEnd + 1, window.Length, HttpCharacters.PathScanSet);
        }

        int start = methodEnd + 1;
        while (true)
        {
            if (pos < 0)
            {
                return false;
            }

            byte b = window[pos];
            if (b == (byte)'%')
            {
                if (pos + 2 >= window.Length || !HttpCharacters.IsHexDigit(window[pos + 1]) || !HttpCharacters.IsHexDigit(window[pos + 2]))
                {
                    return false;
                }

                pos += 3;
            }
            else if (b == (byte)'?' && question < 0)
            {
                question = pos++;
            }
            else
            {
                break;
            }

            pos = HttpCharacters.IndexOfFirstNotIn(window, pos, window.Length, question < 0 ? HttpCharacters.PathScanSet : HttpCharacters.QueryScanSet);
        }

        // SP, then "HTTP/1.x" CRLF: 8 bytes compared at once, then 2.
        if (window[pos] != (byte)' ' || pos == start || window.Length - pos < 11)
        {
            return false;
        }

        ulong version = HeaderNameMatching.Read64(window, pos + 1);
        if ((version != Http11 && version != Http10) || HeaderNameMatching.Read16(window, pos + 9) != CrLf)
        {
            return false;
        }

        RequestMethod method = ClassifyMethod(window, methodEnd);
        _rawMethod = new HeaderRange(0, methodEnd);
        _method = method;
        _target = new HeaderRange(start, pos - start);
        if (window[start] == (byte)'/' && method != RequestMethod.Connect)
        {
            _form = RequestTargetForm.Origin;
            _path = new HeaderRange(start, (question < 0 ? pos : question) - start);
            _query = question < 0 ? new HeaderRange(pos, 0) : new HeaderRange(question + 1, pos - question - 1);
        }
        else if (!ClassifyTarget(window[start..pos], start, method))
        {
            // A target of no form, or of a form its method does not take: the byte-exact path reports it.
            return false;
        }

        _version = version == Http11 ? ProtocolVersion.Http11 : ProtocolVersion.Http10;
        int lineEnd = pos + 11;
        _headers.BlockStart = lineEnd;
        _headers.Position = lineEnd;
        _headers.IsHttp10 = _version == ProtocolVersion.Http10;
        return true;
    }

    // The method of a request line whose method (a token) ends with the SP at `length`: compared with the registered
    // ones 4 or 8 bytes at a time, the SP included (methods are case-sensitive).
    private static RequestMethod ClassifyMethod(ReadOnlySpan<byte> line, int length)
    {
        uint first = HeaderNameMatching.Read32(line, 0);
        return length switch
        {
            3 when first == Get4 => RequestMethod.Get,
            3 when first == Put4 => RequestMethod.Put,
            4 when first == Post4 => RequestMethod.Post,
            4 when first == Head4 => RequestMethod.Head,
            _ => ClassifyMethod(line[..length]),
        };
    }

    private static uint Get4 => HeaderNameMatching.Read32("GET "u8, 0);

    private static uint Put4 => HeaderNameMatching.Read32("PUT "u8, 0);

    private static uint Post4 => HeaderNameMatching.Read32("POST"u8, 0);

    private static uint Head4 => HeaderNameMatching.Read32("HEAD"u8, 0);

    private static ushort CrLf => HeaderNameMatching.Read16("\r\n"u8, 0);
}
