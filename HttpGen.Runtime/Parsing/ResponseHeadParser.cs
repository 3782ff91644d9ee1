using System.Buffers;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace HttpGen.Parsing;

/// <summary>
/// The state and logic of one response head: status line, header block, framing per RFC 9112 §6.3, and the values a
/// server sets before writing it. Generated response types hold one of these as a field.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public partial struct ResponseHeadParser : IHeadParser
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    private enum Stage : byte { StatusLine, Headers, Done, Failed }

    private enum ReasonSource : byte { Standard, Parsed, Set }

    private HeadBuffer _buffer;
    private Stage _stage;
    private HeaderBlockReader _headers;
    private ProtocolVersion _version;
    private int _statusCode;
    private ReasonSource _reasonSource;
    private HeaderRange _parsedReason;
    private ReadOnlyMemory<byte> _setReason;
    private RequestMethod _requestMethod;
    private BodyFraming _framing;
    private bool _connectionClose;
    private bool _announceKeepAlive;
    private ParseError _error;
    private int _reasonScanned; // how far earlier calls read the reason phrase: its scan resumes here

    /// <summary>
    /// When writing: this response hands the connection over to another protocol (a server's 101, or its 2xx to
    /// CONNECT), so it has no framing headers (RFC 9110 §9.3.6), and a 101 says <c>Connection: upgrade</c> (§7.8).
    /// </summary>
    internal bool HandsOver;

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>.</summary>
    public OperationStatus Parse<TSink>(ReadOnlyMemory<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink =>
        HeadInput.Parse(ref this, source, ref sink, options, out bytesConsumed);

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>, which may span segments.</summary>
    public OperationStatus Parse<TSink>(in ReadOnlySequence<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink =>
        HeadInput.Parse(ref this, source, ref sink, options, out bytesConsumed);

    /// <summary>Forgets the parsed head and every value set, so that the next parse starts afresh. Keeps buffers.</summary>
    /// <remarks>Field by field, as <see cref="RequestHeadParser.Reset"/> explains (a test checks every field).</remarks>
    public void Reset()
    {
        _buffer.Reset();
        _headers = default;
        _stage = default;
        _version = default;
        _statusCode = 0;
        _reasonSource = default;
        _parsedReason = default;
        _setReason = default;
        _requestMethod = default;
        _framing = default;
        _connectionClose = false;
        _announceKeepAlive = false;
        _error = default;
        _reasonScanned = 0;
    }

    [UnscopedRef]
    ref HeadBuffer IHeadParser.Buffer => ref _buffer;

    readonly bool IHeadParser.IsFinished => _stage >= Stage.Done;

    OperationStatus IHeadParser.ParseCore<TSink>(ReadOnlySpan<byte> head, ref TSink sink, ParserOptions options, out int bytesConsumed)
    {
        bytesConsumed = 0;
        OperationStatus status;
        if (_stage == Stage.StatusLine)
        {
            int limit = options.MaxRequestLineLength;
            bool truncated = head.Length > limit;
            status = ParseStatusLine(truncated ? head[..limit] : head, options.AllowBareLineFeed);
            if (status == OperationStatus.NeedMoreData && truncated)
            {
                // A status line has no 414; the message is simply unusable.
                _error = new ParseError(ParseErrorKind.InvalidStatusLine, limit);
                status = OperationStatus.InvalidData;
            }

            if (status != OperationStatus.Done)
            {
                return status == OperationStatus.InvalidData ? Failed() : status;
            }

            _stage = Stage.Headers;
        }

        status = _headers.Read(head, ref sink, options, out _error);
        if (status == OperationStatus.InvalidData)
        {
            return Failed();
        }

        if (status == OperationStatus.NeedMoreData)
        {
            return status;
        }

        if (!CompleteFraming())
        {
            return Failed();
        }

        _stage = Stage.Done;
        bytesConsumed = _headers.Position;
        return OperationStatus.Done;
    }

    private OperationStatus Failed()
    {
        _stage = Stage.Failed;
        return OperationStatus.InvalidData;
    }

    private OperationStatus Fail(ParseErrorKind kind, int offset)
    {
        _error = new ParseError(kind, offset);
        return OperationStatus.InvalidData;
    }

    // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4)
    private OperationStatus ParseStatusLine(ReadOnlySpan<byte> window, bool allowBareLf)
    {
        if (window.Length < 13)
        {
            return OperationStatus.NeedMoreData;
        }

        ulong version = HeaderNameMatching.Read64(window, 0);
        if (version == RequestLineConstants.Http11)
        {
            _version = ProtocolVersion.Http11;
        }
        else if (version == RequestLineConstants.Http10)
        {
            _version = ProtocolVersion.Http10;
        }
        else
        {
            return Fail(RequestLineConstants.IsVersionShape(window) ? ParseErrorKind.UnsupportedVersion : ParseErrorKind.InvalidVersion, 0);
        }

        if (window[8] != (byte)' ')
        {
            return Fail(ParseErrorKind.InvalidStatusLine, 8);
        }

        byte d0 = window[9], d1 = window[10], d2 = window[11];
        if (!HttpCharacters.IsDigit(d0) || d0 == (byte)'0' || !HttpCharacters.IsDigit(d1) || !HttpCharacters.IsDigit(d2))
        {
            return Fail(ParseErrorKind.InvalidStatusCode, 9);
        }

        _statusCode = ((d0 - '0') * 100) + ((d1 - '0') * 10) + (d2 - '0');
        if (window[12] != (byte)' ')
        {
            return Fail(ParseErrorKind.InvalidStatusLine, 12);
        }

        // reason-phrase = *( HTAB / SP / VCHAR / obs-text ): one scan for the first control byte finds its end. It
        // resumes where the last call's stopped, so a phrase that arrives a byte at a time is read once.
        ReadOnlySpan<byte> reason = window[13..];
        int from = Math.Min(_reasonScanned, reason.Length);
        int stop = reason[from..].IndexOfAny(HttpCharacters.FieldValueStop);
        if (stop < 0)
        {
            _reasonScanned = Math.Max(_reasonScanned, reason.Length);
            return OperationStatus.NeedMoreData;
        }

        stop += from;
        int lineEnd;
        if (reason[stop] == CR)
        {
            if (stop + 1 >= reason.Length)
            {
                _reasonScanned = stop;
                return OperationStatus.NeedMoreData;
            }

            if (reason[stop + 1] != LF)
            {
                return Fail(ParseErrorKind.InvalidLineEnding, 13 + stop);
            }

            lineEnd = 13 + stop + 2;
        }
        else if (reason[stop] == LF && allowBareLf)
        {
            lineEnd = 13 + stop + 1;
        }
        else
        {
            return Fail(reason[stop] == LF ? ParseErrorKind.InvalidLineEnding : ParseErrorKind.InvalidReasonPhrase, 13 + stop);
        }

        _parsedReason = new HeaderRange(13, stop);
        _reasonSource = ReasonSource.Parsed;
        _headers.BlockStart = lineEnd;
        _headers.Position = lineEnd;
        return OperationStatus.Done;
    }

    // RFC 9112 §6.3, in its order: responses that never have a body, then Transfer-Encoding, Content-Length, and
    // otherwise the body runs to the end of the connection.
    private bool CompleteFraming()
    {
        ref HeaderBlockReader h = ref _headers;
        if (h.HasTransferEncoding)
        {
            if (_version == ProtocolVersion.Http10)
            {
                return FailFraming(ParseErrorKind.TransferEncodingInHttp10, h.TransferEncodingOffset);
            }

            if (h.HasContentLength)
            {
                return FailFraming(ParseErrorKind.ContentLengthWithTransferEncoding, Math.Max(h.TransferEncodingOffset, h.ContentLengthOffset));
            }
        }

        if (_requestMethod == RequestMethod.Head || ReasonPhrases.ForbidsBody(_statusCode)
            || (_requestMethod == RequestMethod.Connect && _statusCode is >= 200 and < 300))
        {
            _framing = new BodyFraming(BodyKind.None, 0);
        }
        else if (h.HasTransferEncoding)
        {
            // A response whose last coding is not chunked is delimited by the connection closing.
            _framing = new BodyFraming(h.ChunkedSeen ? BodyKind.Chunked : BodyKind.ReadToClose, 0);
        }
        else if (h.HasContentLength)
        {
            _framing = new BodyFraming(BodyKind.ContentLength, h.ContentLength);
        }
        else
        {
            _framing = new BodyFraming(BodyKind.ReadToClose, 0);
        }

        _connectionClose = !h.KeepAlive(_version) || _framing.Kind == BodyKind.ReadToClose;
        return true;
    }

    private bool FailFraming(ParseErrorKind kind, int offset)
    {
        _error = new ParseError(kind, offset);
        return false;
    }

    /// <summary>The version of a parsed response.</summary>
    public readonly ProtocolVersion Version => _version;

    /// <summary>The status code: parsed, or set for writing. 0 before either.</summary>
    public int StatusCode
    {
        readonly get => _statusCode;
        set
        {
            if (value is < 100 or > 999)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A status code has three digits, from 100 to 999.");
            }

            _statusCode = value;
            _reasonSource = ReasonSource.Standard;
        }
    }

    /// <summary>The reason phrase: parsed, set, or the standard one for <see cref="StatusCode"/>.</summary>
    public readonly ReadOnlySpan<byte> ReasonPhrase => _reasonSource switch
    {
        ReasonSource.Parsed => Slice(_parsedReason),
        ReasonSource.Set => _setReason.Span,
        _ => ReasonPhrases.Get(_statusCode),
    };

    /// <summary>Sets a custom reason phrase (already validated and owned by the caller).</summary>
    public void SetReasonPhrase(ReadOnlyMemory<byte> reason)
    {
        _setReason = reason;
        _reasonSource = ReasonSource.Set;
    }

    /// <summary>The method of the request this response answers; HEAD and CONNECT change its framing.</summary>
    public RequestMethod RequestMethod
    {
        readonly get => _requestMethod;
        set => _requestMethod = value;
    }

    /// <summary>The body framing: parsed, or set for writing.</summary>
    public BodyFraming Framing
    {
        readonly get => _framing;
        set => _framing = value;
    }

    /// <summary>Whether the connection stays open after this response: parsed, or set for writing (default true).</summary>
    public bool KeepAlive
    {
        readonly get => !_connectionClose;
        set => _connectionClose = !value;
    }

    /// <summary>
    /// When writing: also say <c>Connection: keep-alive</c> when the connection stays open. An HTTP/1.0 peer assumes
    /// the connection closes unless told otherwise; HTTP/1.1 peers need no such line.
    /// </summary>
    public bool AnnounceKeepAlive
    {
        readonly get => _announceKeepAlive;
        set => _announceKeepAlive = value;
    }

    /// <summary>The error after <see cref="OperationStatus.InvalidData"/>.</summary>
    public readonly ParseError Error => _error;

    /// <summary>The header lines of a fully parsed head through its blank line; empty before that.</summary>
    public readonly ReadOnlySpan<byte> HeaderBlock => _stage == Stage.Done ? _buffer.Head.Span[_headers.BlockStart.._headers.Position] : default;

    /// <summary>The bytes of <paramref name="range"/>.</summary>
    public readonly ReadOnlySpan<byte> Slice(HeaderRange range) => _buffer.Head.Span.Slice(range.Start, range.Length);

    /// <summary>The bytes of a declared header's value: from the buffer of the latest parse call, or as set.</summary>
    public readonly ReadOnlyMemory<byte> Value(HeaderBytes value) => value.Resolve(_buffer.Head);

    /// <summary>Writes a declared header's line, checking its bytes unless nobody else can have changed them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public readonly void WriteHeader(ref Formatting.HeadWriter writer, ReadOnlySpan<byte> nameColonSpace, HeaderBytes value) =>
        writer.WriteHeader(nameColonSpace, value.Resolve(_buffer.Head).Span, check: !value.IsOwned);

    /// <summary>The bytes of <paramref name="range"/> decoded as Latin-1 (allocates).</summary>
    public readonly string GetString(HeaderRange range) => Encoding.Latin1.GetString(Slice(range));

    /// <summary>Writes the status line and, unless the extra headers carry one, the cached Date line.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="extraHeaders">The extra headers that will follow (a Date among them replaces the current date).</param>
    /// <param name="writeDate">False when the caller writes a Date line of its own.</param>
    public readonly void WriteStart(ref Formatting.HeadWriter writer, HeaderList? extraHeaders, bool writeDate = true)
    {
        if (_statusCode == 0 || _reasonSource == ReasonSource.Standard)
        {
            writer.WriteStandardStatusLine(_statusCode == 0 ? 200 : _statusCode);
        }
        else
        {
            // Only a parsed reason phrase is a view of memory the caller may have changed since.
            writer.WriteStatusLine(_statusCode, ReasonPhrase, checkReason: _reasonSource == ReasonSource.Parsed);
        }

        if (writeDate && extraHeaders is not { ContainsDate: true })
        {
            writer.WriteDateLine();
        }
    }

    /// <summary>Writes the extra headers, the framing headers and the blank line.</summary>
    public readonly bool TryWriteEnd(ref Formatting.HeadWriter writer, HeaderList? extraHeaders, out int bytesWritten)
    {
        if (extraHeaders is not null)
        {
            writer.Write(extraHeaders.Lines);
        }

        if (!HandsOver)
        {
            writer.WriteFraming(_framing, !_connectionClose, _statusCode == 0 ? 200 : _statusCode);
        }
        else if (_statusCode == 101)
        {
            writer.Write("Connection: upgrade\r\n"u8);
        }

        if (_announceKeepAlive && !_connectionClose && _framing.Kind != BodyKind.ReadToClose)
        {
            writer.Write("Connection: keep-alive\r\n"u8);
        }

        return writer.TryComplete(out bytesWritten);
    }
}

/// <summary>Version constants shared by the request and status line parsers.</summary>
internal static class RequestLineConstants
{
    // "HTTP/1.1" and "HTTP/1.0" read as little-endian 64-bit integers.
    public static readonly ulong Http11 = HeaderNameMatching.Read64("HTTP/1.1"u8, 0);
    public static readonly ulong Http10 = HeaderNameMatching.Read64("HTTP/1.0"u8, 0);

    /// <summary>"HTTP/" DIGIT "." DIGIT: a well-formed version, supported or not.</summary>
    public static bool IsVersionShape(ReadOnlySpan<byte> v) =>
        v.Length >= 8 && v.StartsWith("HTTP/"u8) && HttpCharacters.IsDigit(v[5]) && v[6] == (byte)'.' && HttpCharacters.IsDigit(v[7]);
}
