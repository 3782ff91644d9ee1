using System.Buffers;
using HttpGen.Chunked;
using Xunit;
using static HttpGen.Tests.Chunked.ChunkedHarness;

namespace HttpGen.Tests.Chunked;

public class ChunkedDecoderTests
{
    [Fact]
    public void Read_returns_one_run_per_call_and_stops_after_it()
    {
        byte[] body = Bytes("3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\nNEXT");
        var decoder = new ChunkedDecoder();

        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(body, out int consumed, out Range data));
        Assert.Equal(3..6, data);
        Assert.Equal(6, consumed);

        ReadOnlySpan<byte> rest = body.AsSpan(6);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(rest, out consumed, out data));
        Assert.Equal("def", Text(rest[data]));
        Assert.Equal(8, consumed); // "\r\n3\r\ndef"

        rest = rest[consumed..];
        Assert.Equal(OperationStatus.Done, decoder.Read(rest, out consumed, out data));
        Assert.Equal(0, data.GetOffsetAndLength(rest.Length).Length);
        Assert.Equal(7, consumed); // "\r\n0\r\n\r\n"
        Assert.Equal("NEXT", Text(rest[consumed..]));
        Assert.True(decoder.IsCompleted);
        Assert.Equal(6, decoder.DecodedLength);
        Assert.Equal(body.Length - 4, decoder.BytesConsumed);
    }

    [Fact]
    public void Read_hands_back_a_partial_run_and_consumes_a_partial_size_line()
    {
        var decoder = new ChunkedDecoder();
        byte[] first = Bytes("10\r\n0123");
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(first, out int consumed, out Range data));
        Assert.Equal("0123", Text(first.AsSpan()[data]));
        Assert.Equal(first.Length, consumed);

        byte[] second = Bytes("456789abcdef\r\n1");
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(second, out consumed, out data));
        Assert.Equal("456789abcdef", Text(second.AsSpan()[data]));
        Assert.Equal(12, consumed);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(second.AsSpan(12), out consumed, out data));
        Assert.Equal(3, consumed); // "\r\n1": the '1' is remembered, not handed back
        Assert.True(data.Equals(0..0));

        byte[] third = Bytes("\r\nZ\r\n0\r\n\r\n");
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(third, out consumed, out data));
        Assert.Equal("Z", Text(third.AsSpan()[data]));
        Assert.Equal(OperationStatus.Done, decoder.Read(third.AsSpan(consumed), out _, out _));
    }

    [Fact]
    public void TryRead_loop_walks_a_buffer_without_copying()
    {
        byte[] buffer = Bytes("4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\nGET");
        var decoder = new ChunkedDecoder();
        int position = 0;
        var runs = new List<string>();
        while (decoder.TryRead(buffer, ref position, out ReadOnlySpan<byte> data))
        {
            runs.Add(Text(data));
        }

        Assert.Equal(["Wiki", "pedia", " in\r\n\r\nchunks."], runs);
        Assert.Equal(OperationStatus.Done, decoder.Status);
        Assert.Equal("GET", Text(buffer.AsSpan(position)));
    }

    [Fact]
    public void TryRead_stops_at_the_end_of_input_with_everything_consumed()
    {
        byte[] buffer = Bytes("4\r\nWi");
        var decoder = new ChunkedDecoder();
        int position = 0;
        Assert.True(decoder.TryRead(buffer, ref position, out ReadOnlySpan<byte> data));
        Assert.Equal("Wi", Text(data));
        Assert.False(decoder.TryRead(buffer, ref position, out data));
        Assert.True(data.IsEmpty);
        Assert.Equal(buffer.Length, position);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Status);
    }

    [Fact]
    public void Nothing_more_is_consumed_after_the_end_or_an_error()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("0\r\n\r\n"), [], out _, out _));
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("5\r\nhello"), new byte[10], out int consumed, out int written));
        Assert.Equal(0, consumed);
        Assert.Equal(0, written);

        decoder.Reset();
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(Bytes("x"), [], out _, out _));
        Assert.Equal(OperationStatus.InvalidData, decoder.Read(Bytes("0\r\n\r\n"), out consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(new ParseError(ParseErrorKind.InvalidChunkSize, 0), decoder.Error);
    }

    [Fact]
    public void Reset_starts_a_new_body_with_offsets_from_zero()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(Bytes("5\r\nhello\r\n0\r\nHost: x\r\n\r\n"), new byte[5], out _, out _));
        Assert.Equal(new ParseError(ParseErrorKind.ForbiddenTrailerField, 13), decoder.Error);

        decoder.Reset();
        Assert.Equal(default, decoder.Error);
        Assert.Equal(0, decoder.BytesConsumed);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Status);
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(Bytes("2\r\nab\r\n;"), new byte[5], out _, out int written));
        Assert.Equal(2, written);
        Assert.Equal(new ParseError(ParseErrorKind.InvalidChunkSize, 7), decoder.Error);
    }

    [Fact]
    public void Error_offsets_count_from_the_start_of_the_body_across_calls()
    {
        var decoder = new ChunkedDecoder();
        var destination = new byte[16];
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(Bytes("5\r\nhello\r"), destination, out _, out _));
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(Bytes("\n2\r\nab"), destination, out _, out _));
        // "5\r\nhello\r\n" is 10 bytes and "2\r\nab" 5 more: the 'X' is at 15 although it is the first byte of this call.
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(Bytes("X"), destination, out int consumed, out _));
        Assert.Equal(0, consumed);
        Assert.Equal(new ParseError(ParseErrorKind.MissingChunkDataCrlf, 15), decoder.Error);
    }

    [Fact]
    public void A_bare_CR_is_reported_where_it_is_even_from_an_earlier_call()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(Bytes("5\r\nhello\r"), new byte[5], out _, out _));
        Assert.Equal(OperationStatus.InvalidData, decoder.Decode(Bytes("0\r\n\r\n"), new byte[5], out _, out _));
        Assert.Equal(new ParseError(ParseErrorKind.InvalidLineEnding, 8), decoder.Error);
        Assert.Equal(400, decoder.Error.StatusCode);
    }

    [Fact]
    public void Offsets_past_2_GiB_are_exact_in_ErrorOffset_and_clamped_in_Error()
    {
        // A 2 GiB chunk walked with the zero-copy API over one small buffer: no data is copied, so this is quick.
        var decoder = new ChunkedDecoder();
        byte[] header = Bytes("80000000\r\n");
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(header, out int consumed, out _));
        Assert.Equal(header.Length, consumed);

        var block = new byte[1 << 20];
        for (int i = 0; i < 2048; i++)
        {
            int position = 0;
            Assert.True(decoder.TryRead(block, ref position, out ReadOnlySpan<byte> data));
            Assert.Equal(block.Length, data.Length);
        }

        Assert.Equal(OperationStatus.InvalidData, decoder.Read(Bytes("X"), out _, out _));
        long expected = header.Length + (1L << 31);
        Assert.Equal(expected, decoder.ErrorOffset);
        Assert.Equal(int.MaxValue, decoder.Error.Offset);
        Assert.Equal(ParseErrorKind.MissingChunkDataCrlf, decoder.Error.Kind);
        Assert.Equal(1L << 31, decoder.DecodedLength);
    }

    [Fact]
    public void Decode_fills_a_small_destination_and_goes_on_where_it_stopped()
    {
        byte[] body = Bytes("5\r\nhello\r\n6\r\n world\r\n0\r\nA: b\r\n\r\n");
        var decoder = new ChunkedDecoder();
        var destination = new byte[4];
        var output = new List<byte>();
        int offset = 0;
        OperationStatus status;
        int rounds = 0;
        do
        {
            status = decoder.Decode(body.AsSpan(offset), destination, out int consumed, out int written);
            output.AddRange(destination.AsSpan(0, written));
            offset += consumed;
            rounds++;
        }
        while (status == OperationStatus.DestinationTooSmall);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(3, rounds); // 4 + 4 + 3 bytes
        Assert.Equal("hello world", Text(output.ToArray()));
        Assert.Equal(body.Length, offset);
        Assert.Equal("A: b\r\n\r\n", Text(decoder.TrailerSection));
    }

    [Fact]
    public void Decode_reads_the_framing_that_follows_a_destination_filled_exactly()
    {
        var decoder = new ChunkedDecoder();
        var destination = new byte[5];
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("5\r\nhello\r\n0\r\n\r\n"), destination, out int consumed, out int written));
        Assert.Equal(15, consumed);
        Assert.Equal(5, written);

        decoder.Reset();
        Assert.Equal(OperationStatus.DestinationTooSmall, decoder.Decode(Bytes("5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n"), destination, out consumed, out written));
        Assert.Equal(13, consumed); // through "1\r\n": only data needs room
        Assert.Equal(5, written);
    }

    [Fact]
    public void Decode_with_an_empty_destination_still_validates_framing()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("0;a=b\r\nX: y\r\n\r\n"), [], out _, out _));
        decoder.Reset();
        Assert.Equal(OperationStatus.DestinationTooSmall, decoder.Decode(Bytes("1\r\nx"), [], out int consumed, out _));
        Assert.Equal(3, consumed);
        decoder.Reset();
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(Bytes("1\r\n"), [], out consumed, out _));
        Assert.Equal(3, consumed);
    }

    [Fact]
    public void Trailers_enumerate_as_header_fields()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("2\r\nok\r\n0\r\nDigest: sha-256=abc\r\nX-Empty:\r\nServer-Timing:  db;dur=53 \r\n\r\n"), new byte[2], out _, out _));
        Assert.Equal(3, decoder.TrailerCount);
        var fields = new List<(string, string)>();
        foreach (HeaderField field in decoder.EnumerateTrailers())
        {
            fields.Add((Text(field.Name), Text(field.Value)));
        }

        Assert.Equal([("Digest", "sha-256=abc"), ("X-Empty", ""), ("Server-Timing", "db;dur=53")], fields);
    }

    [Fact]
    public void A_body_without_trailers_has_an_empty_section_and_needs_no_buffer()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("0\r\n\r\n"), [], out _, out _));
        Assert.Equal("\r\n", Text(decoder.TrailerSection));
        Assert.Equal(0, decoder.TrailerCount);
        foreach (HeaderField field in decoder.EnumerateTrailers())
        {
            Assert.Fail("no fields expected, got " + Text(field.Name));
        }
    }

    [Fact]
    public void Trailer_section_is_empty_until_the_body_is_complete()
    {
        var decoder = new ChunkedDecoder();
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Decode(Bytes("0\r\nA: b\r\n"), [], out _, out _));
        Assert.True(decoder.TrailerSection.IsEmpty);
        Assert.Equal(1, decoder.TrailerCount);
        Assert.Equal(OperationStatus.Done, decoder.Decode(Bytes("\r\n"), [], out _, out _));
        Assert.Equal("A: b\r\n\r\n", Text(decoder.TrailerSection));
    }

    [Fact]
    public void Trailers_arriving_one_byte_at_a_time_are_kept_whole_and_the_buffer_is_reused()
    {
        var decoder = new ChunkedDecoder();
        string trailers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-Field-{i}: {new string((char)('a' + i), 40)}\r\n"));
        byte[] body = Bytes("0\r\n" + trailers + "\r\n");
        for (int round = 0; round < 2; round++)
        {
            decoder.Reset();
            foreach (byte b in body)
            {
                decoder.Decode(new[] { b }, [], out _, out _);
            }

            Assert.True(decoder.IsCompleted);
            Assert.Equal(trailers + "\r\n", Text(decoder.TrailerSection));
            Assert.Equal(20, decoder.TrailerCount);
        }
    }

    /// <summary>
    /// Issue 10 bug 1 for trailers: the input buffer is compacted and overwritten between calls, as a server's receive
    /// buffer is; the trailer section (names checked for Content-Length/Host, values kept) must not point into it.
    /// </summary>
    [Fact]
    public void Trailers_do_not_point_into_an_input_buffer_that_is_reused_between_calls()
    {
        string trailers = "X-Checksum: abc123\r\nExpires: Thu, 01 Dec 2026 16:00:00 GMT\r\n";
        byte[] body = Bytes("3\r\nabc\r\n0\r\n" + trailers + "\r\n");
        var receive = new byte[64];
        var decoder = new ChunkedDecoder();
        var data = new List<byte>();
        foreach (int[] cuts in new[] { new[] { 14, 30, 47 }, Enumerable.Range(1, body.Length - 1).ToArray() })
        {
            decoder.Reset();
            data.Clear();
            int start = 0;
            foreach (int end in cuts.Append(body.Length))
            {
                int offset = end % 7; // a different place in the buffer each call, the rest of it garbage
                receive.AsSpan().Fill((byte)'p');
                body.AsSpan(start..end).CopyTo(receive.AsSpan(offset));
                int position = 0;
                while (decoder.TryRead(receive.AsSpan(offset, end - start), ref position, out ReadOnlySpan<byte> run))
                {
                    data.AddRange(run);
                }

                start = end;
            }

            receive.AsSpan().Fill((byte)'p');
            Assert.True(decoder.IsCompleted);
            Assert.Equal("abc", Text(data.ToArray()));
            Assert.Equal(trailers + "\r\n", Text(decoder.TrailerSection));
            var names = new List<string>();
            foreach (HeaderField field in decoder.EnumerateTrailers())
            {
                names.Add(Text(field.Name) + "=" + Text(field.Value));
            }

            Assert.Equal(["X-Checksum=abc123", "Expires=Thu, 01 Dec 2026 16:00:00 GMT"], names);
        }
    }

    [Fact]
    public void A_chunk_size_line_can_span_sequence_segments()
    {
        var decoder = new ChunkedDecoder();
        byte[] body = Bytes("1A;na=\"v\"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: 1\r\n\r\n");
        // Segments: "1" | "A;na" | "=\"v\"\r" | "\nabc..." and so on, one cut inside each framing element.
        ReadOnlySequence<byte> sequence = Sequence(body, [1, 5, 10, 20, 40, 42, 46]);
        var destination = new byte[26];
        Assert.Equal(OperationStatus.Done, decoder.Decode(sequence, destination, out SequencePosition consumed, out int written));
        Assert.Equal(sequence.End, consumed);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz", Text(destination.AsSpan(0, written)));
        Assert.Equal("T: 1\r\n\r\n", Text(decoder.TrailerSection));
    }

    [Fact]
    public void Sequence_Read_returns_runs_as_slices_of_the_sequence()
    {
        var decoder = new ChunkedDecoder();
        byte[] body = Bytes("6\r\nabcdef\r\n0\r\n\r\n");
        ReadOnlySequence<byte> sequence = Sequence(body, [2, 6]);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(sequence, out SequencePosition consumed, out ReadOnlySequence<byte> data));
        Assert.Equal("abc", Text(data.ToArray())); // the run stops at the segment end
        Assert.Equal(6, sequence.Slice(0, consumed).Length);
        Assert.Equal(3, sequence.Slice(0, data.Start).Length);

        sequence = sequence.Slice(consumed);
        Assert.Equal(OperationStatus.NeedMoreData, decoder.Read(sequence, out consumed, out data));
        Assert.Equal("def", Text(data.ToArray()));
        sequence = sequence.Slice(consumed);
        Assert.Equal(OperationStatus.Done, decoder.Read(sequence, out consumed, out data));
        Assert.True(data.IsEmpty);
        Assert.Equal(sequence.End, consumed);

        Assert.Equal(OperationStatus.Done, decoder.Read(ReadOnlySequence<byte>.Empty, out _, out _));
    }

    [Fact]
    public void Options_validate_their_values()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { MaxChunkExtensionLength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { MaxTrailerSectionLength = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { MaxTrailerCount = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { FramingBytesPerDataByte = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { FramingOverheadAllowance = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedDecoderOptions { MaxBodySize = -1 });
        Assert.Throws<ArgumentNullException>(() => new ChunkedDecoder(null!));

        ChunkedDecoderOptions d = ChunkedDecoderOptions.Default;
        Assert.Equal(1024, d.MaxChunkExtensionLength);
        Assert.Equal(8192, d.MaxTrailerSectionLength);
        Assert.Equal(32, d.MaxTrailerCount);
        Assert.Equal(1, d.FramingBytesPerDataByte);
        Assert.Equal(16384, d.FramingOverheadAllowance);
        Assert.Null(d.MaxBodySize);
        Assert.Same(d, new ChunkedDecoder().Options);
    }

    [Fact]
    public void Framing_check_can_be_turned_off()
    {
        var options = new ChunkedDecoderOptions { FramingOverheadAllowance = long.MaxValue, FramingBytesPerDataByte = 0 };
        var body = new List<byte>();
        for (int i = 0; i < 5000; i++)
        {
            body.AddRange(Bytes("1\r\nx\r\n"));
        }

        body.AddRange(Bytes("0\r\n\r\n"));
        Assert.Equal(OperationStatus.Done, Whole(body.ToArray(), options).Status);
        // With the defaults the same flood is stopped: 5 framing bytes per data byte against 1 allowed.
        Assert.Equal(ParseErrorKind.ExcessiveChunkFraming, Whole(body.ToArray()).Kind);
    }

    [Fact]
    public void Default_limits_accept_ordinary_bodies()
    {
        // 4 KiB chunks with an extension each, and a trailer: far inside every default limit.
        var writer = new ArrayBufferWriter<byte>();
        var payload = new byte[256 * 1024];
        new Random(7).NextBytes(payload);
        for (int offset = 0; offset < payload.Length; offset += 4096)
        {
            ChunkedEncoder.WriteChunk(writer, payload.AsSpan(offset, 4096));
        }

        ChunkedEncoder.WriteLastChunk(writer, [new TrailerField("Digest", "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")]);
        var decoder = new ChunkedDecoder();
        var destination = new byte[payload.Length];
        Assert.Equal(OperationStatus.Done, decoder.Decode(writer.WrittenSpan, destination, out _, out int written));
        Assert.Equal(payload, destination[..written]);
    }
}
