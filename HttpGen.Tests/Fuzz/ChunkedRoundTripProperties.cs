using System.Buffers;
using FsCheck;
using FsCheck.Xunit;
using HttpGen.Chunked;
using static HttpGen.Tests.Chunked.ChunkedHarness;

namespace HttpGen.Tests.Fuzz;

/// <summary>Fixed-count FsCheck properties (FsCheck.Xunit) of the chunked coding: what the encoder writes, the decoder reads back.</summary>
public class ChunkedRoundTripProperties
{
    [Property(MaxTest = 300)]
    public bool Encoded_chunks_decode_to_the_same_bytes_in_any_pieces(byte[][] chunks, PositiveInt pieceSize, bool asSequence)
    {
        byte[][] parts = (chunks ?? []).Where(c => c is not null).ToArray();
        var writer = new ArrayBufferWriter<byte>();
        foreach (byte[] part in parts)
        {
            ChunkedEncoder.WriteChunk(writer, part);
        }

        ChunkedEncoder.WriteLastChunk(writer);
        byte[] body = writer.WrittenSpan.ToArray();
        int size = pieceSize.Get % 64 + 1;
        int[] cuts = Enumerable.Range(1, body.Length / size).Select(i => i * size).ToArray();
        Chunked.Outcome decoded = asSequence ? DecodeSequence(body, cuts) : TryReadPieces(body, cuts);
        return decoded.Status == OperationStatus.Done
            && decoded.Data == Text(parts.SelectMany(p => p).ToArray())
            && decoded.Consumed == body.Length
            && decoded == ChunkedModel.Decode(body, ChunkedDecoderOptions.Default);
    }
}
