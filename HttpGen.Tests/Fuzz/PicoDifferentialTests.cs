using System.Buffers;
using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HttpGen.Tests.Fuzz;

/// <summary>
/// Differential fuzzing against picohttpparser (h2o's, from Debian's libh2o0.13). On every input both accept, the
/// two must agree on the method, target, version, head length, and every header name and value in order. Every
/// input on which they disagree (one accepts, the other rejects; or one is still waiting while the other has
/// decided) must fall into one of the classes of <see cref="Disagreements"/>, each a known, justified difference;
/// anything else fails the test with the input.
/// </summary>
[Collection(FuzzCollection.Name)]
public class PicoDifferentialTests(ITestOutputHelper output)
{
    /// <summary>
    /// Where HttpGen and picohttpparser may disagree, and why. The key is what <see cref="Classify"/> says of an
    /// input: who rejects, what, and where. pico is a minimal syntax scanner; HttpGen is a strict RFC 9112 parser that
    /// also decides framing, so nearly every class is HttpGen rejecting what pico lets through.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Disagreements = new Dictionary<string, string>
    {
        // HttpGen rejects what pico lets through (pico returns the head, or is still waiting for the blank line).
        [Rejects(ParseErrorKind.InvalidMethod)] =
            "method = token (RFC 9110 §9.1): HttpGen rejects a method with non-tchar bytes (obs-text, '\\', '/', '@', ',', ';', '[', quotes...); pico takes any bytes up to the SP but controls.",
        [Rejects(ParseErrorKind.InvalidRequestTarget)] =
            "the request-target is one of the four forms of RFC 9112 §3.2 over RFC 3986 characters: HttpGen rejects obs-text, '\"', '\\', '`', '#', '[' or ']' in a path, '*' other than OPTIONS *, a target that is no form (\"0/logs\", an authority outside CONNECT), a bad port; pico takes any visible bytes.",
        [Rejects(ParseErrorKind.InvalidRequestLine)] =
            "request-line = method SP request-target SP HTTP-version (RFC 9112 §3): exactly one SP between the parts and no empty part (\"GET  HTTP/1.0\", \"GET / \\r\\n\"); pico is looser about empty parts.",
        [Rejects(ParseErrorKind.InvalidVersion)] =
            "HTTP-version = \"HTTP/\" DIGIT \".\" DIGIT (RFC 9112 §2.3): pico accepts any run of digits after \"HTTP/1.\" and anything after the last digit it does not reach.",
        [Rejects(ParseErrorKind.UnsupportedVersion)] =
            "HTTP/1.2 to HTTP/1.9 are well-formed but not 1.0 or 1.1: HttpGen answers 505 (RFC 9110 §15.6.6); pico reports the minor version and leaves the decision to its caller.",
        [Rejects(ParseErrorKind.InvalidLineEnding)] =
            "bare LF as a line terminator: RFC 9112 §2.2 lets a recipient accept it, HttpGen refuses it by default (AllowBareLineFeed) because parsers disagreeing on line ends is a smuggling vector; pico accepts LF everywhere, including before the request line.",
        [Rejects(ParseErrorKind.ObsoleteLineFolding)] =
            "obs-fold: RFC 9112 §5.2 says a server MUST reject it (400) or replace it with SP; HttpGen rejects; pico returns the continuation as a header with no name.",
        [Rejects(ParseErrorKind.InvalidHeaderName)] =
            "field-name = token (RFC 9110 §5.1): pico checks only the first byte of a name and then takes anything above 0x1F up to the colon.",
        [Rejects(ParseErrorKind.WhitespaceBeforeColon)] =
            "no white space between a field name and the colon (RFC 9112 §5.1, MUST reject with 400); pico keeps the space as part of the name.",
        [Rejects(ParseErrorKind.InvalidHeaderValue)] =
            "field-value bytes (RFC 9110 §5.5): HttpGen rejects controls and DEL in a value; where pico differs it is in what it skipped before reaching the byte.",
        [Rejects(ParseErrorKind.MissingHost)] =
            "an HTTP/1.1 request without Host MUST get 400 (RFC 9112 §3.2); pico does not look at header semantics.",
        [Rejects(ParseErrorKind.DuplicateHost)] =
            "more than one Host line MUST get 400 (RFC 9112 §3.2); pico does not look at header semantics.",
        [Rejects(ParseErrorKind.InvalidHost)] =
            "Host = uri-host [ \":\" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2), and it must match an absolute-form target's authority: HttpGen validates it; pico does not.",
        [Rejects(ParseErrorKind.InvalidContentLength)] =
            "Content-Length = 1*DIGIT (RFC 9110 §8.6) and an invalid one is unrecoverable framing (RFC 9112 §6.3): HttpGen rejects signs, spaces inside, lists, hex, overflow; pico does not read Content-Length.",
        [Rejects(ParseErrorKind.DuplicateContentLength)] =
            "a repeated Content-Length is rejected even when the values agree (a documented HttpGen decision: RFC 9112 §6.3 allows it, and it removes a smuggling ambiguity); pico does not read Content-Length.",
        [Rejects(ParseErrorKind.ContentLengthWithTransferEncoding)] =
            "Content-Length with Transfer-Encoding: RFC 9112 §6.1 lets a server reject it and says it ought to close; HttpGen rejects it (smuggling). pico does not read framing.",
        [Rejects(ParseErrorKind.InvalidTransferEncoding)] =
            "Transfer-Encoding is a list of codings with chunked last and once (RFC 9112 §6.1, §7); empty elements, parameters and misplaced chunked are 400. pico does not read framing.",
        [Rejects(ParseErrorKind.UnsupportedTransferCoding)] =
            "a transfer coding HttpGen does not implement (br, identity, ...) is 501 (RFC 9112 §6.1). pico does not read framing.",
        [Rejects(ParseErrorKind.TransferEncodingInHttp10)] =
            "Transfer-Encoding in an HTTP/1.0 request is faulty framing (RFC 9112 §6.1: MUST treat the message as if it had faulty framing and close). pico does not read framing.",
        [Rejects(ParseErrorKind.InvalidNumericHeader)] =
            "a declared numeric header (here Max-Forwards, int?) that is not 1*DIGIT in range: a typed-header decision of HttpGen, documented in the README; pico does not read values.",
        [Rejects(ParseErrorKind.DuplicateNumericHeader)] =
            "a declared numeric header that appears twice is rejected (README: numeric headers reject the request); pico does not read values.",
        [Rejects(ParseErrorKind.RequestLineTooLong)] = "HttpGen's configurable request-line limit (8 KiB by default, 414); pico has no limit.",
        [Rejects(ParseErrorKind.HeadersTooLarge)] = "HttpGen's configurable header-block limit (32 KiB, 431); pico has no limit.",
        [Rejects(ParseErrorKind.HeaderFieldTooLarge)] = "HttpGen's configurable limit on one field line (431); pico has no limit.",
        [Rejects(ParseErrorKind.TooManyHeaders)] = "HttpGen's configurable header-line limit (100, 431); this test gives pico room for 128.",

        // pico rejects what HttpGen accepts or is still reading.
        [PicoRejectsVersionEarly] =
            "a version that is not HTTP/1.x (\"HTTP/5.1\\r\"): pico rejects at the first byte that is not \"HTTP/1.\"; HttpGen waits for the end of the request line, whose next byte decides between 505 for a well-formed HTTP/d.d and 400 for a malformed line (RFC 9110 §15.6.6, RFC 9112 §2.3).",
        [PicoRejectsBeforeRequestLine] =
            "empty lines before the request-line: RFC 9112 §2.2 says a server SHOULD ignore at least one; HttpGen ignores any number, pico exactly one CRLF or LF.",
    };

    private const string PicoRejectsVersionEarly = "pico rejects the version before its line ends, HttpGen waits for the line";

    private const string PicoRejectsBeforeRequestLine = "pico rejects a blank line before the request line, HttpGen does not";

    private static string Rejects(ParseErrorKind kind) => $"HttpGen rejects ({kind}), pico does not";

    [Fact]
    public void HttpGen_agrees_with_picohttpparser()
    {
        if (!Pico.IsAvailable)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true",
                $"CI=true and {Pico.LibraryPath} cannot be loaded: .ci/run installs libh2o0.13 (apt-get install libh2o0.13)");
            output.WriteLine($"picohttpparser not installed ({Pico.LibraryPath}): skipped. apt-get install libh2o0.13 to run it.");
            return;
        }

        var seen = new ConcurrentDictionary<string, (long Count, string Example)>();
        long agreed = 0;
        FuzzRunner.Run(output, "request heads, HttpGen vs picohttpparser", 0.16, Mutator.Requests, c =>
        {
            string? disagreement = Compare(c.Input);
            if (disagreement is null)
            {
                Interlocked.Increment(ref agreed);
                return;
            }

            seen.AddOrUpdate(disagreement, _ => (1, c.ToString()), (_, v) => (v.Count + 1, v.Example));
        });

        output.WriteLine($"inputs both parsers treated alike: {agreed}");
        foreach ((string key, (long count, string example)) in seen.OrderByDescending(p => p.Value.Count))
        {
            output.WriteLine($"{count,8}  {key}\n          e.g. {example}");
        }

        string[] unexplained = seen.Keys.Where(k => !Disagreements.ContainsKey(k)).Order().ToArray();
        Assert.True(unexplained.Length == 0, "disagreements without a class:\n" + string.Join("\n", unexplained.Select(k => $"{k}\n  e.g. {seen[k].Example}")));
    }

    /// <summary>Disagreements found by the fuzzer, each in its class (the first one from a long run).</summary>
    [Theory]
    [InlineData("HEAD /big.iso HTTP/5.1\r", PicoRejectsVersionEarly)]
    [InlineData("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", PicoRejectsBeforeRequestLine)]
    [InlineData("GET / HTTP/1.1\nHost: h\r\n\r\n", "HttpGen rejects (InvalidLineEnding), pico does not")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n", "HttpGen rejects (ObsoleteLineFolding), pico does not")]
    [InlineData("G\u00e9T / HTTP/1.1\r\nHost: h\r\n\r\n", "HttpGen rejects (InvalidMethod), pico does not")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", "HttpGen rejects (DuplicateContentLength), pico does not")]
    public void Known_disagreements_fall_into_their_justified_class(string head, string expected)
    {
        if (!Pico.IsAvailable)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", $"CI=true and {Pico.LibraryPath} cannot be loaded");
            return;
        }

        Assert.Equal(expected, Compare(System.Text.Encoding.Latin1.GetBytes(head)));
        Assert.True(Disagreements.ContainsKey(expected));
    }

    /// <summary>Null when both parsers treat the input alike; otherwise the class of the disagreement.</summary>
    internal static string? Compare(byte[] input)
    {
        var ours = new FuzzRequest();
        OperationStatus status = ours.TryParse(input, out int consumed);
        Pico.Result pico = Pico.ParseRequest(input);
        if (status == OperationStatus.Done && pico.Length > 0)
        {
            string? difference = DifferentValues(input, ours, consumed, pico);
            return difference is null ? null : throw new XunitException($"both accept {FuzzCase.Literal(input)} but {difference}");
        }

        if ((status == OperationStatus.NeedMoreData && pico.Length == -2) || (status == OperationStatus.InvalidData && pico.Length == -1))
        {
            return null;
        }

        return Classify(input, status, ours.Error, pico.Length);
    }

    private static string? DifferentValues(byte[] input, FuzzRequest ours, int consumed, Pico.Result pico)
    {
        string Bytes(int start, int length) => start < 0 ? "(null)" : FuzzCase.Literal(input.AsSpan(start, length));

        if (consumed != pico.Length)
        {
            return $"the head length differs: {consumed} against pico's {pico.Length}";
        }

        if (FuzzCase.Literal(ours.RawMethod) != Bytes(pico.Method.Start, pico.Method.Length))
        {
            return $"the method differs: {FuzzCase.Literal(ours.RawMethod)} against {Bytes(pico.Method.Start, pico.Method.Length)}";
        }

        if (FuzzCase.Literal(ours.Target) != Bytes(pico.Path.Start, pico.Path.Length))
        {
            return $"the target differs: {FuzzCase.Literal(ours.Target)} against {Bytes(pico.Path.Start, pico.Path.Length)}";
        }

        ProtocolVersion picoVersion = pico.MinorVersion switch { 0 => ProtocolVersion.Http10, 1 => ProtocolVersion.Http11, _ => ProtocolVersion.None };
        if (ours.Version != picoVersion)
        {
            return $"the version differs: {ours.Version} against HTTP/1.{pico.MinorVersion}";
        }

        var mine = new List<string>();
        foreach (HeaderField field in ours.Headers)
        {
            mine.Add(FuzzCase.Literal(field.Name) + ": " + FuzzCase.Literal(field.Value));
        }

        // This pico keeps the white space that ends a line in the value; RFC 9110 §5.5 leaves it out of the field value,
        // as HttpGen does. Compared without it.
        string[] theirs = pico.Headers.Select(h => Bytes(h.NameStart, h.NameLength) + ": " + Bytes(h.ValueStart, TrimEnd(input, h.ValueStart, h.ValueLength))).ToArray();
        if (!mine.SequenceEqual(theirs))
        {
            return $"the headers differ:\n    HttpGen: {string.Join(" | ", mine)}\n    pico:    {string.Join(" | ", theirs)}";
        }

        return null;
    }

    private static int TrimEnd(byte[] input, int start, int length)
    {
        while (length > 0 && input[start + length - 1] is (byte)' ' or (byte)'\t')
        {
            length--;
        }

        return length;
    }

    /// <summary>
    /// Names a disagreement: HttpGen's error kind when HttpGen rejects; when pico rejects, the byte pico stops at (the
    /// last of the shortest prefix it rejects) and the part of the head that holds it.
    /// </summary>
    internal static string Classify(byte[] input, OperationStatus status, ParseError error, int picoLength)
    {
        if (status == OperationStatus.InvalidData)
        {
            return Rejects(error.Kind);
        }

        string ours = status == OperationStatus.Done ? "HttpGen accepts" : "HttpGen waits";
        if (picoLength != -1)
        {
            return $"{ours}, pico {(picoLength == -2 ? "waits" : "accepts")}";
        }

        int stop = 1;
        while (stop < input.Length && Pico.ParseRequest(input[..stop]).Length != -1)
        {
            stop++;
        }

        string part = Part(input, stop - 1);
        return part switch
        {
            "blank lines before the request line" => PicoRejectsBeforeRequestLine,
            "version" when status == OperationStatus.NeedMoreData => PicoRejectsVersionEarly,
            _ => $"pico rejects {ByteClass(input, stop - 1)} in the {part}, {ours}",
        };
    }

    // The part of a request head that holds the byte at offset: by position only, as a reader would see it.
    private static string Part(byte[] input, int offset)
    {
        if (offset >= input.Length)
        {
            return "end";
        }

        int start = 0;
        while (start < input.Length && input[start] is (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (offset < start)
        {
            return "blank lines before the request line";
        }

        int lineStart = offset == 0 ? 0 : Array.LastIndexOf(input, (byte)'\n', offset - 1) + 1;
        int firstLineEnd = Array.IndexOf(input, (byte)'\n', start);
        if (firstLineEnd < 0 || offset <= firstLineEnd)
        {
            int firstSpace = Array.IndexOf(input, (byte)' ', start);
            int secondSpace = firstSpace < 0 ? -1 : Array.IndexOf(input, (byte)' ', firstSpace + 1);
            return firstSpace < 0 || offset < firstSpace ? "method" : secondSpace < 0 || offset < secondSpace ? "target" : "version";
        }

        if (offset == lineStart)
        {
            return "line start";
        }

        int colon = Array.IndexOf(input, (byte)':', lineStart);
        return colon < 0 || offset < colon ? "name" : offset == colon ? "colon" : "value";
    }

    private static string ByteClass(byte[] input, int offset)
    {
        if (offset >= input.Length)
        {
            return "(end)";
        }

        byte b = input[offset];
        return b switch
        {
            (byte)'\r' => "CR",
            (byte)'\n' => "LF",
            0 => "NUL",
            (byte)' ' => "SP",
            (byte)'\t' => "HTAB",
            0x7F => "DEL",
            < 0x20 => "CTL",
            >= 0x80 => "obs-text",
            _ => $"'{(char)b}'",
        };
    }
}
