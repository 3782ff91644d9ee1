using System.Buffers;
using HttpGen.Chunked;
using Xunit;

namespace HttpGen.Tests.Chunked;

/// <summary>
/// A 64 KiB body in 4 KiB chunks, decoded 1,000 times after a warm-up through each entry point: not one byte may be
/// allocated. The input is also fed in 4 KiB reads that do not line up with the chunks, so chunk-size lines are split
/// across calls. No assertion runs inside a measured loop (asserting boxes).
/// </summary>
public class ChunkedAllocationTests
{
    private const int Iterations = 1000;
    private const int ReadSize = 4096;

    private static readonly byte[] Payload = MakePayload();
    private static readonly byte[] Body = Encode(Payload);

    [Fact]
    public void Decode_allocates_nothing()
    {
        var decoder = new ChunkedDecoder();
        var destination = new byte[Payload.Length];
        long failures = 0;

        void Run(int count)
        {
            for (int n = 0; n < count; n++)
            {
                decoder.Reset();
                int total = 0;
                OperationStatus status = OperationStatus.NeedMoreData;
                for (int offset = 0; offset < Body.Length && status == OperationStatus.NeedMoreData; offset += ReadSize)
                {
                    ReadOnlySpan<byte> read = Body.AsSpan(offset, Math.Min(ReadSize, Body.Length - offset));
                    status = decoder.Decode(read, destination.AsSpan(total), out _, out int written);
                    total += written;
                }

                failures += status == OperationStatus.Done && total == Payload.Length ? 0 : 1;
            }
        }

        AssertNoAllocation(Run);
        Assert.Equal(0, failures);
        Assert.Equal(Payload, destination);
    }

    [Fact]
    public void TryRead_allocates_nothing()
    {
        var decoder = new ChunkedDecoder();
        long failures = 0;

        void Run(int count)
        {
            for (int n = 0; n < count; n++)
            {
                decoder.Reset();
                long total = 0;
                for (int offset = 0; offset < Body.Length && decoder.Status == OperationStatus.NeedMoreData; offset += ReadSize)
                {
                    ReadOnlySpan<byte> read = Body.AsSpan(offset, Math.Min(ReadSize, Body.Length - offset));
                    int position = 0;
                    while (decoder.TryRead(read, ref position, out ReadOnlySpan<byte> data))
                    {
                        total += data.Length;
                    }
                }

                failures += decoder.IsCompleted && total == Payload.Length ? 0 : 1;
            }
        }

        AssertNoAllocation(Run);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Sequence_overloads_allocate_nothing()
    {
        var decoder = new ChunkedDecoder();
        var destination = new byte[Payload.Length];
        ReadOnlySequence<byte> sequence = ChunkedHarness.Sequence(Body, Enumerable.Range(1, Body.Length / ReadSize).Select(i => i * ReadSize));
        Assert.False(sequence.IsSingleSegment);
        long failures = 0;

        void Run(int count)
        {
            for (int n = 0; n < count; n++)
            {
                decoder.Reset();
                OperationStatus status = decoder.Decode(sequence, destination, out _, out int written);
                failures += status == OperationStatus.Done && written == Payload.Length ? 0 : 1;

                decoder.Reset();
                ReadOnlySequence<byte> rest = sequence;
                long total = 0;
                while (true)
                {
                    status = decoder.Read(rest, out SequencePosition consumed, out ReadOnlySequence<byte> data);
                    total += data.Length;
                    rest = rest.Slice(consumed);
                    if (status != OperationStatus.NeedMoreData || data.IsEmpty)
                    {
                        break;
                    }
                }

                failures += status == OperationStatus.Done && total == Payload.Length ? 0 : 1;
            }
        }

        AssertNoAllocation(Run);
        Assert.Equal(0, failures);
    }

    [Fact]
    public void Encoding_allocates_nothing()
    {
        var writer = new ArrayBufferWriter<byte>(Body.Length + 1024);
        var span = new byte[ChunkedEncoder.GetEncodedLength(ReadSize)];
        TrailerField[] trailers = [new("Digest", "sha-256=abc"), new("X-Count", "16")];
        long failures = 0;

        void Run(int count)
        {
            for (int n = 0; n < count; n++)
            {
                writer.ResetWrittenCount();
                for (int offset = 0; offset < Payload.Length; offset += ReadSize)
                {
                    ChunkedEncoder.WriteChunk(writer, Payload.AsSpan(offset, ReadSize));
                    failures += ChunkedEncoder.TryWriteChunk(span, Payload.AsSpan(offset, ReadSize), out _) ? 0 : 1;
                }

                ChunkedEncoder.WriteLastChunk(writer, trailers);
            }
        }

        AssertNoAllocation(Run);
        Assert.Equal(0, failures);
    }

    private static void AssertNoAllocation(Action<int> run)
    {
        run(50); // warm-up: JIT tiers, static initializers, the first use of every path
        long before = GC.GetAllocatedBytesForCurrentThread();
        run(Iterations);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static byte[] MakePayload()
    {
        var payload = new byte[64 * 1024];
        new Random(64).NextBytes(payload);
        return payload;
    }

    private static byte[] Encode(byte[] payload)
    {
        var writer = new ArrayBufferWriter<byte>();
        for (int offset = 0; offset < payload.Length; offset += 4096)
        {
            ChunkedEncoder.WriteChunk(writer, payload.AsSpan(offset, 4096));
        }

        ChunkedEncoder.WriteLastChunk(writer);
        return writer.WrittenSpan.ToArray();
    }
}
