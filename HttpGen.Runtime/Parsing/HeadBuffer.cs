using System.Buffers;
using System.ComponentModel;

namespace HttpGen.Parsing;

/// <summary>
/// The bytes of the head being parsed. A contiguous head is used in place; a head that spans segments is copied,
/// incrementally and only up to the limits, into an array kept across parses, so that every parsed value can be a
/// plain range into one buffer.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
internal struct HeadBuffer
{
    private byte[]? _copy;
    private int _copied;

    /// <summary>The head bytes seen so far.</summary>
    public ReadOnlyMemory<byte> Head;

    /// <summary>Uses <paramref name="source"/> in place, unless an earlier call of this parse had to copy.</summary>
    public ReadOnlySpan<byte> Use(ReadOnlyMemory<byte> source, int maxHeadLength)
    {
        if (_copied > 0)
        {
            var sequence = new ReadOnlySequence<byte>(source);
            Use(sequence, maxHeadLength);
            return Head.Span;
        }

        Head = source;
        return source.Span;
    }

    /// <summary>Uses a single-segment <paramref name="source"/> in place; copies what is new of a multi-segment one.</summary>
    public ReadOnlySpan<byte> Use(ReadOnlySequence<byte> source, int maxHeadLength)
    {
        if (source.IsSingleSegment && _copied == 0)
        {
            Head = source.First;
            return Head.Span;
        }

        // One byte past the limits, so that a head over them is still detected as such.
        int wanted = (int)Math.Min(source.Length, (long)maxHeadLength + 1);
        if (wanted > _copied)
        {
            if (_copy is null || _copy.Length < wanted)
            {
                byte[] bigger = new byte[Math.Min(Math.Max(wanted, 2 * (_copy?.Length ?? 1024)), maxHeadLength + 1)];
                _copy?.AsSpan(0, _copied).CopyTo(bigger);
                _copy = bigger;
            }

            source.Slice(_copied, wanted - _copied).CopyTo(_copy.AsSpan(_copied));
            _copied = wanted;
        }

        Head = _copy.AsMemory(0, _copied);
        return Head.Span;
    }

    /// <summary>Forgets the head, keeping the copy array.</summary>
    public void Reset()
    {
        _copied = 0;
        Head = default;
    }
}
