using System.Buffers;
using System.Text;
using HttpGen.Chunked;
using Xunit;

namespace HttpGen.Tests.Chunked;

/// <summary>What decoding a body produced, in a form that compares and prints well.</summary>
internal readonly record struct Outcome(OperationStatus Status, string Data, ParseErrorKind Kind, long Offset, long Consumed, string Trailers)
{
    public override string ToString() =>
        $"{Status} data=[{Escape(Data)}] error={Kind}@{Offset} consumed={Consumed} trailers=[{Escape(Trailers)}]";

    private static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");
}

/// <summary>Drives a <see cref="ChunkedDecoder"/> through each of its entry points, over one buffer or many pieces.</summary>
internal static class ChunkedHarness
{
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>One call of the copying <see cref="ChunkedDecoder.Decode(ReadOnlySpan{byte}, Span{byte}, out int, out int)"/>.</summary>
    public static Outcome Whole(byte[] body, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        var destination = new byte[body.Length];
        OperationStatus status = decoder.Decode(body, destination, out int consumed, out int written);
        Assert.NotEqual(OperationStatus.DestinationTooSmall, status);
        return Finish(decoder, status, destination.AsSpan(0, written), consumed);
    }

    /// <summary>Cuts the body at <paramref name="cuts"/> and feeds the pieces one after another to <c>Decode</c>.</summary>
    public static Outcome DecodePieces(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        var data = new List<byte>();
        var destination = new byte[body.Length];
        long consumed = 0;
        OperationStatus status = OperationStatus.NeedMoreData;
        foreach (byte[] piece in Pieces(body, cuts))
        {
            status = decoder.Decode(piece, destination, out int used, out int written);
            data.AddRange(destination.AsSpan(0, written));
            consumed += used;
            if (status != OperationStatus.NeedMoreData)
            {
                break;
            }

            // NeedMoreData always means the whole piece was taken: framing is remembered, never handed back.
            Assert.Equal(piece.Length, used);
        }

        return Finish(decoder, status, data.ToArray(), consumed);
    }

    /// <summary>Feeds the pieces to the zero-copy <see cref="ChunkedDecoder.TryRead"/> loop.</summary>
    public static Outcome TryReadPieces(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        var data = new List<byte>();
        long consumed = 0;
        foreach (byte[] piece in Pieces(body, cuts))
        {
            int position = 0;
            while (decoder.TryRead(piece, ref position, out ReadOnlySpan<byte> run))
            {
                Assert.False(run.IsEmpty);
                data.AddRange(run);
            }

            consumed += position;
            if (decoder.Status != OperationStatus.NeedMoreData)
            {
                break;
            }

            Assert.Equal(piece.Length, position);
        }

        return Finish(decoder, decoder.Status, data.ToArray(), consumed);
    }

    /// <summary>Feeds the pieces to the zero-copy <see cref="ChunkedDecoder.Read(ReadOnlySpan{byte}, out int, out Range)"/>.</summary>
    public static Outcome ReadPieces(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        var data = new List<byte>();
        long consumed = 0;
        OperationStatus status = OperationStatus.NeedMoreData;
        foreach (byte[] piece in Pieces(body, cuts))
        {
            ReadOnlySpan<byte> rest = piece;
            while (true)
            {
                status = decoder.Read(rest, out int used, out Range range);
                (int start, int length) = range.GetOffsetAndLength(rest.Length);
                Assert.True(length == 0 || start + length == used, "a data run ends where consumption ends");
                data.AddRange(rest[range]);
                consumed += used;
                rest = rest[used..];
                if (status != OperationStatus.NeedMoreData || length == 0)
                {
                    break;
                }
            }

            if (status != OperationStatus.NeedMoreData)
            {
                break;
            }

            Assert.True(rest.IsEmpty);
        }

        return Finish(decoder, status, data.ToArray(), consumed);
    }

    /// <summary>The body as one multi-segment sequence cut at <paramref name="cuts"/>, through the copying sequence overload.</summary>
    public static Outcome DecodeSequence(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        ReadOnlySequence<byte> sequence = Sequence(body, cuts);
        var destination = new byte[body.Length];
        OperationStatus status = decoder.Decode(sequence, destination, out SequencePosition end, out int written);
        return Finish(decoder, status, destination.AsSpan(0, written), sequence.Slice(0, end).Length);
    }

    /// <summary>The body as one multi-segment sequence, through the zero-copy sequence overload until it stops yielding data.</summary>
    public static Outcome ReadSequence(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions? options = null)
    {
        var decoder = new ChunkedDecoder(options ?? ChunkedDecoderOptions.Default);
        ReadOnlySequence<byte> rest = Sequence(body, cuts);
        var data = new List<byte>();
        long consumed = 0;
        OperationStatus status;
        while (true)
        {
            status = decoder.Read(rest, out SequencePosition end, out ReadOnlySequence<byte> run);
            foreach (ReadOnlyMemory<byte> segment in run)
            {
                data.AddRange(segment.Span);
            }

            long used = rest.Slice(0, end).Length;
            consumed += used;
            rest = rest.Slice(end);
            if (status != OperationStatus.NeedMoreData || run.IsEmpty)
            {
                break;
            }
        }

        if (status == OperationStatus.NeedMoreData)
        {
            Assert.True(rest.IsEmpty);
        }

        return Finish(decoder, status, data.ToArray(), consumed);
    }

    public static IEnumerable<int> EveryByte(int length) => Enumerable.Range(1, Math.Max(0, length - 1));

    public static IEnumerable<byte[]> Pieces(byte[] body, IEnumerable<int> cuts)
    {
        int previous = 0;
        foreach (int cut in cuts.Where(c => c > 0 && c < body.Length).Distinct().Order())
        {
            yield return body[previous..cut];
            previous = cut;
        }

        yield return body[previous..];
    }

    public static ReadOnlySequence<byte> Sequence(byte[] body, IEnumerable<int> cuts)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (byte[] piece in Pieces(body, cuts))
        {
            var segment = new Segment(piece, last);
            first ??= segment;
            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private static Outcome Finish(ChunkedDecoder decoder, OperationStatus status, ReadOnlySpan<byte> data, long consumed)
    {
        Assert.Equal(decoder.Status, status);
        Assert.Equal(consumed, decoder.BytesConsumed);
        Assert.Equal(data.Length, decoder.DecodedLength);
        if (status == OperationStatus.InvalidData)
        {
            Assert.Equal(decoder.ErrorOffset, decoder.Error.Offset);
        }
        else
        {
            Assert.Equal(default, decoder.Error);
        }

        return new Outcome(status, Text(data), decoder.Error.Kind, decoder.ErrorOffset, consumed, Text(decoder.TrailerSection));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
