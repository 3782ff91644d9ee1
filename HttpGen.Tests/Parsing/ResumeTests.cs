using System.Buffers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// An unfinished line is resumed where the last call's scan stopped, not rescanned from its start: a long line that
/// arrives a byte at a time is read once (the cost per call stays constant instead of growing with the line, see
/// DeliveryBenchmarks). These tests observe that without a clock: between two calls they change a byte the first call
/// already judged, which the contract forbids (the next call must see the same bytes). A parser that rescans finds
/// the changed byte and rejects the head; a parser that resumes never looks at it again.
/// </summary>
public class ResumeTests
{
    private const string Prefix = "GET /path HTTP/1.1\r\nHost: a\r\n";

    public static TheoryData<string, string, byte> JudgedBytes => new()
    {
        // name of the part, head with '‸' before the byte to change (at the end of the first call), replacement
        { "header value", Prefix + "X-Long: vvvv‸vvvvvvvv\r\n\r\n", 0x01 },
        { "header value, first call ending on its CR", Prefix + "X-Long: vvvv‸vvvvvvvv\r\n\r\n", 0x7F },
        { "header name", Prefix + "X-Lo‸ng-Name: v\r\n\r\n", (byte)'(' },
        { "method", "PURG‸E /x HTTP/1.1\r\nHost: a\r\n\r\n", (byte)'@' },
        { "target", "GET /long/pa‸th/of/the/request HTTP/1.1\r\nHost: a\r\n\r\n", (byte)'{' },
    };

    [Theory]
    [MemberData(nameof(JudgedBytes))]
    public void A_byte_judged_by_an_earlier_call_is_not_read_again(string part, string marked, byte replacement)
    {
        int changed = marked.IndexOf(RequestCases.At) - 1; // the last byte the first call sees
        byte[] input = Encoding.Latin1.GetBytes(marked.Remove(changed + 1, 1));
        int firstCall = part.EndsWith("on its CR", StringComparison.Ordinal) ? input.AsSpan().IndexOf("\r\n\r\n"u8) + 1 : changed + 1;

        // One-shot, the changed byte is an error: it is a real test of whether the byte is looked at.
        byte[] poisoned = (byte[])input.Clone();
        poisoned[changed] = replacement;
        Assert.Equal(OperationStatus.InvalidData, new EveryKindRequest().TryParse(poisoned, out _));

        var request = new EveryKindRequest();
        Assert.Equal(OperationStatus.NeedMoreData, request.TryParse(input.AsMemory(0, firstCall), out _));
        input[changed] = replacement;
        OperationStatus status = request.TryParse(input, out int consumed);
        Assert.True(status == OperationStatus.Done, $"{part}: {status} {request.Error}");
        Assert.Equal(input.Length, consumed);
    }

    [Fact]
    public void A_reason_phrase_byte_judged_by_an_earlier_call_is_not_read_again()
    {
        byte[] input = "HTTP/1.1 200 All fine here\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
        int changed = "HTTP/1.1 200 All f".Length - 1;
        var response = new OrderResponse();
        Assert.Equal(OperationStatus.NeedMoreData, response.TryParse(input.AsMemory(0, changed + 1), out _));
        input[changed] = 0x01;
        Assert.Equal(OperationStatus.Done, response.TryParse(input, out _));

        Assert.Equal(OperationStatus.InvalidData, new OrderResponse().TryParse(input, out _));
    }

    /// <summary>Each call scans only what is new: a 64 KiB line delivered a byte at a time, every byte changed behind
    /// the parser's back right after the call that judged it, still parses.</summary>
    [Fact]
    public void A_long_line_delivered_a_byte_at_a_time_is_read_once()
    {
        var options = new ParserOptions { MaxHeaderBlockLength = 128 * 1024, MaxFieldValueLength = 64 * 1024 };
        string head = Prefix + "X-Long: " + new string('v', 64 * 1024) + "\r\n\r\n";
        byte[] input = Encoding.ASCII.GetBytes(head);
        int valueStart = head.IndexOf("X-Long: ", StringComparison.Ordinal) + "X-Long: ".Length;
        int valueEnd = valueStart + 64 * 1024;

        var request = new EveryKindRequest { Options = options };
        OperationStatus status = OperationStatus.NeedMoreData;
        for (int length = 1; length <= input.Length && status == OperationStatus.NeedMoreData; length++)
        {
            status = request.TryParse(input.AsMemory(0, length), out _);

            // Every value byte but the last ones, once a call has seen it, becomes a control byte.
            if (length - 2 > valueStart && length - 2 < valueEnd)
            {
                input[length - 2] = 0x01;
            }
        }

        Assert.Equal(OperationStatus.Done, status);
    }
}
