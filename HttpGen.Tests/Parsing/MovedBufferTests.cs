using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// The contract lets the caller pass the same bytes in a different place on every call (a server compacts or grows its
/// receive buffer between calls). Every value read after the parse must then come from the buffer of the latest call:
/// a value that still pointed into an earlier buffer would read whatever that memory holds now.
/// </summary>
public class MovedBufferTests
{
    private const string Head = "GET / HTTP/1.0\r\nHost: h_st\r\n\r\n";

    [Fact]
    public void Declared_value_survives_compaction_of_the_buffer_between_calls()
    {
        // Request 1 took the first 4 bytes of the buffer; after the first call the rest is moved to the front, as
        // ConnectionIO.MakeRoom does, and the second call sees the whole head at offset 0.
        byte[] input = Encoding.ASCII.GetBytes(Head);
        int firstPart = Head.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 2; // the Host line is complete
        byte[] buffer = new byte[4 + input.Length];
        "GET "u8.CopyTo(buffer);
        input.CopyTo(buffer, 4);

        var request = new OrderRequest();
        Assert.Equal(OperationStatus.NeedMoreData, request.TryParse(buffer.AsMemory(4, firstPart), out _));
        Buffer.BlockCopy(buffer, 4, buffer, 0, input.Length);
        Assert.Equal(OperationStatus.Done, request.TryParse(buffer.AsMemory(0, input.Length), out int consumed));

        Assert.Equal(input.Length, consumed);
        Assert.Equal("h_st", Encoding.ASCII.GetString(request.Host));
    }

    [Fact]
    public void Declared_value_survives_a_move_to_a_new_array_with_the_old_one_overwritten()
    {
        byte[] first = Encoding.ASCII.GetBytes(Head);
        var request = new OrderRequest();
        Assert.Equal(OperationStatus.NeedMoreData, request.TryParse(first.AsMemory(0, first.Length - 2), out _));

        byte[] second = (byte[])first.Clone();
        first.AsSpan().Fill((byte)'p'); // the old array is returned to a pool and reused by someone else
        Assert.Equal(OperationStatus.Done, request.TryParse(second, out _));
        Assert.Equal("h_st", Encoding.ASCII.GetString(request.Host));
    }

    /// <summary>Every kind of declared property, the request line and the header enumerator, after a move per call.</summary>
    [Theory]
    [InlineData(Move.NewArray)]
    [InlineData(Move.Compact)]
    [InlineData(Move.Segments)]
    public void Every_property_kind_reads_the_latest_buffer(Move move)
    {
        const string text = "PURGE /a/b?c=d HTTP/1.1\r\nhost: example.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n" +
            "Max-Forwards: 7\r\nX-Count: 12345678901\r\nDNT: 1\r\nAccept: text/html\r\nA: x y\r\nX-Weird_Name.~: odd\r\nX-Other: z\r\n\r\n";
        byte[] input = Encoding.ASCII.GetBytes(text);
        var request = new EveryKindRequest();
        (OperationStatus status, int consumed) = Feed.Moved(request.TryParse, request.TryParse, input, LineEnds(text), move);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(input.Length, consumed);
        Assert.Equal("PURGE", Encoding.ASCII.GetString(request.RawMethod));
        Assert.Equal("/a/b?c=d", Encoding.ASCII.GetString(request.Target));
        Assert.Equal("/a/b", Encoding.ASCII.GetString(request.Path));
        Assert.Equal("c=d", Encoding.ASCII.GetString(request.Query));
        Assert.True(request.Host.Equals("example.test"u8), request.Host.ToString());
        Assert.Equal("example.test", Encoding.ASCII.GetString(request.Host.Memory.Span));
        Assert.Equal("keep-alive", request.Connection);
        Assert.Equal("chunked", Encoding.ASCII.GetString(request.TransferEncoding));
        Assert.Equal(7, request.MaxForwards);
        Assert.Equal(12345678901L, request.Count);
        Assert.True(request.DoNotTrack);
        Assert.Equal("text/html", request.Accept.ToString());
        Assert.Equal("x y", Encoding.ASCII.GetString(request.A));
        Assert.Equal("odd", request.Weird);

        var lines = new List<string>();
        foreach (HeaderField field in request.Headers)
        {
            lines.Add(Outcome.Latin1(field.Name) + "=" + Outcome.Latin1(field.Value));
        }

        Assert.Equal(
            ["host=example.test", "Connection=keep-alive", "Transfer-Encoding=chunked", "Max-Forwards=7", "X-Count=12345678901", "DNT=1",
             "Accept=text/html", "A=x y", "X-Weird_Name.~=odd", "X-Other=z"],
            lines);
    }

    [Theory]
    [InlineData(Move.NewArray)]
    [InlineData(Move.Compact)]
    [InlineData(Move.Segments)]
    public void Response_values_read_the_latest_buffer(Move move)
    {
        const string text = "HTTP/1.1 200 Fine Thanks\r\nContent-Type: text/plain\r\nETag: \"abc\"\r\nCache-Control: no-store\r\n" +
            "Content-Length: 3\r\nRetry-After: 9\r\nServer: s\r\n\r\n";
        byte[] input = Encoding.ASCII.GetBytes(text);
        var response = new OrderResponse();
        (OperationStatus status, _) = Feed.Moved(response.TryParse, response.TryParse, input, LineEnds(text), move);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal("Fine Thanks", Encoding.ASCII.GetString(response.ReasonPhrase));
        Assert.Equal("text/plain", response.ContentType.ToString());
        Assert.Equal("\"abc\"", response.ETag);
        Assert.Equal("no-store", response.CacheControl.ToString());
        Assert.Equal(3, response.ContentLength);
        Assert.Equal(9, response.RetryAfter);
    }

    // One call per line, so that every value's line completed in an earlier buffer than the last.
    internal static List<int> LineEnds(string text)
    {
        var cuts = new List<int>();
        for (int i = text.IndexOf('\n') + 1; i < text.Length; i = text.IndexOf('\n', i) + 1)
        {
            cuts.Add(i);
        }

        return cuts;
    }

    [Fact]
    public void Value_read_before_the_head_completes_and_again_after_a_move_reads_the_latest_buffer()
    {
        byte[] first = Encoding.ASCII.GetBytes(Head);
        var request = new EveryKindRequest();
        Assert.Equal(OperationStatus.NeedMoreData, request.TryParse(first.AsMemory(0, first.Length - 2), out _));
        Assert.Equal("h_st", request.Host.ToString());

        byte[] second = (byte[])first.Clone();
        first.AsSpan().Fill((byte)'\n');
        Assert.Equal(OperationStatus.Done, request.TryParse(second, out _));
        Assert.Equal("h_st", request.Host.ToString());
    }
}
