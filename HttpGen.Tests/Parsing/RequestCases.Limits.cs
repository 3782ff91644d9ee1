using static HttpGen.ParseErrorKind;

namespace HttpGen.Tests.Parsing;

// Limit cases: inputs are built in code, and each expected offset is computed from the lengths of the pieces.
// Convention checked here: a limit error points at the first byte past the limit (for TooManyHeaders: the first
// byte of the first line past the count).
public static partial class RequestCases
{
    private const string Line11 = "GET / HTTP/1.1\r\n"; // 16 bytes

    private static void Limits(List<RequestCase> c)
    {
        ParserOptions defaults = ParserOptions.Default;
        int maxLine = defaults.MaxRequestLineLength;   // 8192
        int maxBlock = defaults.MaxHeaderBlockLength;  // 32768
        int maxCount = defaults.MaxHeaderCount;        // 100
        int maxName = defaults.MaxFieldNameLength;     // 256
        int maxValue = defaults.MaxFieldValueLength;   // 16384
        Assert8K(maxLine, maxBlock, maxCount, maxName, maxValue);

        // request line (8 KiB, CRLF included)
        string atLine = RequestLineOf(maxLine);
        c.Add(Ok("request line at the default limit", atLine + H + "\r\n", target: TargetOf(atLine), path: TargetOf(atLine)));
        c.Add(Bad("request line one byte over the default limit", Latin1(RequestLineOf(maxLine + 1) + H + "\r\n"), RequestLineTooLong, maxLine));
        c.Add(Bad("request line far over the limit, with a bad byte past it",
            Latin1("GET /" + new string('a', 9000) + "#" + " HTTP/1.1\r\n" + H + "\r\n"), RequestLineTooLong, maxLine));
        // a method still running at the limit: 501, not 414 (RFC 9112 §3); a method that ends within it leaves 414 to the target
        c.Add(Bad("endless method", Latin1(new string('A', maxLine + 100)), MethodTooLong, maxLine));
        c.Add(Bad("100 KB method", Latin1(new string('M', 100_000) + " / HTTP/1.1\r\n" + H + "\r\n"), MethodTooLong, maxLine));
        c.Add(Bad("method running to the last byte within the limit", Latin1(new string('M', maxLine) + " / HTTP/1.1\r\n" + H + "\r\n"), MethodTooLong, maxLine));
        c.Add(Bad("method ending just within the limit, target past it", Latin1(new string('M', maxLine - 1) + " /x HTTP/1.1\r\n" + H + "\r\n"),
            RequestLineTooLong, maxLine));
        c.Add(Bad("method past the limit after leading CRLFs", Latin1("\r\n\r\n" + new string('M', maxLine)), MethodTooLong, maxLine));
        c.Add(Bad("leading CRLFs past the limit", Latin1(string.Concat(Enumerable.Repeat("\r\n", maxLine)) + "GET / HTTP/1.1\r\n" + H + "\r\n"),
            RequestLineTooLong, maxLine));
        c.Add(Ok("leading CRLF plus a request line that fit the limit together", "\r\n" + RequestLineOf(maxLine - 2) + H + "\r\n",
            target: TargetOf(RequestLineOf(maxLine - 2)), path: TargetOf(RequestLineOf(maxLine - 2))));
        c.Add(Bad("leading CRLF counts towards the request-line limit", Latin1("\r\n" + RequestLineOf(maxLine - 1) + H + "\r\n"), RequestLineTooLong, maxLine));

        // header block (32 KiB, from the first header line through the blank line)
        c.Add(Ok("header block at the default limit", Line11 + BlockOf(maxBlock), headers: HeadersOf(BlockOf(maxBlock))));
        c.Add(Bad("header block one byte over the default limit", Latin1(Line11 + BlockOf(maxBlock + 1)), HeadersTooLarge, Line11.Length + maxBlock));
        c.Add(Bad("header line running past the block limit", Latin1(Line11 + BlockOf(maxBlock + 5000)), HeadersTooLarge, Line11.Length + maxBlock));
        c.Add(Bad("block limit counts from the end of a long request line",
            Latin1(RequestLineOf(4000) + BlockOf(maxBlock + 1)), HeadersTooLarge, 4000 + maxBlock));

        // header count (100)
        c.Add(Ok("header count at the default limit", Line11 + LinesOf(maxCount) + "\r\n", headers: HeadersOf(LinesOf(maxCount) + "\r\n")));
        c.Add(Bad("header count one over the default limit", Latin1(Line11 + LinesOf(maxCount + 1) + "\r\n"), TooManyHeaders,
            Line11.Length + LinesOf(maxCount).Length));
        c.Add(Bad("line past the count fails before its own syntax", Latin1(Line11 + LinesOf(maxCount) + "Bad Name: x\r\n\r\n"), TooManyHeaders,
            Line11.Length + LinesOf(maxCount).Length));

        // field name (256)
        string name256 = new('n', maxName);
        c.Add(Ok("field name at the default limit", Line11 + H + name256 + ": v\r\n\r\n", headers: ["Host: a", name256 + ": v"]));
        c.Add(Bad("field name one over the default limit", Latin1(Line11 + H + name256 + "n: v\r\n\r\n"), HeaderFieldTooLarge,
            Line11.Length + H.Length + maxName));
        c.Add(Bad("over-long field name followed by white space", Latin1(Line11 + H + name256 + "n : v\r\n\r\n"), HeaderFieldTooLarge,
            Line11.Length + H.Length + maxName));
        c.Add(Bad("over-long field name without a colon yet", Latin1(Line11 + H + name256 + "nnnn"), HeaderFieldTooLarge,
            Line11.Length + H.Length + maxName));

        // field value (16 KiB, after trimming)
        string value16k = new('v', maxValue);
        c.Add(Ok("field value at the default limit", Line11 + H + "X: " + value16k + "\r\n\r\n", headers: ["Host: a", "X: " + value16k]));
        c.Add(Ok("field value at the limit plus OWS", Line11 + H + "X: \t " + value16k + " \t \r\n\r\n", headers: ["Host: a", "X: " + value16k]));
        c.Add(Bad("field value one over the default limit", Latin1(Line11 + H + "X: " + value16k + "v\r\n\r\n"), HeaderFieldTooLarge,
            Line11.Length + H.Length + "X: ".Length + maxValue));
        c.Add(Bad("field value over the limit after leading OWS", Latin1(Line11 + H + "X:\t\t " + value16k + "v\r\n\r\n"), HeaderFieldTooLarge,
            Line11.Length + H.Length + "X:\t\t ".Length + maxValue));

        // every limit configured at run time
        ParserSetup line20 = ParserSetup.With("MaxRequestLineLength 20", new ParserOptions { MaxRequestLineLength = 20 });
        c.Add(Ok("configured request line at the limit", "GET /abcd HTTP/1.1\r\n" + H + "\r\n", target: "/abcd", parser: line20));
        c.Add(Bad("configured request line one over", "GET /abcde HTTP/1.1\r‸\n" + H + "\r\n", RequestLineTooLong, line20));
        c.Add(Bad("configured request line cut inside the method", "ABCDEFGHIJKLMNOPQRST‸UVWXYZ / HTTP/1.1\r\n" + H + "\r\n", MethodTooLong, line20));

        ParserSetup block20 = ParserSetup.With("MaxHeaderBlockLength 20", new ParserOptions { MaxHeaderBlockLength = 20 });
        c.Add(Ok("configured header block at the limit", Line11 + H + "X: abcd\r\n\r\n", headers: ["Host: a", "X: abcd"], parser: block20));
        c.Add(Bad("configured header block one over", Line11 + H + "X: abcde\r\n\r‸\n", HeadersTooLarge, block20));

        ParserSetup count2 = ParserSetup.With("MaxHeaderCount 2", new ParserOptions { MaxHeaderCount = 2 });
        c.Add(Ok("configured header count at the limit", Line11 + H + "X: 1\r\n\r\n", headers: ["Host: a", "X: 1"], parser: count2));
        c.Add(Bad("configured header count one over", Line11 + H + "X: 1\r\n‸Y: 2\r\n\r\n", TooManyHeaders, count2));

        ParserSetup name4 = ParserSetup.With("MaxFieldNameLength 4", new ParserOptions { MaxFieldNameLength = 4 });
        c.Add(Ok("configured field name at the limit", Line11 + H + "X-Ab: 1\r\n\r\n", headers: ["Host: a", "X-Ab: 1"], parser: name4));
        c.Add(Bad("configured field name one over", Line11 + H + "X-Ab‸c: 1\r\n\r\n", HeaderFieldTooLarge, name4));

        ParserSetup value3 = ParserSetup.With("MaxFieldValueLength 3", new ParserOptions { MaxFieldValueLength = 3 });
        c.Add(Ok("configured field value at the limit", Line11 + "Host: abc\r\n\r\n", headers: ["Host: abc"], parser: value3));
        c.Add(Bad("configured field value one over", Line11 + H + "X:  abc‸d \r\n\r\n", HeaderFieldTooLarge, value3));

        ParserSetup huge = ParserSetup.With("every limit int.MaxValue", new ParserOptions
        {
            MaxRequestLineLength = int.MaxValue,
            MaxHeaderBlockLength = int.MaxValue,
            MaxHeaderCount = int.MaxValue,
            MaxFieldNameLength = int.MaxValue,
            MaxFieldValueLength = int.MaxValue,
        });
        c.Add(Ok("limits at int.MaxValue", "GET /x HTTP/1.1\r\n" + H + "X: 1\r\n\r\n", target: "/x", headers: ["Host: a", "X: 1"], parser: huge));

        // limits set on the attribute: request line 32, header block 48, 3 header lines
        ParserSetup tiny = ParserSetup.Tiny;
        string line32 = RequestLineOf(32);
        c.Add(Ok("attribute request line at the limit", line32 + H + "\r\n", target: TargetOf(line32), path: TargetOf(line32), parser: tiny));
        c.Add(Bad("attribute request line one over", Latin1(RequestLineOf(33) + H + "\r\n"), RequestLineTooLong, 32, tiny));
        c.Add(Bad("attribute request line cut inside the method", Latin1(new string('P', 40) + " / HTTP/1.1\r\n" + H + "\r\n"), MethodTooLong, 32, tiny));
        string block48 = H + "X: " + new string('b', 32) + "\r\n\r\n";
        c.Add(Ok("attribute header block at the limit", Line11 + block48, headers: HeadersOf(block48), parser: tiny));
        c.Add(Bad("attribute header block one over", Latin1(Line11 + H + "X: " + new string('b', 33) + "\r\n\r\n"), HeadersTooLarge, Line11.Length + 48, tiny));
        c.Add(Ok("attribute header count at the limit", Line11 + H + "X: 1\r\nY: 2\r\n\r\n", headers: ["Host: a", "X: 1", "Y: 2"], parser: tiny));
        c.Add(Bad("attribute header count one over", Line11 + H + "X: 1\r\nY: 2\r\n‸Z: 3\r\n\r\n", TooManyHeaders, tiny));
    }

    // "GET /aaa… HTTP/1.1\r\n" of exactly `length` bytes.
    internal static string RequestLineOf(int length) => "GET /" + new string('a', length - Line11.Length) + " HTTP/1.1\r\n";

    private static string TargetOf(string requestLine) => requestLine["GET ".Length..requestLine.IndexOf(" HTTP/", StringComparison.Ordinal)];

    // A header block of exactly `length` bytes, blank line included: "Host: a" and then padding lines of at most 8 KiB.
    internal static string BlockOf(int length)
    {
        var block = new System.Text.StringBuilder(H);
        int rest = length - H.Length - 2;
        for (int i = 0; rest > 0; i++)
        {
            // "X-Pad-00: " + value + CRLF is 12 bytes plus the value; the last line must keep at least those 12.
            int size = rest > 8012 + 12 ? 8012 : rest > 8012 ? rest - 12 : rest;
            block.Append($"X-Pad-{i:D2}: ").Append('v', size - 12).Append("\r\n");
            rest -= size;
        }

        block.Append("\r\n");
        if (block.Length != length)
        {
            throw new InvalidOperationException($"Block of {block.Length} bytes, wanted {length}.");
        }

        return block.ToString();
    }

    // "Host: a" and then `count - 1` more short lines.
    private static string LinesOf(int count)
    {
        var lines = new System.Text.StringBuilder(H);
        for (int i = 1; i < count; i++)
        {
            lines.Append($"X-{i}: {i}\r\n");
        }

        return lines.ToString();
    }

    // The "Name: value" list a block is expected to enumerate (the test side's own split of the lines it wrote).
    private static string[] HeadersOf(string block) =>
        block.Split("\r\n").Where(l => l.Length > 0).Select(l => l[..(l.IndexOf(':') + 1)] + " " + l[(l.IndexOf(':') + 1)..].Trim(' ', '\t')).ToArray();

    private static void Assert8K(int line, int block, int count, int name, int value)
    {
        if ((line, block, count, name, value) != (8192, 32768, 100, 256, 16384))
        {
            throw new InvalidOperationException("The default limits changed; the limit cases are written for 8192/32768/100/256/16384.");
        }
    }
}
