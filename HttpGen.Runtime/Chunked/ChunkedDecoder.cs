using System.Buffers;
using System.Runtime.CompilerServices;
using HttpGen.Parsing;

namespace HttpGen.Chunked;

/// <summary>
/// An incremental, allocation-free decoder for the chunked transfer coding (RFC 9112 §7.1). One instance decodes one
/// chunked body at a time; call <see cref="Reset"/> before the next body. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Feed the decoder the unconsumed rest of the chunked body, in as many pieces as it arrives. Every byte is looked at
/// once: framing (chunk-size lines, extensions, the CRLF after data, trailers) is validated as it goes by and kept
/// only as state, so a chunk-size line or a trailer split across reads works, and a piece that ends in the middle of
/// the framing is consumed whole. Data is never buffered: the zero-copy <see cref="Read(ReadOnlySpan{byte}, out int, out Range)"/>
/// and <see cref="TryRead"/> hand back where it is in your input, <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/>
/// copies it out.
/// </para>
/// <para>
/// Errors are values: <see cref="OperationStatus.InvalidData"/> and <see cref="Error"/>, whose offset counts from the
/// first byte of the chunked body over the whole life of the decoder (since construction or <see cref="Reset"/>), not
/// from the start of the current call. The offset points at the offending byte: the first byte that no valid chunked
/// body could have there; for a bare CR, the CR; for a limit, the first byte past it; for
/// <see cref="ParseErrorKind.ChunkedBodyTooLarge"/>, the first digit of the chunk-size that would exceed it. Because
/// bytes are judged one at a time and limits are checked per byte, the result (data, error kind and offset) is the
/// same however the body is split across calls. After an error or the end of the body, further calls consume nothing.
/// </para>
/// <para>
/// Strictness: chunk-size is 1 to 16 hex digits with no sign, prefix or white space, and must fit in 63 bits; white
/// space after the chunk-size is allowed only before a <c>;</c>; extensions follow
/// <c>*( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )</c> with nothing after them but CRLF; a bare CR
/// or bare LF anywhere in the framing is <see cref="ParseErrorKind.InvalidLineEnding"/> (there is no lenient switch:
/// a framing disagreement between two parsers is how request smuggling works); trailer fields follow the header field
/// rules and never carry framing: Content-Length, Transfer-Encoding and Host in the trailer section are rejected with
/// <see cref="ParseErrorKind.ForbiddenTrailerField"/>.
/// </para>
/// <para>
/// It is a sealed class rather than a struct because it is a long-lived mutable state machine that a server keeps per
/// connection and resets per message: a struct copied by accident (a readonly field, a by-value parameter) would
/// silently lose its progress. The class also owns the small trailer buffer, allocated the first time a body has
/// trailers and reused after that.
/// </para>
/// </remarks>
/// <example>
/// A server loop over whatever bytes have arrived:
/// <code>
/// int position = 0;
/// while (decoder.TryRead(buffer, ref position, out ReadOnlySpan&lt;byte&gt; data))
/// {
///     Process(data);                  // a view into buffer, no copy
/// }
/// switch (decoder.Status)
/// {
///     case OperationStatus.NeedMoreData: break; // buffer[..position] (here: all of it) is consumed; read more
///     case OperationStatus.Done: break;         // body complete; buffer[position..] is the next message
///     case OperationStatus.InvalidData: break;  // decoder.Error.StatusCode, .Kind, .Offset
/// }
/// </code>
/// </example>
public sealed partial class ChunkedDecoder
{
    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';
    private const int MaxChunkSizeDigits = 16;

    private enum State : byte
    {
        // Framing: the chunk-size line and the CRLF after data.
        SizeStart,
        SizeDigits,
        SizeBws,
        ExtNameStart,
        ExtName,
        ExtNameBws,
        ExtValueStart,
        ExtToken,
        ExtQuoted,
        ExtQuotedPair,
        ExtValueEnd,
        ExtBws,
        SizeLineLf,
        DataCr,
        DataLf,

        Data,

        // The trailer section, after the last-chunk line.
        TrailerLineStart,
        TrailerName,
        TrailerValue,
        TrailerLineLf,
        TrailerEndLf,

        Done,
        Failed,
    }

    private readonly int _maxExtension;
    private readonly int _maxTrailerLength;
    private readonly int _maxTrailerCount;
    private readonly int _framingPerDataByte;
    private readonly long _framingAllowance;
    private readonly long _maxBody;

    private State _state;
    private long _consumed;       // bytes of the body consumed since Reset: the body offset of the next input byte
    private long _decoded;        // chunk data bytes consumed
    private long _framing;        // framing bytes consumed
    private long _framingLimit;   // the most framing bytes allowed for the data decoded so far
    private long _chunkSize;      // the chunk-size being read, then the size of the current chunk
    private long _chunkRemaining; // data bytes of the current chunk not yet consumed
    private long _sizeStart;      // body offset of the first digit of the current chunk-size
    private int _sizeDigits;
    private int _extensionLength; // extension bytes on the current chunk-size line
    private int _trailerLength;   // trailer section bytes consumed, the final CRLF included
    private int _trailerCount;
    private long _trailerNameOffset; // body offset of the current trailer field name
    private int _trailerNameIndex;   // index of the same name in _trailers
    private int _trailerStored;      // bytes kept in _trailers
    private byte[]? _trailers;
    private ParseErrorKind _errorKind;
    private long _errorOffset;

    /// <summary>Creates a decoder with <see cref="ChunkedDecoderOptions.Default"/>.</summary>
    public ChunkedDecoder()
        : this(ChunkedDecoderOptions.Default)
    {
    }

    /// <summary>Creates a decoder with the given limits.</summary>
    /// <param name="options">The limits; read once here.</param>
    public ChunkedDecoder(ChunkedDecoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _maxExtension = options.MaxChunkExtensionLength;
        _maxTrailerLength = options.MaxTrailerSectionLength;
        _maxTrailerCount = options.MaxTrailerCount;
        _framingPerDataByte = options.FramingBytesPerDataByte;
        _framingAllowance = options.FramingOverheadAllowance;
        _maxBody = options.MaxBodySize ?? long.MaxValue;
        Reset();
    }

    /// <summary>The limits this decoder was created with.</summary>
    public ChunkedDecoderOptions Options { get; }

    /// <summary>
    /// <see cref="OperationStatus.Done"/> once the whole body (last chunk and trailer section) has been read,
    /// <see cref="OperationStatus.InvalidData"/> after an error, otherwise <see cref="OperationStatus.NeedMoreData"/>.
    /// </summary>
    public OperationStatus Status => _state switch
    {
        State.Done => OperationStatus.Done,
        State.Failed => OperationStatus.InvalidData,
        _ => OperationStatus.NeedMoreData,
    };

    /// <summary>True once the last chunk and the trailer section have been read: the message body is complete.</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>
    /// The error that stopped decoding, or <c>default</c>. <see cref="ParseError.Offset"/> counts from the first byte of
    /// the chunked body; past <see cref="int.MaxValue"/> it is clamped (see <see cref="ErrorOffset"/>).
    /// </summary>
    public ParseError Error => new(_errorKind, (int)Math.Min(_errorOffset, int.MaxValue));

    /// <summary>The exact offset of <see cref="Error"/> from the first byte of the chunked body, for bodies past 2 GiB.</summary>
    public long ErrorOffset => _errorOffset;

    /// <summary>Bytes of the chunked body consumed since construction or <see cref="Reset"/>.</summary>
    public long BytesConsumed => _consumed;

    /// <summary>Chunk data bytes consumed since construction or <see cref="Reset"/>: the decoded length so far.</summary>
    public long DecodedLength => _decoded;

    /// <summary>The number of trailer fields read so far.</summary>
    public int TrailerCount => _trailerCount;

    /// <summary>
    /// Once <see cref="IsCompleted"/>: the validated trailer section, its field lines each ending in CRLF followed by the
    /// blank line (just CRLF when there are none), for <see cref="HeaderFieldEnumerator"/>. Empty before completion.
    /// Valid until <see cref="Reset"/>.
    /// </summary>
    public ReadOnlySpan<byte> TrailerSection =>
        _state != State.Done ? default : _trailerCount == 0 ? "\r\n"u8 : _trailers.AsSpan(0, _trailerStored);

    /// <summary>Walks the trailer fields (empty before <see cref="IsCompleted"/>) without allocating; use with <c>foreach</c>.</summary>
    /// <returns>An enumerator over <see cref="TrailerSection"/>.</returns>
    public HeaderFieldEnumerator EnumerateTrailers() => new(TrailerSection);

    /// <summary>Gets ready for a new chunked body. Keeps the options and the trailer buffer.</summary>
    public void Reset()
    {
        _state = State.SizeStart;
        _consumed = 0;
        _decoded = 0;
        _framing = 0;
        _framingLimit = _framingAllowance;
        _chunkSize = 0;
        _chunkRemaining = 0;
        _sizeStart = 0;
        _sizeDigits = 0;
        _extensionLength = 0;
        _trailerLength = 0;
        _trailerCount = 0;
        _trailerNameOffset = 0;
        _trailerNameIndex = 0;
        _trailerStored = 0;
        _errorKind = ParseErrorKind.None;
        _errorOffset = 0;
    }

    /// <summary>
    /// The zero-copy primitive: reads framing from <paramref name="source"/> up to the next run of chunk data, and
    /// returns that run as a range of <paramref name="source"/>. At most one run per call; the call stops right after it.
    /// </summary>
    /// <param name="source">The unconsumed rest of the chunked body: whatever has arrived and was not consumed before.</param>
    /// <param name="bytesConsumed">Bytes of <paramref name="source"/> consumed, data included. Framing bytes are consumed
    /// even when they do not complete a line: the decoder remembers them, so they are never given again.</param>
    /// <param name="data">The run of chunk data found, as a range of <paramref name="source"/>
    /// (<c>source[data]</c>); empty when there is none. It ends at <paramref name="bytesConsumed"/>.</param>
    /// <returns>
    /// <see cref="OperationStatus.NeedMoreData"/>: the body is not finished. With a non-empty <paramref name="data"/>,
    /// call again with <c>source[bytesConsumed..]</c> (which may hold more); with an empty one, all of
    /// <paramref name="source"/> was consumed: call again when more bytes arrive.
    /// <see cref="OperationStatus.Done"/>: the last chunk and trailer section were read; <paramref name="data"/> is empty and
    /// <c>source[bytesConsumed..]</c> is what follows the body. <see cref="OperationStatus.InvalidData"/>: see <see cref="Error"/>.
    /// </returns>
    public OperationStatus Read(ReadOnlySpan<byte> source, out int bytesConsumed, out Range data)
    {
        OperationStatus status = ReadCore(source, int.MaxValue, out bytesConsumed, out int dataStart, out int dataLength);
        data = new Range(dataStart, dataStart + dataLength);
        return status;
    }

    /// <summary>
    /// The loop form of <see cref="Read(ReadOnlySpan{byte}, out int, out Range)"/>: returns the next run of chunk data in
    /// <c>source[position..]</c> and moves <paramref name="position"/> past it. Returns false when there is no more data
    /// in <paramref name="source"/>; <see cref="Status"/> then says why, and <paramref name="position"/> is
    /// <c>source.Length</c> (need more data), just past the body (done), or where the error was found.
    /// </summary>
    /// <param name="source">The bytes that have arrived.</param>
    /// <param name="position">Where to start in <paramref name="source"/>; advanced past what was consumed.</param>
    /// <param name="data">A view of the run of chunk data in <paramref name="source"/>.</param>
    /// <returns>True when <paramref name="data"/> holds at least one byte.</returns>
    public bool TryRead(ReadOnlySpan<byte> source, ref int position, out ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> rest = source[position..];
        ReadCore(rest, int.MaxValue, out int consumed, out int dataStart, out int dataLength);
        position += consumed;
        data = rest.Slice(dataStart, dataLength);
        return dataLength > 0;
    }

    /// <summary>
    /// The zero-copy primitive over a <see cref="ReadOnlySequence{T}"/>: like <see cref="Read(ReadOnlySpan{byte}, out int, out Range)"/>,
    /// with framing (a chunk-size line, a trailer) free to span segments. A returned run lies within one segment.
    /// </summary>
    /// <param name="source">The unconsumed rest of the chunked body.</param>
    /// <param name="consumed">The end of what was consumed, data included.</param>
    /// <param name="data">The run of chunk data found, a slice of <paramref name="source"/>; empty when there is none.</param>
    /// <returns>As for <see cref="Read(ReadOnlySpan{byte}, out int, out Range)"/>.</returns>
    public OperationStatus Read(in ReadOnlySequence<byte> source, out SequencePosition consumed, out ReadOnlySequence<byte> data) =>
        ReadSegments(source, default, copy: false, out consumed, out _, out data);

    /// <summary>
    /// The copying convenience: decodes as much of <paramref name="source"/> as fits into <paramref name="destination"/>.
    /// </summary>
    /// <param name="source">The unconsumed rest of the chunked body.</param>
    /// <param name="destination">Where the chunk data goes.</param>
    /// <param name="bytesConsumed">Bytes of <paramref name="source"/> consumed.</param>
    /// <param name="bytesWritten">Bytes of chunk data written to <paramref name="destination"/>.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/>: the body is complete and <c>source[bytesConsumed..]</c> follows it.
    /// <see cref="OperationStatus.NeedMoreData"/>: all of <paramref name="source"/> was consumed and the body goes on.
    /// <see cref="OperationStatus.DestinationTooSmall"/>: <paramref name="destination"/> is full and more data is in
    /// <c>source[bytesConsumed..]</c>. <see cref="OperationStatus.InvalidData"/>: see <see cref="Error"/>; the data
    /// before the error was written.
    /// </returns>
    public OperationStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesConsumed, out int bytesWritten)
    {
        int written = 0;
        OperationStatus status = ReadSegment(source, destination, copy: true, ref written, out bytesConsumed, out _, out _);
        bytesWritten = written;
        return status;
    }

    /// <summary>
    /// The copying convenience over a <see cref="ReadOnlySequence{T}"/>, with framing free to span segments.
    /// </summary>
    /// <param name="source">The unconsumed rest of the chunked body.</param>
    /// <param name="destination">Where the chunk data goes.</param>
    /// <param name="consumed">The end of what was consumed.</param>
    /// <param name="bytesWritten">Bytes of chunk data written to <paramref name="destination"/>.</param>
    /// <returns>As for <see cref="Decode(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/>.</returns>
    public OperationStatus Decode(in ReadOnlySequence<byte> source, Span<byte> destination, out SequencePosition consumed, out int bytesWritten) =>
        ReadSegments(source, destination, copy: true, out consumed, out bytesWritten, out _);

    // Both sequence overloads: each segment in turn through ReadSegment, until one of them stops short of its end.
    // Framing left unfinished at the end of a segment is state, so the next segment simply goes on with it.
    private OperationStatus ReadSegments(in ReadOnlySequence<byte> source, Span<byte> destination, bool copy, out SequencePosition consumed, out int bytesWritten, out ReadOnlySequence<byte> data)
    {
        int written = 0;
        SequencePosition next = source.Start;
        SequencePosition segmentStart = next;
        while (source.TryGet(ref next, out ReadOnlyMemory<byte> memory))
        {
            OperationStatus status = ReadSegment(memory.Span, destination, copy, ref written, out int used, out int dataStart, out int dataLength);
            if (dataLength > 0 || status != OperationStatus.NeedMoreData)
            {
                consumed = source.GetPosition(used, segmentStart);
                data = dataLength > 0 ? source.Slice(source.GetPosition(dataStart, segmentStart), dataLength) : default;
                bytesWritten = written;
                return status;
            }

            segmentStart = next;
        }

        consumed = source.End;
        data = default;
        bytesWritten = written;
        return Status;
    }

    // One contiguous piece of input. Zero-copy (copy false): up to and including the first data run, returned as a
    // range. Copying: every run goes to destination[written..] and reading goes on until the piece is used up, the
    // destination is full or the body ends; no range is returned.
    private OperationStatus ReadSegment(ReadOnlySpan<byte> source, Span<byte> destination, bool copy, ref int written, out int bytesConsumed, out int dataStart, out int dataLength)
    {
        if (!copy)
        {
            return ReadCore(source, int.MaxValue, out bytesConsumed, out dataStart, out dataLength);
        }

        int consumed = 0;
        OperationStatus status;
        while (true)
        {
            ReadOnlySpan<byte> rest = source[consumed..];
            status = ReadCore(rest, destination.Length - written, out int used, out int runStart, out int runLength);
            if (runLength > 0)
            {
                rest.Slice(runStart, runLength).CopyTo(destination[written..]);
                written += runLength;
            }

            consumed += used;
            if (runLength == 0 || status != OperationStatus.NeedMoreData)
            {
                break;
            }
        }

        bytesConsumed = consumed;
        dataStart = 0;
        dataLength = 0;
        return status;
    }

    // The one state machine behind every entry point. Stops after one run of at most maxData data bytes.
    // Returns NeedMoreData with all of source consumed when it ran out of input, NeedMoreData with a data run,
    // DestinationTooSmall when data is next but maxData is 0, Done or InvalidData.
    private OperationStatus ReadCore(ReadOnlySpan<byte> source, int maxData, out int bytesConsumed, out int dataStart, out int dataLength)
    {
        dataStart = 0;
        dataLength = 0;
        int i = 0;
        OperationStatus status;
        while (true)
        {
            State state = _state;
            if (state < State.Data)
            {
                if (ParseFraming(source, ref i))
                {
                    continue;
                }
            }
            else if (state == State.Data)
            {
                int available = source.Length - i;
                if (available == 0)
                {
                    status = OperationStatus.NeedMoreData;
                    break;
                }

                if (maxData <= 0)
                {
                    status = OperationStatus.DestinationTooSmall;
                    break;
                }

                int run = (int)Math.Min(_chunkRemaining, Math.Min(available, maxData));
                dataStart = i;
                dataLength = run;
                i += run;
                _decoded += run;
                _chunkRemaining -= run;
                if (_chunkRemaining == 0)
                {
                    _state = State.DataCr;
                    _framingLimit = FramingLimit();
                }

                status = OperationStatus.NeedMoreData;
                break;
            }
            else if (state < State.Done)
            {
                if (ParseTrailers(source, ref i))
                {
                    continue;
                }
            }

            status = Status;
            break;
        }

        _consumed += i;
        bytesConsumed = i;
        return status;
    }

    // Framing may grow by FramingBytesPerDataByte per data byte on top of the allowance; saturates at long.MaxValue.
    private long FramingLimit()
    {
        long perData = _framingPerDataByte == 0 ? 0
            : _decoded > long.MaxValue / _framingPerDataByte ? long.MaxValue
            : _decoded * _framingPerDataByte;
        return perData > long.MaxValue - _framingAllowance ? long.MaxValue : perData + _framingAllowance;
    }

    private void SetError(ParseErrorKind kind, long offset)
    {
        _errorKind = kind;
        _errorOffset = offset;
        _state = State.Failed;
    }
}
