using System.Buffers;
using HttpGen.Chunked;
using Xunit;
using static HttpGen.Tests.Chunked.ChunkedHarness;

namespace HttpGen.Tests.Chunked;

public class ChunkedConformanceTests
{
    [Theory]
    [MemberData(nameof(ChunkedConformanceCases.Names), MemberType = typeof(ChunkedConformanceCases))]
    public void Decodes_as_specified(string name)
    {
        ChunkCase c = ChunkedConformanceCases.Get(name);
        byte[] body = Bytes(c.Body);
        Outcome actual = Whole(body, c.Options);

        Assert.Equal(c.Status, actual.Status);
        Assert.Equal(c.Data, actual.Data);
        if (c.Status == OperationStatus.InvalidData)
        {
            Assert.Equal(c.Kind, actual.Kind);
            Assert.Equal(c.Offset, actual.Offset);
            Assert.Equal(c.Kind == ParseErrorKind.ChunkedBodyTooLarge ? 413 : 400, ParseError.GetStatusCode(actual.Kind));
        }
        else
        {
            Assert.Equal(ParseErrorKind.None, actual.Kind);
        }

        if (c.Status == OperationStatus.Done)
        {
            Assert.Equal(c.Consumed ?? body.Length, actual.Consumed);
            Assert.Equal(c.Trailers ?? "\r\n", actual.Trailers);
        }
        else if (c.Status == OperationStatus.NeedMoreData)
        {
            Assert.Equal(body.Length, actual.Consumed);
            Assert.Equal("", actual.Trailers);
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedConformanceCases.Names), MemberType = typeof(ChunkedConformanceCases))]
    public void Every_split_point_gives_the_same_result(string name)
    {
        ChunkCase c = ChunkedConformanceCases.Get(name);
        byte[] body = Bytes(c.Body);
        Outcome expected = Whole(body, c.Options);
        for (int cut = 1; cut < body.Length; cut++)
        {
            int[] cuts = [cut];
            Assert.Equal(expected, DecodePieces(body, cuts, c.Options));
            Assert.Equal(expected, TryReadPieces(body, cuts, c.Options));
            Assert.Equal(expected, ReadPieces(body, cuts, c.Options));
            Assert.Equal(expected, DecodeSequence(body, cuts, c.Options));
            Assert.Equal(expected, ReadSequence(body, cuts, c.Options));
        }
    }

    [Theory]
    [MemberData(nameof(ChunkedConformanceCases.Names), MemberType = typeof(ChunkedConformanceCases))]
    public void One_byte_at_a_time_gives_the_same_result(string name)
    {
        ChunkCase c = ChunkedConformanceCases.Get(name);
        byte[] body = Bytes(c.Body);
        Outcome expected = Whole(body, c.Options);
        IEnumerable<int> cuts = EveryByte(body.Length);
        Assert.Equal(expected, DecodePieces(body, cuts, c.Options));
        Assert.Equal(expected, TryReadPieces(body, cuts, c.Options));
        Assert.Equal(expected, ReadPieces(body, cuts, c.Options));
        Assert.Equal(expected, DecodeSequence(body, cuts, c.Options));
        Assert.Equal(expected, ReadSequence(body, cuts, c.Options));
    }

    [Fact]
    public void The_table_has_enough_valid_and_malformed_cases()
    {
        Assert.True(ChunkedConformanceCases.All.Length >= 45);
        Assert.True(ChunkedConformanceCases.All.Count(c => c.Status == OperationStatus.InvalidData) >= 30);
        Assert.Equal(ChunkedConformanceCases.All.Length, ChunkedConformanceCases.All.Select(c => c.Name).Distinct().Count());

        // Every chunked error kind is exercised by at least one case.
        ParseErrorKind[] chunkedKinds =
        [
            ParseErrorKind.InvalidChunkSize, ParseErrorKind.InvalidChunkExtension, ParseErrorKind.ChunkExtensionTooLong,
            ParseErrorKind.MissingChunkDataCrlf, ParseErrorKind.ExcessiveChunkFraming, ParseErrorKind.ForbiddenTrailerField,
            ParseErrorKind.TooManyTrailers, ParseErrorKind.TrailerSectionTooLarge, ParseErrorKind.ChunkedBodyTooLarge,
        ];
        foreach (ParseErrorKind kind in chunkedKinds)
        {
            Assert.Contains(ChunkedConformanceCases.All, c => c.Kind == kind);
        }
    }

    /// <summary>
    /// Random mutations of valid bodies (a byte replaced, inserted or deleted, with a bias toward the bytes framing cares
    /// about), each decoded whole and in random pieces: the pieces must agree with the whole, error kind and offset included.
    /// </summary>
    [Fact]
    public void Mutated_bodies_decode_the_same_however_they_are_split()
    {
        var random = new Random(20250917);
        string[] seeds =
        [
            "5\r\nhello\r\n1a;x=\"q\\\"\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nA: b\r\nX-Y: z\r\n\r\n",
            "3 ; a = b ;c\r\nabc\r\n0;d\r\n\r\n",
            "1\r\na\r\n1\r\nb\r\n1\r\nc\r\n1\r\nd\r\n0\r\n\r\n",
        ];
        byte[] interesting = "\r\n;= \t\"\\:0aFgx\u0000\u007F"u8.ToArray();
        var small = new ChunkedDecoderOptions { MaxChunkExtensionLength = 6, MaxTrailerSectionLength = 12, MaxTrailerCount = 1, FramingOverheadAllowance = 20, MaxBodySize = 30 };
        for (int n = 0; n < 1500; n++)
        {
            var body = new List<byte>(Bytes(seeds[random.Next(seeds.Length)]));
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(body.Count);
                byte b = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                switch (random.Next(3))
                {
                    case 0: body[at] = b; break;
                    case 1: body.Insert(at, b); break;
                    default: body.RemoveAt(at); break;
                }
            }

            byte[] bytes = body.ToArray();
            ChunkedDecoderOptions? options = n % 3 == 0 ? small : null;
            Outcome expected = Whole(bytes, options);
            int[] cuts = Enumerable.Range(0, random.Next(1, 6)).Select(_ => random.Next(1, bytes.Length)).ToArray();
            Assert.Equal(expected, DecodePieces(bytes, cuts, options));
            Assert.Equal(expected, TryReadPieces(bytes, cuts, options));
            Assert.Equal(expected, ReadSequence(bytes, cuts, options));
            Assert.Equal(expected, DecodePieces(bytes, EveryByte(bytes.Length), options));
        }
    }
}
