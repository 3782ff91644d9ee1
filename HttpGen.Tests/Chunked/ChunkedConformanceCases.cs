using System.Buffers;
using HttpGen.Chunked;
using static System.Buffers.OperationStatus;
using static HttpGen.ParseErrorKind;

namespace HttpGen.Tests.Chunked;

/// <summary>
/// One chunked body and what decoding it must give. Bodies are Latin-1 strings. For Done, <see cref="Consumed"/> defaults
/// to the body length and <see cref="Trailers"/> to the empty trailer section (CRLF). Offsets count from the body's first byte.
/// </summary>
public sealed record ChunkCase(
    string Name,
    string Body,
    OperationStatus Status,
    string Data,
    ParseErrorKind Kind = None,
    long Offset = 0,
    ChunkedDecoderOptions? Options = null,
    string? Trailers = null,
    int? Consumed = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The conformance table. Every expected offset below was worked out by counting bytes by hand; the comments show the
/// count where it is not obvious.
/// </summary>
public static class ChunkedConformanceCases
{
    private const string Hello = "5\r\nhello\r\n";                     // 10 bytes
    private const string End = "0\r\n\r\n";                            // 5 bytes

    private static ChunkedDecoderOptions With(
        int? maxExtension = null, int? maxTrailerLength = null, int? maxTrailerCount = null,
        long? maxBody = null, long? allowance = null, int? perData = null) => new()
        {
            MaxChunkExtensionLength = maxExtension ?? ChunkedDecoderOptions.Default.MaxChunkExtensionLength,
            MaxTrailerSectionLength = maxTrailerLength ?? ChunkedDecoderOptions.Default.MaxTrailerSectionLength,
            MaxTrailerCount = maxTrailerCount ?? ChunkedDecoderOptions.Default.MaxTrailerCount,
            MaxBodySize = maxBody,
            FramingOverheadAllowance = allowance ?? ChunkedDecoderOptions.Default.FramingOverheadAllowance,
            FramingBytesPerDataByte = perData ?? ChunkedDecoderOptions.Default.FramingBytesPerDataByte,
        };

    public static readonly ChunkCase[] All =
    [
        // ---- valid bodies ----
        new("one chunk", Hello + End, Done, "hello"),
        new("empty body", End, Done, ""),
        new("several chunks", Hello + "1\r\n \r\n5\r\nworld\r\n" + End, Done, "hello world"),
        new("upper-case hex", "A\r\n0123456789\r\n" + End, Done, "0123456789"),
        new("lower-case hex", "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n" + End, Done, "abcdefghijklmnopqrstuvwxyz"),
        new("leading zeros", "0005\r\nhello\r\n" + End, Done, "hello"),
        new("sixteen digits", "000000000000000A\r\n0123456789\r\n" + End, Done, "0123456789"),
        new("last chunk of several zeros", "000\r\n\r\n", Done, ""),
        new("extension name only", "5;name\r\nhello\r\n" + End, Done, "hello"),
        new("extension with token value", "5;name=value\r\nhello\r\n" + End, Done, "hello"),
        new("extension with quoted value", "5;name=\"quoted value\"\r\nhello\r\n" + End, Done, "hello"),
        new("quoted value with quoted pairs", "5;n=\"a\\\"b\\\\c\"\r\nhello\r\n" + End, Done, "hello"),
        new("several extensions", "5;a=1;b;c=\"x\"\r\nhello\r\n" + End, Done, "hello"),
        new("BWS before the semicolon", "5 \t;a\r\nhello\r\n" + End, Done, "hello"),
        new("BWS wherever the grammar has it", "5 ; a = 1 ; b\r\nhello\r\n" + End, Done, "hello"),
        new("extension on the last chunk", Hello + "0;end=\"yes\"\r\n\r\n", Done, "hello"),
        new("quoted value with HTAB and obs-text", "5;a=\"\t\u00E9\"\r\nhello\r\n" + End, Done, "hello"),
        new("two trailers", Hello + "0\r\nExpires: never\r\nX-Sum: abc\r\n\r\n", Done, "hello",
            Trailers: "Expires: never\r\nX-Sum: abc\r\n\r\n"),
        new("trailer with empty value", "0\r\nX-Empty:\r\n\r\n", Done, "", Trailers: "X-Empty:\r\n\r\n"),
        new("trailer with obs-text and inner white space", "0\r\nX-Note: caf\u00E9 au lait \r\n\r\n", Done, "",
            Trailers: "X-Note: caf\u00E9 au lait \r\n\r\n"),
        new("data holding CRLFs", "4\r\n\r\n\r\n\r\n" + End, Done, "\r\n\r\n"),
        new("data that looks like the end", "5\r\n0\r\n\r\n\r\n" + End, Done, "0\r\n\r\n"),
        new("binary data", "4\r\n\u0000\u00FF\r\u007F\r\n" + End, Done, "\u0000\u00FF\r\u007F"),
        // "3\r\nabc\r\n" is 8 bytes and the last chunk 5: the next request starts at 13 and is not consumed.
        new("pipelined bytes after the body", "3\r\nabc\r\n" + End + "GET / HTTP/1.1\r\n", Done, "abc", Consumed: 13),

        // ---- valid but incomplete ----
        new("nothing yet", "", NeedMoreData, ""),
        new("inside chunk data", "5\r\nhel", NeedMoreData, "hel"),
        new("before the trailer section", Hello + "0\r\n", NeedMoreData, "hello"),
        new("between CR and LF", "5\r", NeedMoreData, ""),
        new("inside a quoted extension", "5;a=\"x", NeedMoreData, ""),
        new("after a trailer line", "0\r\nA: b\r\nX", NeedMoreData, ""),
        new("largest chunk-size", "7FFFFFFFFFFFFFFF\r\nab", NeedMoreData, "ab"),

        // ---- limits, just inside ----
        new("body exactly at MaxBodySize", Hello + "5\r\nworld\r\n" + End, Done, "helloworld", Options: With(maxBody: 10)),
        new("extension exactly at its limit", "5;abc\r\nhello\r\n" + End, Done, "hello", Options: With(maxExtension: 4)),
        new("no extension with a zero limit", Hello + End, Done, "hello", Options: With(maxExtension: 0)),
        new("trailer section exactly at its limit", "0\r\nA: b\r\n\r\n", Done, "", Options: With(maxTrailerLength: 8),
            Trailers: "A: b\r\n\r\n"),
        new("trailer count exactly at its limit", "0\r\nA: 1\r\nB: 2\r\n\r\n", Done, "", Options: With(maxTrailerCount: 2),
            Trailers: "A: 1\r\nB: 2\r\n\r\n"),
        // Framing "1\r\n" + "\r\n" + "1\r\n" + "\r\n" + "0\r\n" = 13 bytes; the trailer section does not count.
        new("framing exactly at its limit", "1\r\na\r\n1\r\nb\r\n" + End, Done, "ab", Options: With(allowance: 13, perData: 0)),

        // ---- chunk-size ----
        new("size not hex", "g\r\nhello", InvalidData, "", InvalidChunkSize, 0),
        new("size missing", "\r\nhello", InvalidData, "", InvalidChunkSize, 0),
        new("size with plus sign", "+5\r\nhello", InvalidData, "", InvalidChunkSize, 0),
        new("size with minus sign", "-1\r\nh", InvalidData, "", InvalidChunkSize, 0),
        new("size with 0x prefix", "0x5\r\nhello", InvalidData, "", InvalidChunkSize, 1),
        new("size with 0X prefix", "0X5\r\nhello", InvalidData, "", InvalidChunkSize, 1),
        new("size with leading white space", " 5\r\nhello", InvalidData, "", InvalidChunkSize, 0),
        new("size with leading NUL", "\u00005\r\nhello", InvalidData, "", InvalidChunkSize, 0),
        // Seventeen digits: the 17th is at offset 16.
        new("seventeen digits", "00000000000000005\r\nhello", InvalidData, "", InvalidChunkSize, 16),
        // Fifteen digits give 0x0800_0000_0000_0000; a 16th cannot be shifted in without passing 63 bits.
        new("size past 63 bits", "8000000000000000\r\n", InvalidData, "", InvalidChunkSize, 15),
        new("size of all F", "FFFFFFFFFFFFFFFF\r\n", InvalidData, "", InvalidChunkSize, 15),
        new("garbage after the size", "5x\r\nhello", InvalidData, "", InvalidChunkSize, 1),
        new("NUL after the size", "5\u0000\r\nhello", InvalidData, "", InvalidChunkSize, 1),
        new("white space after the size", "5 \r\nhello", InvalidData, "", InvalidChunkSize, 2),
        new("white space inside the size", "5 5\r\nhello", InvalidData, "", InvalidChunkSize, 2),
        new("tabs after the size", "5 \t\r\nhello", InvalidData, "", InvalidChunkSize, 3),
        // "5\r\nhello\r\n" ends at 9: the empty line where the next size belongs starts at 10.
        new("empty size line after data", Hello + "\r\n", InvalidData, "hello", InvalidChunkSize, 10),

        // ---- line endings in the framing ----
        new("bare LF after the size", "5\nhello", InvalidData, "", InvalidLineEnding, 1),
        new("bare CR after the size", "5\rhello", InvalidData, "", InvalidLineEnding, 1),
        new("bare LF where the size belongs", "\nhello", InvalidData, "", InvalidLineEnding, 0),
        new("bare LF after data", "5\r\nhello\n" + End, InvalidData, "hello", InvalidLineEnding, 8),
        new("bare CR after data", "5\r\nhello\r" + End, InvalidData, "hello", InvalidLineEnding, 8),
        new("CR CR LF after the size", "5\r\r\nhello", InvalidData, "", InvalidLineEnding, 1),

        // ---- CRLF after data ----
        new("data longer than its size", "5\r\nhelloX\r\n" + End, InvalidData, "hello", MissingChunkDataCrlf, 8),
        new("size smaller than the data", "3\r\nhello\r\n" + End, InvalidData, "hel", MissingChunkDataCrlf, 6),

        // ---- chunk extensions ----
        new("semicolon without extension", "5;\r\nhello", InvalidData, "", InvalidChunkExtension, 2),
        new("space inside an extension name", "5;a b\r\nhello", InvalidData, "", InvalidChunkExtension, 4),
        new("equals without value", "5;a=\r\nhello", InvalidData, "", InvalidChunkExtension, 4),
        new("equals without name", "5;=x\r\nhello", InvalidData, "", InvalidChunkExtension, 2),
        new("non-token byte in a name", "5;a@b\r\nhello", InvalidData, "", InvalidChunkExtension, 3),
        new("obs-text in a name", "5;a\u00E9\r\nhello", InvalidData, "", InvalidChunkExtension, 3),
        new("second equals in a value", "5;a=b=c\r\nhello", InvalidData, "", InvalidChunkExtension, 5),
        new("white space after a value", "5;a=b \r\nhello", InvalidData, "", InvalidChunkExtension, 6),
        // 5 ; a = " a b c \r : the CR at 8 is inside the quoted-string.
        new("unterminated quoted value", "5;a=\"abc\r\nhello", InvalidData, "", InvalidChunkExtension, 8),
        new("control byte in a quoted value", "5;a=\"a\u0001\"\r\nhello", InvalidData, "", InvalidChunkExtension, 6),
        new("DEL in a quoted value", "5;a=\"\u007F\"\r\nhello", InvalidData, "", InvalidChunkExtension, 5),
        new("control byte in a quoted pair", "5;a=\"\\\u0001\"\r\nhello", InvalidData, "", InvalidChunkExtension, 6),
        new("text after the closing quote", "5;a=\"x\"y\r\nhello", InvalidData, "", InvalidChunkExtension, 7),
        new("bare LF in an extension", "5;a\nb", InvalidData, "", InvalidLineEnding, 3),
        new("bare CR in an extension", "5;a\rb\r\nhello", InvalidData, "", InvalidLineEnding, 3),
        // Extension bytes: ';' 1, 'a' 2, 'b' 3, 'c' 4, 'd' 5 > 4 at offset 5.
        new("extension past its limit", "5;abcd\r\nhello", InvalidData, "", ChunkExtensionTooLong, 5,
            Options: With(maxExtension: 4)),
        new("any extension with a zero limit", "5;a\r\nhello", InvalidData, "", ChunkExtensionTooLong, 1,
            Options: With(maxExtension: 0)),
        // White space before ';' counts: offsets 1, 2, 3 fill the limit of 3 and the ';' at 4 passes it.
        new("white space counts as extension", "5   ;a\r\nhello", InvalidData, "", ChunkExtensionTooLong, 4,
            Options: With(maxExtension: 3)),

        // ---- trailers ----
        new("invalid trailer name", "0\r\nBad@Name: x\r\n\r\n", InvalidData, "", InvalidHeaderName, 6),
        new("white space before a trailer colon", "0\r\nName : x\r\n\r\n", InvalidData, "", WhitespaceBeforeColon, 7),
        // 0 \r \n A : SP b \r \n : the folded line starts at 9.
        new("obs-fold in trailers", "0\r\nA: b\r\n c\r\n\r\n", InvalidData, "", ObsoleteLineFolding, 9),
        new("obs-fold with HTAB in trailers", "0\r\nA: b\r\n\tc: d\r\n\r\n", InvalidData, "", ObsoleteLineFolding, 9),
        new("control byte in a trailer value", "0\r\nA: b\u0001c\r\n\r\n", InvalidData, "", InvalidHeaderValue, 7),
        new("DEL in a trailer value", "0\r\nA: b\u007F\r\n\r\n", InvalidData, "", InvalidHeaderValue, 7),
        new("bare LF in trailers", "0\r\nA: b\n\r\n", InvalidData, "", InvalidLineEnding, 7),
        new("bare CR in trailers", "0\r\nA: b\rc\r\n\r\n", InvalidData, "", InvalidLineEnding, 7),
        new("bare CR ending the body", "0\r\n\rX", InvalidData, "", InvalidLineEnding, 3),
        new("bare LF ending the body", "0\r\n\n", InvalidData, "", InvalidLineEnding, 3),
        new("empty trailer name", "0\r\n: x\r\n\r\n", InvalidData, "", InvalidHeaderName, 3),
        new("trailer line without colon", "0\r\nhello\r\n\r\n", InvalidData, "", InvalidHeaderName, 8),
        new("Content-Length trailer", "0\r\nContent-Length: 5\r\n\r\n", InvalidData, "", ForbiddenTrailerField, 3),
        // "5\r\nhello\r\n" 10 + "0\r\n" 3 + "X: 1\r\n" 6: the second trailer name starts at 19.
        new("Transfer-Encoding trailer", Hello + "0\r\nX: 1\r\ntransfer-encoding: chunked\r\n\r\n", InvalidData, "hello",
            ForbiddenTrailerField, 19),
        new("Host trailer", "0\r\nHOST: evil\r\n\r\n", InvalidData, "", ForbiddenTrailerField, 3),
        // "0\r\n" 3 + "A: 1\r\n" 6 + "B: 2\r\n" 6: the third field starts at 15.
        new("too many trailers", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", InvalidData, "", TooManyTrailers, 15,
            Options: With(maxTrailerCount: 2)),
        new("any trailer with a zero count limit", "0\r\nA: 1\r\n\r\n", InvalidData, "", TooManyTrailers, 3,
            Options: With(maxTrailerCount: 0)),
        // The section starts at 3; ten bytes are 3..12, so the byte at 13 is one too many.
        new("trailer section past its limit", "0\r\nA: 123456789\r\n\r\n", InvalidData, "", TrailerSectionTooLarge, 13,
            Options: With(maxTrailerLength: 10)),
        // "A: bc\r\n\r\n" is 9 bytes from offset 3; with 8 allowed, the final LF at 11 is too many.
        new("final CRLF counts toward the trailer limit", "0\r\nA: bc\r\n\r\n", InvalidData, "", TrailerSectionTooLarge, 11,
            Options: With(maxTrailerLength: 8)),

        // ---- body size and framing overhead ----
        // The second chunk-size starts at 10; 5 + 5 > 8.
        new("body past MaxBodySize", Hello + "5\r\nworld\r\n" + End, InvalidData, "hello", ChunkedBodyTooLarge, 10,
            Options: With(maxBody: 8)),
        new("first chunk past MaxBodySize", "0005\r\nhello", InvalidData, "", ChunkedBodyTooLarge, 0, Options: With(maxBody: 4)),
        // After "a" the limit is 1*1 + 10 = 11, after "b" 12. Framing is 10 after "b\r\n"; the third size line's
        // '1' (12) makes 11, CR (13) 12, and its LF at 14 makes 13 > 12.
        new("flood of one-byte chunks", "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n" + End, InvalidData, "ab", ExcessiveChunkFraming, 14,
            Options: With(allowance: 10, perData: 1)),
        // No data yet: eight framing bytes at offsets 0..7 are allowed, the ninth at 8 is not.
        new("flood of extension bytes", "1;aaaaaaaaaaaa\r\nx\r\n" + End, InvalidData, "", ExcessiveChunkFraming, 8,
            Options: With(allowance: 8, perData: 0)),
    ];

    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    public static ChunkCase Get(string name) => All.Single(c => c.Name == name);
}
