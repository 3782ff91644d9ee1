using System.Buffers;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;

namespace HttpGen.Parsing;

/// <summary>
/// The state and logic of one request-head parse: request line, header block, framing. Generated request types hold
/// one of these as a field and pass it their header sink; every value is kept as a <see cref="HeaderRange"/> into
/// the head buffer, so a parse copies nothing and allocates nothing.
/// </summary>
/// <remarks>
/// A head given as a multi-segment <see cref="ReadOnlySequence{T}"/> is copied, incrementally and only up to the
/// limits, into a buffer the parser owns and keeps across parses; a contiguous head is used in place.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public partial struct RequestHeadParser : IHeadParser
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    private enum Stage : byte { RequestLine, Headers, Done, Failed }

    // The part of the request line being read: empty lines before it, method, target (up to its query), query, version.
    private enum LinePart : byte { Leading, Method, Target, Query, Version }

    private HeadBuffer _buffer;
    private Stage _stage;
    private LinePart _part;
    private int _partStart; // where the current part of the request line starts
    private int _scanned;   // how far the current part was read by earlier calls: its scan resumes here
    private HeaderBlockReader _headers;
    private RequestMethod _method;
    private ProtocolVersion _version;
    private RequestTargetForm _form;
    private bool _defaultPath;
    private HeaderRange _rawMethod;
    private HeaderRange _target;
    private HeaderRange _path;
    private HeaderRange _query;
    private BodyFraming _framing;
    private bool _connectionClose;
    private ParseError _error;

    // Values set for writing a request (client side; RequestHeadParser.Writing.cs). A set target or method replaces the parsed one.
    private bool _targetSet;
    private ReadOnlyMemory<byte> _setTarget;
    private ReadOnlyMemory<byte> _setRawMethod;

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>.</summary>
    public OperationStatus Parse<TSink>(ReadOnlyMemory<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink =>
        HeadInput.Parse(ref this, source, ref sink, options, out bytesConsumed);

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>, which may span segments.</summary>
    public OperationStatus Parse<TSink>(in ReadOnlySequence<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink =>
        HeadInput.Parse(ref this, source, ref sink, options, out bytesConsumed);

    /// <summary>Forgets the parsed head and every value set, so that the next parse starts afresh. Keeps buffers.</summary>
    /// <remarks>
    /// Field by field rather than <c>this = default</c>: a struct holding references is zeroed by a loop of 8-byte
    /// stores and its kept buffer copied back through write barriers, a sizeable part of a short parse. Every field
    /// is listed (a test checks that a reset leaves them all at their defaults).
    /// </remarks>
    public void Reset()
    {
        _buffer.Reset();
        _headers = default;
        _stage = default;
        _part = default;
        _partStart = 0;
        _scanned = 0;
        _method = default;
        _version = default;
        _form = default;
        _defaultPath = false;
        _rawMethod = default;
        _target = default;
        _path = default;
        _query = default;
        _framing = default;
        _connectionClose = false;
        _error = default;
        _targetSet = false;
        _setTarget = default;
        _setRawMethod = default;
    }

    [UnscopedRef]
    ref HeadBuffer IHeadParser.Buffer => ref _buffer;

    readonly bool IHeadParser.IsFinished => _stage >= Stage.Done;

    OperationStatus IHeadParser.ParseCore<TSink>(ReadOnlySpan<byte> head, ref TSink sink, ParserOptions options, out int bytesConsumed)
    {
        bytesConsumed = 0;
        OperationStatus status;
        if (_stage == Stage.RequestLine)
        {
            // The usual line, whole in a first call, is read in one pass; anything else by the resumable path.
            if (_part == LinePart.Leading && _scanned == 0
                && TryReadUsualRequestLine(head.Length > options.MaxRequestLineLength ? head[..options.MaxRequestLineLength] : head))
            {
                status = OperationStatus.Done;
            }
            else
            {
                status = ParseRequestLine(head, options);
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

    // request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3)
    private OperationStatus ParseRequestLine(ReadOnlySpan<byte> head, ParserOptions options)
    {
        int limit = options.MaxRequestLineLength;
        bool truncated = head.Length > limit;
        ReadOnlySpan<byte> window = truncated ? head[..limit] : head;
        OperationStatus status = ParseRequestLineIn(window, options.AllowBareLineFeed);
        if (status == OperationStatus.NeedMoreData && truncated)
        {
            // A method still running at the limit is not a long URI: a server that gets a method longer than any it
            // implements answers 501 (RFC 9112 §3). Anything else that long is a long target: 414.
            return Fail(_part == LinePart.Method ? ParseErrorKind.MethodTooLong : ParseErrorKind.RequestLineTooLong, limit);
        }

        return status;
    }

    // Resumable: the parts already read are kept, and the scan of the unfinished one goes on from where the last call
    // stopped, so a line that arrives a byte at a time is read once. Error offsets are where a one-shot parse puts them.
    private OperationStatus ParseRequestLineIn(ReadOnlySpan<byte> window, bool allowBareLf)
    {
        // The state of earlier calls in locals; stored again only when this call too runs out of data.
        LinePart part = _part;
        int start = _partStart;
        int pos = _scanned;
        if (Math.Max(pos, start) > window.Length)
        {
            // Read further than this head reaches (a multi-segment head is copied in growing chunks, so a call may see
            // less than the one before): nothing new to judge yet.
            return OperationStatus.NeedMoreData;
        }

        if (part == LinePart.Leading)
        {
            // A server should ignore empty lines before a request line (RFC 9112 §2.2): a client may send a stray CRLF
            // after a body.
            while (pos < window.Length && (window[pos] == CR || window[pos] == LF))
            {
                if (window[pos] == LF)
                {
                    if (!allowBareLf)
                    {
                        return Fail(ParseErrorKind.InvalidLineEnding, pos);
                    }

                    pos++;
                }
                else if (pos + 1 >= window.Length)
                {
                    break;
                }
                else if (window[pos + 1] != LF)
                {
                    return Fail(ParseErrorKind.InvalidLineEnding, pos);
                }
                else
                {
                    pos += 2;
                }
            }

            if (pos >= window.Length || window[pos] == CR)
            {
                return Wait(LinePart.Leading, 0, pos);
            }

            part = LinePart.Method;
            start = pos;
        }

        if (part == LinePart.Method)
        {
            // method = token, then exactly one SP
            int length = window[pos..].IndexOfAnyExcept(HttpCharacters.Token);
            if (length < 0)
            {
                return Wait(part, start, window.Length);
            }

            pos += length;
            byte stop = window[pos];
            if (stop != (byte)' ' || pos == start)
            {
                // White space or a line end where the method or its SP belongs breaks the line's shape; any other byte
                // is simply not a token character.
                return Fail(IsSeparator(stop) ? ParseErrorKind.InvalidRequestLine : ParseErrorKind.InvalidMethod, pos);
            }

            _rawMethod = new HeaderRange(start, pos - start);
            _method = ClassifyMethod(window[start..pos]);
            pos++;
            part = LinePart.Target;
            start = pos;
        }

        if (part == LinePart.Target)
        {
            // request-target: the bytes RFC 3986 allows, then exactly one SP. Up to its '?' the scan also stops at '['
            // and ']', which RFC 3986 §3.3 does not allow in a path: only in an IP literal, and in the query (a
            // documented decision). A target without either takes the one scan it always took.
            while (true)
            {
                int length = window[pos..].IndexOfAnyExcept(HttpCharacters.PathBytes);
                if (length < 0)
                {
                    return Wait(part, start, window.Length);
                }

                pos += length;
                byte b = window[pos];
                if (b == (byte)'?')
                {
                    part = LinePart.Query;
                    pos++;
                    break;
                }

                if (b is not ((byte)'[' or (byte)']'))
                {
                    break;
                }

                if (HeaderValueParsing.IsInPath(window[start..pos], _method))
                {
                    // The earliest fault wins: a bad percent-encoding before the bracket.
                    int percent = HeaderValueParsing.IndexOfBadPercentEncoding(window[start..pos]);
                    return Fail(ParseErrorKind.InvalidRequestTarget, percent >= 0 ? start + percent : pos);
                }

                pos++;
            }
        }

        if (part == LinePart.Query)
        {
            int length = window[pos..].IndexOfAnyExcept(HttpCharacters.Target);
            if (length < 0)
            {
                return Wait(part, start, window.Length);
            }

            pos += length;
        }

        if (part != LinePart.Version)
        {
            ReadOnlySpan<byte> target = window[start..pos];

            // The earliest fault inside the target comes before the byte that ended it.
            int badPercent = HeaderValueParsing.IndexOfBadPercentEncoding(target);
            if (badPercent >= 0)
            {
                return Fail(ParseErrorKind.InvalidRequestTarget, start + badPercent);
            }

            byte stop = window[pos];
            if (stop != (byte)' ' || target.IsEmpty)
            {
                return Fail(IsSeparator(stop) ? ParseErrorKind.InvalidRequestLine : ParseErrorKind.InvalidRequestTarget, pos);
            }

            _target = new HeaderRange(start, target.Length);
            if (!ClassifyTarget(target, start, _method))
            {
                return OperationStatus.InvalidData;
            }

            pos++;
            start = pos;
        }

        // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF. The two supported versions are one 64-bit compare;
        // anything else is checked byte by byte as far as it has arrived, so that a malformed version fails on its
        // first wrong byte however the input is split. It is short: judged anew from its first byte on every call.
        pos = start;
        ReadOnlySpan<byte> rest = window[pos..];
        ulong version = rest.Length >= 8 ? HeaderNameMatching.Read64(rest, 0) : 0;
        bool supported = version == Http11 || version == Http10;
        if (!supported)
        {
            int mismatch = IndexOfVersionMismatch(rest[..Math.Min(rest.Length, 8)]);
            if (mismatch >= 0)
            {
                // A separator where the version should start means the version is missing (or a second SP): the
                // line's shape is wrong. Anything else is a malformed version.
                bool missing = mismatch == 0 && IsSeparator(rest[0]);
                return Fail(missing ? ParseErrorKind.InvalidRequestLine : ParseErrorKind.InvalidVersion, pos + mismatch);
            }
        }

        if (rest.Length < 9)
        {
            return Wait(LinePart.Version, start, start);
        }

        // The byte after the version decides whether the version token is complete before its value is judged:
        // "HTTP/2.0x" is malformed (400), not an unsupported version (505).
        int lineLength;
        byte end = rest[8];
        if (end == CR)
        {
            if (rest.Length < 10)
            {
                return Wait(LinePart.Version, start, start);
            }

            if (rest[9] != LF)
            {
                return Fail(ParseErrorKind.InvalidLineEnding, pos + 8);
            }

            lineLength = 10;
        }
        else if (end == LF)
        {
            if (!allowBareLf)
            {
                return Fail(ParseErrorKind.InvalidLineEnding, pos + 8);
            }

            lineLength = 9;
        }
        else
        {
            return Fail(IsSeparator(end) ? ParseErrorKind.InvalidRequestLine : ParseErrorKind.InvalidVersion, pos + 8);
        }

        if (!supported)
        {
            return Fail(ParseErrorKind.UnsupportedVersion, pos);
        }

        _version = version == Http11 ? ProtocolVersion.Http11 : ProtocolVersion.Http10;
        pos += lineLength;
        _headers.BlockStart = pos;
        _headers.Position = pos;
        _headers.IsHttp10 = _version == ProtocolVersion.Http10;
        return OperationStatus.Done;
    }

    // Out of data: keeps the part being read, where it starts and how far it was scanned, for the next call.
    private OperationStatus Wait(LinePart part, int start, int scanned)
    {
        _part = part;
        _partStart = start;
        _scanned = scanned;
        return OperationStatus.NeedMoreData;
    }

    // SP, HTAB, CR or LF: bytes that separate the parts of the request line or end it.
    private static bool IsSeparator(byte b) => b is (byte)' ' or (byte)'\t' or CR or LF;

    // Index of the first byte of `prefix` that cannot begin "HTTP/" DIGIT "." DIGIT, or -1.
    private static int IndexOfVersionMismatch(ReadOnlySpan<byte> prefix)
    {
        ReadOnlySpan<byte> name = "HTTP/"u8;
        for (int i = 0; i < prefix.Length; i++)
        {
            byte b = prefix[i];
            bool ok = i switch
            {
                < 5 => b == name[i],
                6 => b == (byte)'.',
                _ => HttpCharacters.IsDigit(b),
            };
            if (!ok)
            {
                return i;
            }
        }

        return -1;
    }

    private static ulong Http11 => RequestLineConstants.Http11;

    private static ulong Http10 => RequestLineConstants.Http10;

    private static RequestMethod ClassifyMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => RequestMethod.Get,
        3 when method.SequenceEqual("PUT"u8) => RequestMethod.Put,
        4 when method.SequenceEqual("POST"u8) => RequestMethod.Post,
        4 when method.SequenceEqual("HEAD"u8) => RequestMethod.Head,
        5 when method.SequenceEqual("PATCH"u8) => RequestMethod.Patch,
        5 when method.SequenceEqual("TRACE"u8) => RequestMethod.Trace,
        6 when method.SequenceEqual("DELETE"u8) => RequestMethod.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => RequestMethod.Options,
        7 when method.SequenceEqual("CONNECT"u8) => RequestMethod.Connect,
        _ => RequestMethod.Custom,
    };

    // Sorts the target into one of the four forms of RFC 9112 §3.2 and finds its path and query. Percent-encodings
    // were checked by the caller. A target that has no valid form, or a form its method does not take, fails at its
    // first byte.
    private bool ClassifyTarget(ReadOnlySpan<byte> target, int offset, RequestMethod method)
    {
        if (method == RequestMethod.Connect)
        {
            // authority-form = uri-host ":" port, and CONNECT takes no other form (RFC 9110 §9.3.6: the port is required)
            if (!HeaderValueParsing.IsValidHostAndPort(target, requirePort: true))
            {
                return FailTarget(offset);
            }

            _form = RequestTargetForm.Authority;
            _path = new HeaderRange(offset, 0);
            _query = new HeaderRange(offset + target.Length, 0);
            return true;
        }

        if (target[0] == (byte)'/')
        {
            _form = RequestTargetForm.Origin;
            SplitPathAndQuery(target, offset);
            return true;
        }

        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (method != RequestMethod.Options)
            {
                return FailTarget(offset);
            }

            _form = RequestTargetForm.Asterisk;
            _path = new HeaderRange(offset, 0);
            _query = new HeaderRange(offset + 1, 0);
            return true;
        }

        // absolute-form: scheme "://" authority path-abempty [ "?" query ], e.g. http://example.com/a?b.
        // Requiring the authority keeps "host:port" (authority-form, CONNECT only) from passing as a URI whose
        // scheme is the host name; a proxy has no use for an absolute URI without an authority.
        if (!HttpCharacters.IsAlpha(target[0]))
        {
            return FailTarget(offset);
        }

        int schemeEnd = target.IndexOfAnyExcept(HttpCharacters.Scheme);
        if (schemeEnd < 0 || !target[schemeEnd..].StartsWith("://"u8))
        {
            return FailTarget(offset);
        }

        int authorityStart = schemeEnd + 3;
        int authorityLength = target[authorityStart..].IndexOfAny((byte)'/', (byte)'?');
        authorityLength = authorityLength < 0 ? target.Length - authorityStart : authorityLength;

        // No userinfo (RFC 9110 §4.2.4) and a non-empty host (§4.2.1): IsValidHostAndPort rejects '@' and an empty host.
        if (!HeaderValueParsing.IsValidHostAndPort(target.Slice(authorityStart, authorityLength), requirePort: false))
        {
            return FailTarget(offset);
        }

        int pathStart = authorityStart + authorityLength;
        _form = RequestTargetForm.Absolute;
        SplitPathAndQuery(target[pathStart..], offset + pathStart);
        _defaultPath = _path.Length == 0;
        return true;
    }

    private void SplitPathAndQuery(ReadOnlySpan<byte> pathAndQuery, int offset)
    {
        int question = pathAndQuery.IndexOf((byte)'?');
        if (question < 0)
        {
            _path = new HeaderRange(offset, pathAndQuery.Length);
            _query = new HeaderRange(offset + pathAndQuery.Length, 0);
        }
        else
        {
            _path = new HeaderRange(offset, question);
            _query = new HeaderRange(offset + question + 1, pathAndQuery.Length - question - 1);
        }
    }

    private bool FailTarget(int offset) => FailFraming(ParseErrorKind.InvalidRequestTarget, offset);

    private bool FailFraming(ParseErrorKind kind, int offset)
    {
        _error = new ParseError(kind, offset);
        return false;
    }

    // After the blank line: the rules of RFC 9112 §3.2 (Host) and §6.1–6.3 (body length) that need the whole head.
    // Conflicts that a single field line already shows (Transfer-Encoding in HTTP/1.0, Content-Length together with
    // Transfer-Encoding) were rejected at that line; what is left is checked in the order of the offsets reported.
    private bool CompleteFraming()
    {
        ref HeaderBlockReader h = ref _headers;

        // A request whose last coding is not chunked has no reliable length: 400 (RFC 9112 §6.3, rule 4).
        // A coding after chunked was rejected where it appeared, so "chunked seen" means "chunked is last".
        if (h.HasTransferEncoding && !h.ChunkedSeen)
        {
            return FailFraming(ParseErrorKind.InvalidTransferEncoding, h.TransferEncodingOffset);
        }

        // RFC 9112 §3.2: an HTTP/1.1 request without Host is rejected. The fault shows at the blank line.
        if (_version == ProtocolVersion.Http11 && h.HostCount == 0)
        {
            return FailFraming(ParseErrorKind.MissingHost, h.BlankLineOffset);
        }

        _framing = h.HasTransferEncoding ? new BodyFraming(BodyKind.Chunked, 0)
            : h.HasContentLength ? new BodyFraming(BodyKind.ContentLength, h.ContentLength)
            : new BodyFraming(BodyKind.None, 0);
        _connectionClose = !h.KeepAlive(_version);
        return true;
    }

    /// <summary>The method: parsed, or set for writing.</summary>
    public readonly RequestMethod Method => _method;

    /// <summary>The version of a parsed request.</summary>
    public readonly ProtocolVersion Version => _version;

    /// <summary>The request-target's form.</summary>
    public readonly RequestTargetForm TargetForm => _form;

    /// <summary>The body framing: parsed, or set for writing.</summary>
    public BodyFraming Framing
    {
        readonly get => _framing;
        set => _framing = value;
    }

    /// <summary>Whether the connection stays open after this request: parsed, or set for writing (default true).</summary>
    public bool KeepAlive
    {
        readonly get => !_connectionClose;
        set => _connectionClose = !value;
    }

    /// <summary>Whether the client sent <c>Expect: 100-continue</c> and waits to be told to send the body.</summary>
    public readonly bool ExpectContinue => _headers.ExpectContinue;

    /// <summary>Whether the Connection field holds the <c>upgrade</c> option (the client asks to switch protocols).</summary>
    public readonly bool ConnectionUpgrade => _headers.ConnectionUpgrade;

    /// <summary>The error after <see cref="OperationStatus.InvalidData"/>.</summary>
    public readonly ParseError Error => _error;

    /// <summary>The raw method bytes.</summary>
    public readonly ReadOnlySpan<byte> RawMethod => _setRawMethod.IsEmpty ? Slice(_rawMethod) : _setRawMethod.Span;

    /// <summary>The raw request-target bytes.</summary>
    public readonly ReadOnlySpan<byte> Target => TargetBytes(_target);

    /// <summary>The path: "/" for an absolute-form target without one, empty for authority and asterisk forms.</summary>
    public readonly ReadOnlySpan<byte> Path => _defaultPath ? "/"u8 : TargetBytes(_path);

    /// <summary>The query, without its '?'; empty when there is none.</summary>
    public readonly ReadOnlySpan<byte> Query => TargetBytes(_query);

    // Target ranges point into the parsed head, or into the set target.
    private readonly ReadOnlySpan<byte> TargetBytes(HeaderRange range) =>
        _targetSet ? _setTarget.Span.Slice(range.Start, range.Length) : Slice(range);

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
}
