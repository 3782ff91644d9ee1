using System.Buffers;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace HttpGen.Parsing;

/// <summary>
/// The bytes of the head being parsed. A contiguous head is used in place. A head that spans segments is copied into
/// an array kept across parses, in growing chunks that are parsed as they come: only what the parse needs is copied,
/// so a body behind a short head is not copied along with it, and never more than the limits accept (+1 byte, so that
/// "over the limit" stays detectable).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
internal struct HeadBuffer
{
    // The first chunk copied from a multi-segment head: most heads fit in it.
    private const int FirstCopyChunk = 2048;

    private byte[]? _copy;
    private int _copied;

    /// <summary>The head bytes seen so far.</summary>
    public ReadOnlyMemory<byte> Head;

    /// <summary>Whether this parse reads from the owned copy (an earlier call had a multi-segment head).</summary>
    public readonly bool IsCopying => _copied > 0;

    /// <summary>Uses contiguous bytes in place.</summary>
    public ReadOnlySpan<byte> UseInPlace(ReadOnlyMemory<byte> source)
    {
        Head = source;
        return source.Span;
    }

    /// <summary>
    /// Copies the next chunk of <paramref name="source"/> (which starts at the head's first byte) after what was
    /// copied before. Returns false when there was nothing more to copy.
    /// </summary>
    public bool CopyNext(in ReadOnlySequence<byte> source, long cap)
    {
        int available = (int)Math.Min(source.Length, Math.Min(cap, Array.MaxLength));
        int next = (int)Math.Min(available, Math.Max(2L * _copied, FirstCopyChunk));
        if (next <= _copied)
        {
            Head = _copy.AsMemory(0, _copied);
            return false;
        }

        EnsureCapacity(next, cap);
        source.Slice(_copied, next - _copied).CopyTo(_copy.AsSpan(_copied));
        _copied = next;
        Head = _copy.AsMemory(0, _copied);
        return true;
    }

    // Grows the owned array to hold at least `needed` bytes, keeping what was copied. After the first few parses it is
    // large enough and reused, so steady-state parsing allocates nothing.
    [MemberNotNull(nameof(_copy))]
    private void EnsureCapacity(int needed, long cap)
    {
        if (_copy is not null && _copy.Length >= needed)
        {
            return;
        }

        long size = Math.Max(needed, Math.Min(Math.Max(2L * (_copy?.Length ?? 0), 4096), cap));
        byte[] bigger = new byte[(int)Math.Min(size, Array.MaxLength)];
        _copy?.AsSpan(0, _copied).CopyTo(bigger);
        _copy = bigger;
    }

    /// <summary>Forgets the head, keeping the copy array.</summary>
    public void Reset()
    {
        _copied = 0;
        Head = default;
    }
}

/// <summary>What <see cref="HeadInput"/> needs from a head parser (request or response).</summary>
internal interface IHeadParser
{
    /// <summary>The parser's input buffer.</summary>
    [UnscopedRef]
    ref HeadBuffer Buffer { get; }

    /// <summary>Whether the head was parsed to completion or to an error (Reset is then required).</summary>
    bool IsFinished { get; }

    /// <summary>Parses from where the last call stopped, over the head bytes seen so far.</summary>
    OperationStatus ParseCore<TSink>(ReadOnlySpan<byte> head, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TSink : struct, IHeaderSink;
}

/// <summary>
/// The input side shared by the request and response parsers: contiguous input is parsed in place; input that spans
/// segments (or follows a call that did) is copied in growing chunks, each parsed as it comes, just as a longer prefix
/// passed by the caller would be. Generic over the parser struct, so nothing is boxed and calls are direct.
/// </summary>
internal static class HeadInput
{
    public static OperationStatus Parse<TParser, TSink>(ref TParser parser, ReadOnlyMemory<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TParser : struct, IHeadParser
        where TSink : struct, IHeaderSink
    {
        EnsureParsable(ref parser);
        return parser.Buffer.IsCopying
            ? ParseCopied(ref parser, new ReadOnlySequence<byte>(source), ref sink, options, out bytesConsumed)
            : parser.ParseCore(parser.Buffer.UseInPlace(source), ref sink, options, out bytesConsumed);
    }

    public static OperationStatus Parse<TParser, TSink>(ref TParser parser, in ReadOnlySequence<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TParser : struct, IHeadParser
        where TSink : struct, IHeaderSink
    {
        EnsureParsable(ref parser);
        return source.IsSingleSegment && !parser.Buffer.IsCopying
            ? parser.ParseCore(parser.Buffer.UseInPlace(source.First), ref sink, options, out bytesConsumed)
            : ParseCopied(ref parser, source, ref sink, options, out bytesConsumed);
    }

    private static OperationStatus ParseCopied<TParser, TSink>(ref TParser parser, in ReadOnlySequence<byte> source, ref TSink sink, ParserOptions options, out int bytesConsumed)
        where TParser : struct, IHeadParser
        where TSink : struct, IHeaderSink
    {
        long cap = (long)options.MaxRequestLineLength + options.MaxHeaderBlockLength + 1;
        parser.Buffer.CopyNext(source, cap);
        while (true)
        {
            OperationStatus status = parser.ParseCore(parser.Buffer.Head.Span, ref sink, options, out bytesConsumed);
            if (status != OperationStatus.NeedMoreData || !parser.Buffer.CopyNext(source, cap))
            {
                return status;
            }
        }
    }

    private static void EnsureParsable<TParser>(ref TParser parser)
        where TParser : struct, IHeadParser
    {
        if (parser.IsFinished)
        {
            throw new InvalidOperationException("This message has already been parsed to completion or to an error; call Reset() before parsing the next one.");
        }
    }
}
