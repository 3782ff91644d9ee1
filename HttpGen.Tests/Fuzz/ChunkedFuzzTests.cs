using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using HttpGen.Chunked;
using HttpGen.Tests.Chunked;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;
using Outcome = HttpGen.Tests.Chunked.Outcome;
using static HttpGen.Tests.Chunked.ChunkedHarness;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// The chunked decoder against <see cref="ChunkedModel"/> on generated and mutated bodies, under several sets of
/// limits: the same data, status, consumed count, error kind and offset, and trailer section, through every entry
/// point, whole, in random pieces, byte by byte, as multi-segment sequences, and from one input buffer reused (and
/// overwritten) between calls.
/// </summary>
[Collection(FuzzCollection.Name)]
public class ChunkedFuzzTests(ITestOutputHelper output)
{
    /// <summary>The limits a case is decoded with: <c>Options[seed % Options.Length]</c>. Small ones hit every limit.</summary>
    internal static readonly ChunkedDecoderOptions[] Options =
    [
        ChunkedDecoderOptions.Default,
        ChunkedDecoderOptions.Default,
        new() { MaxChunkExtensionLength = 0, MaxTrailerCount = 0 },
        new() { MaxChunkExtensionLength = 5, MaxTrailerSectionLength = 24, MaxTrailerCount = 2 },
        new() { FramingOverheadAllowance = 12, FramingBytesPerDataByte = 1 },
        new() { FramingOverheadAllowance = 30, FramingBytesPerDataByte = 0, MaxBodySize = 40 },
        new() { MaxBodySize = 0, MaxTrailerSectionLength = 2 },
        new() { FramingOverheadAllowance = long.MaxValue, FramingBytesPerDataByte = 3, MaxBodySize = long.MaxValue },
    ];

    private static readonly string[] Extensions =
        [";a", ";name=value", "; a = b", ";q=\"quoted \\\" pair\"", " ;x", ";sig=\"" + new string('s', 40) + "\"", "; a ; b=1", ";", ";=x", ";a=", ";a=\"open", " ", ";a b", ";a=\"\u0001\"", ";\u00e9", ";a=\"caf\u00e9\""];

    private static readonly string[] TrailerLines =
        ["X-Checksum: abc123", "Expires: Thu, 01 Dec 2026 16:00:00 GMT", "X-Empty:", "Server-Timing: db;dur=53", "Content-Length: 5", "transfer-encoding: chunked", "Host: evil",
         " folded", "Bad Name: x", "X-A : b", "X-Obs: caf\u00e9", "X-Ctl: a\u0001b", ": empty", "NoColon"];

    private static readonly byte[] Interesting = "\r\n;=\" \t\\0aF:\u0000\u007F\u0080\u00FFxX-+"u8.ToArray();

    private static readonly Arbitrary<FuzzCase> Bodies = Arb.From(Gen.Choose(0, int.MaxValue).Select(MakeBody), Mutator.Shrink);

    [Fact]
    public void Decoder_agrees_with_the_reference_model() =>
        FuzzRunner.Run(output, "chunked, decoder vs model", 0.12, Bodies, c =>
        {
            ChunkedDecoderOptions options = Options[c.Seed % Options.Length];
            Same(ChunkedModel.Decode(c.Input, options), Whole(c.Input, options), "whole, Decode(span)");
        });

    [Fact]
    public void Decoder_agrees_with_the_model_however_the_body_arrives() =>
        FuzzRunner.Run(output, "chunked, splits vs model", 0.12, Bodies, c =>
        {
            var random = new Random(c.Seed);
            ChunkedDecoderOptions options = Options[c.Seed % Options.Length];
            Outcome expected = ChunkedModel.Decode(c.Input, options);
            int[] cuts = Feeding.RandomCuts(random, c.Input.Length, 10);
            string at = $"cuts [{string.Join(", ", cuts)}]";
            Same(expected, DecodePieces(c.Input, cuts, options), "Decode(span), " + at);
            Same(expected, TryReadPieces(c.Input, cuts, options), "TryRead, " + at);
            Same(expected, ReadPieces(c.Input, cuts, options), "Read(span), " + at);
            Same(expected, DecodeSequence(c.Input, cuts, options), "Decode(sequence), " + at);
            Same(expected, ReadSequence(c.Input, cuts, options), "Read(sequence), " + at);
            Same(expected, ReusedBuffer(c.Input, cuts, options), "one input buffer reused and overwritten, " + at);
            IEnumerable<int> everyByte = EveryByte(c.Input.Length);
            Same(expected, random.Next(2) == 0 ? TryReadPieces(c.Input, everyByte, options) : DecodeSequence(c.Input, everyByte, options), "byte at a time");
        });

    /// <summary>
    /// Each piece copied into the same scratch buffer, which is overwritten after the call: a decoder that kept a view
    /// of its input (a trailer, say) would show the garbage.
    /// </summary>
    internal static Outcome ReusedBuffer(byte[] body, IEnumerable<int> cuts, ChunkedDecoderOptions options)
    {
        var decoder = new ChunkedDecoder(options);
        var scratch = new byte[body.Length + 8];
        var data = new List<byte>();
        long consumed = 0;
        foreach (byte[] piece in Pieces(body, cuts))
        {
            int offset = piece.Length % 8;
            piece.CopyTo(scratch, offset);
            ReadOnlySpan<byte> source = scratch.AsSpan(offset, piece.Length);
            int position = 0;
            while (decoder.TryRead(source, ref position, out ReadOnlySpan<byte> run))
            {
                data.AddRange(run);
            }

            consumed += position;
            scratch.AsSpan().Fill(Feeding.Garbage);
            if (decoder.Status != OperationStatus.NeedMoreData)
            {
                break;
            }
        }

        return new Outcome(decoder.Status, Text(data.ToArray()), decoder.Error.Kind, decoder.ErrorOffset, consumed, Text(decoder.TrailerSection));
    }

    /// <summary>The model itself on bodies whose outcome is known, so that agreeing with it means something.</summary>
    [Theory]
    [MemberData(nameof(ChunkedConformanceCases.Names), MemberType = typeof(ChunkedConformanceCases))]
    public void The_model_decodes_every_conformance_case_as_specified(string name)
    {
        ChunkCase c = ChunkedConformanceCases.Get(name);
        byte[] body = Bytes(c.Body);
        Outcome model = ChunkedModel.Decode(body, c.Options ?? ChunkedDecoderOptions.Default);
        Assert.Equal(c.Status, model.Status);
        Assert.Equal(c.Data, model.Data);
        if (c.Status == OperationStatus.InvalidData)
        {
            Assert.Equal((c.Kind, (long)c.Offset), (model.Kind, model.Offset));
        }
        else if (c.Status == OperationStatus.Done)
        {
            Assert.Equal((long)(c.Consumed ?? body.Length), model.Consumed);
            Assert.Equal(c.Trailers ?? "\r\n", model.Trailers);
        }
    }

    // A body of 0 to 6 chunks with sizes in upper, lower or zero-padded hex, extensions now and then, the last chunk,
    // trailers now and then, and bytes of a next message after it; then (three times in four) mutated.
    private static FuzzCase MakeBody(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        int chunks = random.Next(7);
        for (int i = 0; i < chunks; i++)
        {
            int size = random.Next(5) == 0 ? random.Next(40, 300) : random.Next(1, 12);
            string hex = random.Next(3) switch { 0 => size.ToString("x"), 1 => size.ToString("X"), _ => size.ToString("x4") };
            text.Append(hex);
            if (random.Next(4) == 0)
            {
                text.Append(Extensions[random.Next(Extensions.Length)]);
            }

            text.Append("\r\n").Append(new string((char)('a' + i), size)).Append("\r\n");
        }

        text.Append(random.Next(6) == 0 ? "000" : "0");
        if (random.Next(6) == 0)
        {
            text.Append(Extensions[random.Next(Extensions.Length)]);
        }

        text.Append("\r\n");
        for (int t = random.Next(4) == 0 ? random.Next(1, 4) : 0; t > 0; t--)
        {
            text.Append(TrailerLines[random.Next(TrailerLines.Length)]).Append("\r\n");
        }

        text.Append("\r\n").Append(random.Next(2) == 0 ? "GET /next HTTP/1.1\r\n" : "");
        var bytes = new List<byte>(Encoding.Latin1.GetBytes(text.ToString()));
        int edits = random.Next(4) == 0 ? 0 : random.Next(1, 4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = Interesting[random.Next(Interesting.Length)]; break;
                case 2: bytes.Insert(at, Interesting[random.Next(Interesting.Length)]); break;
                case 3: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return new FuzzCase(bytes.ToArray(), seed, $"chunked body, {chunks} chunks, {edits} edits, limits #{seed % Options.Length}");
    }

    private static void Same(Outcome expected, Outcome actual, string how)
    {
        if (expected != actual)
        {
            throw new XunitException($"{how}:\n  model:   {expected}\n  decoder: {actual}");
        }
    }
}
