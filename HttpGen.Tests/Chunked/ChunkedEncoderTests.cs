using System.Buffers;
using HttpGen.Chunked;
using Xunit;
using static HttpGen.Tests.Chunked.ChunkedHarness;

namespace HttpGen.Tests.Chunked;

public class ChunkedEncoderTests
{
    [Fact]
    public void Writes_size_in_hex_then_data_then_CRLF()
    {
        var writer = new ArrayBufferWriter<byte>();
        ChunkedEncoder.WriteChunk(writer, "hello"u8);
        ChunkedEncoder.WriteChunk(writer, new byte[26]);
        ChunkedEncoder.WriteChunk(writer, ReadOnlySpan<byte>.Empty);
        ChunkedEncoder.WriteLastChunk(writer);
        Assert.Equal("5\r\nhello\r\n1A\r\n" + new string('\0', 26) + "\r\n0\r\n\r\n", Text(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(1L, "1")]
    [InlineData(15L, "F")]
    [InlineData(16L, "10")]
    [InlineData(4096L, "1000")]
    [InlineData(0xABCDEFL, "ABCDEF")]
    [InlineData(long.MaxValue, "7FFFFFFFFFFFFFFF")]
    public void Formats_chunk_headers(long size, string hex)
    {
        Span<byte> buffer = stackalloc byte[ChunkedEncoder.MaxChunkHeaderLength];
        Assert.True(ChunkedEncoder.TryWriteChunkHeader(buffer, size, out int written));
        Assert.Equal(hex + "\r\n", Text(buffer[..written]));
        Assert.Equal(written, ChunkedEncoder.GetChunkHeaderLength(size));
        Assert.False(ChunkedEncoder.TryWriteChunkHeader(buffer[..(written - 1)], size, out int none));
        Assert.Equal(0, none);

        var writer = new ArrayBufferWriter<byte>();
        ChunkedEncoder.WriteChunkHeader(writer, size);
        Assert.Equal(hex + "\r\n", Text(writer.WrittenSpan));
    }

    [Fact]
    public void Span_writers_report_room_and_write_nothing_when_short()
    {
        byte[] destination = new byte[10];
        Assert.Equal(10, ChunkedEncoder.GetEncodedLength(5));
        Assert.False(ChunkedEncoder.TryWriteChunk(destination.AsSpan(0, 9), "hello"u8, out int written));
        Assert.Equal(0, written);
        Assert.All(destination, b => Assert.Equal(0, b));
        Assert.True(ChunkedEncoder.TryWriteChunk(destination, "hello"u8, out written));
        Assert.Equal("5\r\nhello\r\n", Text(destination.AsSpan(0, written)));
        Assert.True(ChunkedEncoder.TryWriteChunk([], [], out written));
        Assert.Equal(0, written);

        Assert.False(ChunkedEncoder.TryWriteLastChunk(destination.AsSpan(0, 4), out written));
        Assert.Equal(0, written);
        Assert.True(ChunkedEncoder.TryWriteLastChunk(destination, out written));
        Assert.Equal("0\r\n\r\n", Text(destination.AsSpan(0, written)));
    }

    [Fact]
    public void Misuse_of_sizes_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedEncoder.GetChunkHeaderLength(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedEncoder.TryWriteChunkHeader(new byte[20], -1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedEncoder.WriteChunkHeader(new ArrayBufferWriter<byte>(), 0));
        Assert.Throws<ArgumentNullException>(() => ChunkedEncoder.WriteChunk(null!, "x"u8));
    }

    [Fact]
    public void Writes_trailers_after_the_last_chunk()
    {
        var writer = new ArrayBufferWriter<byte>();
        ChunkedEncoder.WriteLastChunk(writer, [new("Digest", "sha-256=abc"), new("X-Empty", ""), new("X-Latin", "caf\u00E9\tau lait")]);
        Assert.Equal("0\r\nDigest: sha-256=abc\r\nX-Empty:\r\nX-Latin: caf\u00E9\tau lait\r\n\r\n", Text(writer.WrittenSpan));

        writer.ResetWrittenCount();
        ChunkedEncoder.WriteLastChunk(writer, ReadOnlySpan<TrailerField>.Empty);
        Assert.Equal("0\r\n\r\n", Text(writer.WrittenSpan));
    }

    public static IEnumerable<object[]> InvalidTrailers =>
    [
        ["", "v"],
        ["a b", "v"],
        ["a:b", "v"],
        ["na\u00EFve", "v"],
        ["Content-Length", "5"],
        ["transfer-encoding", "chunked"],
        ["HOST", "example.com"],
        ["X", "a\r\nInjected: yes"],
        ["X", "a\nb"],
        ["X", "nul\0"],
        ["X", "del\u007F"],
        ["X", " leading"],
        ["X", "trailing\t"],
        ["X", "wide\u0100"],
    ];

    [Theory]
    [MemberData(nameof(InvalidTrailers))]
    public void Invalid_trailers_throw_before_anything_is_written(string name, string value)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ChunkedEncoder.WriteLastChunk(writer, [new("Ok", "fine"), new(name, value)]));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Null_trailer_parts_throw()
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ChunkedEncoder.WriteLastChunk(writer, [new(null!, "v")]));
        Assert.Throws<ArgumentException>(() => ChunkedEncoder.WriteLastChunk(writer, [new("X", null!)]));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void Writes_through_a_writer_that_hands_out_small_spans()
    {
        var writer = new StingyWriter(span: 20);
        byte[] data = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        ChunkedEncoder.WriteChunk(writer, data);
        ChunkedEncoder.WriteChunk(writer, Sequence(data, [10, 50]));
        ChunkedEncoder.WriteLastChunk(writer, [new("T", "1")]);

        var decoder = new ChunkedDecoder();
        var destination = new byte[200];
        Assert.Equal(OperationStatus.Done, decoder.Decode(writer.Written, destination, out _, out int written));
        Assert.Equal(data.Concat(data).ToArray(), destination[..written]);
        Assert.Equal("T: 1\r\n\r\n", Text(decoder.TrailerSection));
    }

    /// <summary>
    /// Random payloads cut into random chunks, with random trailers, written with every encoder entry point and decoded
    /// in random pieces: the data and the trailers must come back unchanged.
    /// </summary>
    [Fact]
    public void Round_trips_random_bodies()
    {
        var random = new Random(424242);
        const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var decoder = new ChunkedDecoder();
        for (int n = 0; n < 600; n++)
        {
            byte[] payload = new byte[random.Next(0, n % 10 == 0 ? 70_000 : 3000)];
            random.NextBytes(payload);

            var writer = new ArrayBufferWriter<byte>();
            int offset = 0;
            while (offset < payload.Length)
            {
                int size = Math.Min(payload.Length - offset, random.Next(1, random.Next(2) == 0 ? 16 : 9000));
                ReadOnlySpan<byte> chunk = payload.AsSpan(offset, size);
                switch (random.Next(3))
                {
                    case 0:
                        ChunkedEncoder.WriteChunk(writer, chunk);
                        break;
                    case 1:
                        Span<byte> span = writer.GetSpan(ChunkedEncoder.GetEncodedLength(size));
                        Assert.True(ChunkedEncoder.TryWriteChunk(span, chunk, out int written));
                        writer.Advance(written);
                        break;
                    default:
                        ChunkedEncoder.WriteChunkHeader(writer, size);
                        writer.Write(chunk);
                        ChunkedEncoder.WriteCrlf(writer);
                        break;
                }

                offset += size;
            }

            var trailers = new TrailerField[random.Next(0, 4)];
            for (int t = 0; t < trailers.Length; t++)
            {
                string name = "X-" + new string(Enumerable.Range(0, random.Next(1, 12)).Select(_ => TokenChars[random.Next(TokenChars.Length)]).ToArray());
                char[] value = Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(0x20, 0x100)).Select(c => c == 0x7F ? '~' : c).ToArray();
                if (value.Length > 0)
                {
                    value[0] = value[0] == ' ' ? '_' : value[0];
                    value[^1] = value[^1] == ' ' ? '_' : value[^1];
                }

                trailers[t] = new TrailerField(name, new string(value));
            }

            ChunkedEncoder.WriteLastChunk(writer, trailers);
            byte[] encoded = writer.WrittenSpan.ToArray();

            // Decode in random pieces with one decoder reused across bodies.
            decoder.Reset();
            var decoded = new List<byte>();
            int position = 0;
            while (position < encoded.Length && !decoder.IsCompleted)
            {
                int length = Math.Min(encoded.Length - position, random.Next(1, 5000));
                ReadOnlySpan<byte> piece = encoded.AsSpan(position, length);
                int at = 0;
                while (decoder.TryRead(piece, ref at, out ReadOnlySpan<byte> data))
                {
                    decoded.AddRange(data);
                }

                Assert.NotEqual(OperationStatus.InvalidData, decoder.Status);
                position += at;
            }

            Assert.True(decoder.IsCompleted, $"case {n}: {decoder.Error}");
            Assert.Equal(encoded.Length, position);
            Assert.Equal(payload, decoded.ToArray());
            var fields = new List<TrailerField>();
            foreach (HeaderField field in decoder.EnumerateTrailers())
            {
                fields.Add(new TrailerField(Text(field.Name), Text(field.Value)));
            }

            Assert.Equal(trailers, fields);
        }
    }

    /// <summary>A writer that never hands out more than it must, to exercise the piecewise paths.</summary>
    private sealed class StingyWriter(int span) : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _buffer = [];

        public byte[] Written => _written.ToArray();

        public void Advance(int count) => _written.AddRange(_buffer.AsSpan(0, count));

        public Memory<byte> GetMemory(int sizeHint = 0) => _buffer = new byte[Math.Max(sizeHint, span)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
