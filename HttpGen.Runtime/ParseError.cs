namespace HttpGen;

/// <summary>What was wrong with a message head. Each kind maps to one HTTP status code (see <see cref="ParseError.StatusCode"/>).</summary>
public enum ParseErrorKind : byte
{
    /// <summary>No error.</summary>
    None = 0,
    /// <summary>The method is not a token, or is empty (400).</summary>
    InvalidMethod,
    /// <summary>The request line is not <c>method SP target SP version CRLF</c> with exactly one space between parts (400).</summary>
    InvalidRequestLine,
    /// <summary>The request-target has a byte that is not allowed, a bad percent-encoding, or a form the method does not take (400).</summary>
    InvalidRequestTarget,
    /// <summary>The version is not of the form <c>HTTP/DIGIT.DIGIT</c> (400).</summary>
    InvalidVersion,
    /// <summary>The version is well formed but not HTTP/1.0 or HTTP/1.1 (505).</summary>
    UnsupportedVersion,
    /// <summary>The request line is longer than <see cref="ParserOptions.MaxRequestLineLength"/>, its method having ended within it (414).</summary>
    RequestLineTooLong,
    /// <summary>A bare CR, or a bare LF where CRLF is required (400).</summary>
    InvalidLineEnding,
    /// <summary>A field name is empty or has a byte that is not a token character (400).</summary>
    InvalidHeaderName,
    /// <summary>White space between a field name and its colon (400, RFC 9112 §5.1).</summary>
    WhitespaceBeforeColon,
    /// <summary>A header line starts with white space: obsolete line folding (400, RFC 9112 §5.2).</summary>
    ObsoleteLineFolding,
    /// <summary>A field value holds NUL or another control character other than HTAB (400).</summary>
    InvalidHeaderValue,
    /// <summary>One field name or value is longer than its limit (431).</summary>
    HeaderFieldTooLarge,
    /// <summary>The header block is longer than <see cref="ParserOptions.MaxHeaderBlockLength"/> (431).</summary>
    HeadersTooLarge,
    /// <summary>More header lines than <see cref="ParserOptions.MaxHeaderCount"/> (431).</summary>
    TooManyHeaders,
    /// <summary>An HTTP/1.1 request without a Host header (400).</summary>
    MissingHost,
    /// <summary>More than one Host header (400).</summary>
    DuplicateHost,
    /// <summary>A Host value with bytes a host cannot hold (400).</summary>
    InvalidHost,
    /// <summary>Content-Length is not a plain decimal number that fits in 63 bits (400).</summary>
    InvalidContentLength,
    /// <summary>Content-Length given twice, or as a list (400).</summary>
    DuplicateContentLength,
    /// <summary>Transfer-Encoding is not a valid list, or chunked is not its last coding, or is repeated (400).</summary>
    InvalidTransferEncoding,
    /// <summary>Transfer-Encoding names a coding the parser does not know (501).</summary>
    UnsupportedTransferCoding,
    /// <summary>Both Content-Length and Transfer-Encoding: the framing is ambiguous (400).</summary>
    ContentLengthWithTransferEncoding,
    /// <summary>Transfer-Encoding in an HTTP/1.0 message: the framing cannot be trusted (400).</summary>
    TransferEncodingInHttp10,
    /// <summary>A header declared as a number holds something other than decimal digits, or overflows (400).</summary>
    InvalidNumericHeader,
    /// <summary>A header declared as a number appears more than once (400).</summary>
    DuplicateNumericHeader,

    // Responses

    /// <summary>The status line is not <c>HTTP-version SP 3DIGIT SP reason CRLF</c> (400: the message cannot be used).</summary>
    InvalidStatusLine,
    /// <summary>The status code is not three digits from 100 to 999 (400).</summary>
    InvalidStatusCode,
    /// <summary>The reason phrase holds a control character other than HTAB (400).</summary>
    InvalidReasonPhrase,
    // Chunked transfer coding (RFC 9112 §7.1), reported by HttpGen.Chunked.ChunkedDecoder with offsets from the first byte of the chunked body.
    /// <summary>A chunk-size that is empty, has a byte that is not a hex digit (a sign, <c>0x</c>, white space not followed by <c>;</c>), has more than 16 digits, or does not fit in 63 bits (400).</summary>
    InvalidChunkSize,
    /// <summary>A chunk extension that is not <c>;</c> <c>token [BWS "=" BWS (token / quoted-string)]</c>, or white space at the end of a chunk-size line (400).</summary>
    InvalidChunkExtension,
    /// <summary>The chunk extensions of one chunk-size line are longer than <c>ChunkedDecoderOptions.MaxChunkExtensionLength</c> (400).</summary>
    ChunkExtensionTooLong,
    /// <summary>The byte after the chunk data is not the CR of the CRLF that must follow it (400).</summary>
    MissingChunkDataCrlf,
    /// <summary>The chunk framing bytes exceed the allowance of <c>ChunkedDecoderOptions</c> relative to the data: a flood of tiny chunks or extensions (400).</summary>
    ExcessiveChunkFraming,
    /// <summary>A trailer field that can never be a trailer: Content-Length, Transfer-Encoding or Host (400).</summary>
    ForbiddenTrailerField,
    /// <summary>More trailer fields than <c>ChunkedDecoderOptions.MaxTrailerCount</c> (400).</summary>
    TooManyTrailers,
    /// <summary>The trailer section is longer than <c>ChunkedDecoderOptions.MaxTrailerSectionLength</c> (400).</summary>
    TrailerSectionTooLarge,
    /// <summary>The decoded chunked body would be longer than <c>ChunkedDecoderOptions.MaxBodySize</c> (413).</summary>
    ChunkedBodyTooLarge,

    // Requests again (appended, so that the values above keep their numbers)

    /// <summary>
    /// The method runs past <see cref="ParserOptions.MaxRequestLineLength"/>: longer than any method a server implements
    /// (501, RFC 9112 §3). It is not the target that is too long, so not 414.
    /// </summary>
    MethodTooLong,
}

/// <summary>An error found while parsing a message head: its kind, the status code to answer with, and where it is.</summary>
/// <param name="Kind">What was wrong.</param>
/// <param name="Offset">The offset of the offending byte from the first byte given to <c>TryParse</c>.</param>
/// <remarks>
/// Where the offending byte is not a single byte: a limit error points at the first byte past the limit (for
/// <see cref="ParseErrorKind.TooManyHeaders"/>, the first byte of the first line past the count); an error about a
/// header value's meaning (Host, Content-Length, Transfer-Encoding, declared numbers, duplicates) at the first byte of
/// the trimmed value; a request-target that has no valid form, or a form its method does not take, at the target's
/// first byte; <see cref="ParseErrorKind.UnsupportedVersion"/> at the version's first byte; and
/// <see cref="ParseErrorKind.MissingHost"/> at the blank line that ends the head. The offset does not depend on how the
/// input was split across calls.
/// </remarks>
public readonly record struct ParseError(ParseErrorKind Kind, int Offset)
{
    /// <summary>True when there is an error.</summary>
    public bool IsError => Kind != ParseErrorKind.None;

    /// <summary>The status code a server answers with: 400, 413, 414, 431, 501 or 505 (0 when there is no error).</summary>
    public int StatusCode => GetStatusCode(Kind);

    /// <summary>A short English reason for logs and error bodies. Never allocates.</summary>
    public string Reason => GetReason(Kind);

    /// <summary>The status code for <paramref name="kind"/>.</summary>
    /// <param name="kind">An error kind.</param>
    /// <returns>The HTTP status code, or 0 for <see cref="ParseErrorKind.None"/>.</returns>
    public static int GetStatusCode(ParseErrorKind kind) => kind switch
    {
        ParseErrorKind.None => 0,
        ParseErrorKind.UnsupportedVersion => 505,
        ParseErrorKind.RequestLineTooLong => 414,
        ParseErrorKind.HeaderFieldTooLarge or ParseErrorKind.HeadersTooLarge or ParseErrorKind.TooManyHeaders => 431,
        ParseErrorKind.UnsupportedTransferCoding or ParseErrorKind.MethodTooLong => 501,
        ParseErrorKind.ChunkedBodyTooLarge => 413,
        _ => 400,
    };

    /// <summary>A short English reason for <paramref name="kind"/>.</summary>
    /// <param name="kind">An error kind.</param>
    /// <returns>A constant string.</returns>
    public static string GetReason(ParseErrorKind kind) => kind switch
    {
        ParseErrorKind.None => "no error",
        ParseErrorKind.InvalidMethod => "invalid method",
        ParseErrorKind.InvalidRequestLine => "malformed request line",
        ParseErrorKind.InvalidRequestTarget => "invalid request target",
        ParseErrorKind.InvalidVersion => "malformed HTTP version",
        ParseErrorKind.UnsupportedVersion => "HTTP version not supported",
        ParseErrorKind.RequestLineTooLong => "request line too long",
        ParseErrorKind.MethodTooLong => "method too long: not implemented",
        ParseErrorKind.InvalidLineEnding => "line ending is not CRLF",
        ParseErrorKind.InvalidHeaderName => "invalid header field name",
        ParseErrorKind.WhitespaceBeforeColon => "white space before the colon of a header field",
        ParseErrorKind.ObsoleteLineFolding => "obsolete line folding",
        ParseErrorKind.InvalidHeaderValue => "control character in a header field value",
        ParseErrorKind.HeaderFieldTooLarge => "header field too large",
        ParseErrorKind.HeadersTooLarge => "header block too large",
        ParseErrorKind.TooManyHeaders => "too many header fields",
        ParseErrorKind.MissingHost => "HTTP/1.1 request without Host",
        ParseErrorKind.DuplicateHost => "more than one Host header",
        ParseErrorKind.InvalidHost => "invalid Host value",
        ParseErrorKind.InvalidContentLength => "invalid Content-Length",
        ParseErrorKind.DuplicateContentLength => "more than one Content-Length",
        ParseErrorKind.InvalidTransferEncoding => "invalid Transfer-Encoding",
        ParseErrorKind.UnsupportedTransferCoding => "unsupported transfer coding",
        ParseErrorKind.ContentLengthWithTransferEncoding => "both Content-Length and Transfer-Encoding",
        ParseErrorKind.TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
        ParseErrorKind.InvalidNumericHeader => "invalid numeric header value",
        ParseErrorKind.DuplicateNumericHeader => "numeric header given more than once",
        ParseErrorKind.InvalidStatusLine => "malformed status line",
        ParseErrorKind.InvalidStatusCode => "invalid status code",
        ParseErrorKind.InvalidReasonPhrase => "control character in the reason phrase",
        ParseErrorKind.InvalidChunkSize => "invalid chunk size",
        ParseErrorKind.InvalidChunkExtension => "invalid chunk extension",
        ParseErrorKind.ChunkExtensionTooLong => "chunk extensions too long",
        ParseErrorKind.MissingChunkDataCrlf => "chunk data not followed by CRLF",
        ParseErrorKind.ExcessiveChunkFraming => "too much chunk framing for the data it carries",
        ParseErrorKind.ForbiddenTrailerField => "framing or routing field in the trailer section",
        ParseErrorKind.TooManyTrailers => "too many trailer fields",
        ParseErrorKind.TrailerSectionTooLarge => "trailer section too large",
        ParseErrorKind.ChunkedBodyTooLarge => "chunked body too large",
        _ => "malformed message",
    };

    /// <inheritdoc/>
    public override string ToString() => Kind == ParseErrorKind.None ? "None" : $"{StatusCode} {Kind} at offset {Offset}";
}
