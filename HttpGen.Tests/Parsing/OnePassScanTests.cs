using System.Buffers;
using System.Reflection;
using System.Text;
using HttpGen.Parsing;
using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// The usual request line and header line are read in one inline pass (vector scans over sixteen or thirty-two bytes at
/// a time); anything unusual goes to the byte-exact path. A line fed byte by byte always takes the byte-exact path (no
/// call sees a whole line it has not begun), so the two must agree: every byte value is put at every position of a
/// method, target, field name, field value and Host value, across the lanes of a vector and past its end, and the
/// one-shot parse must end exactly as the byte-by-byte one does.
/// </summary>
public class OnePassScanTests
{
    public static TheoryData<string> Templates() => new()
    {
        // {0} is where the swept byte goes; the text around it puts that byte in every lane and past a vector's end.
        "G{0}ET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /plain{0}text/and/a/longer/path/than/a/vector HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /p?q=1{0}&r=two&s=three&t=four HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /abc%4{0}f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /aaaaaaaaaaaa{0}?x=1&y=[2] HTTP/1.1\r\nHost: a\r\n\r\n", // the '?' moves across the end of the first 32 bytes
        "GET http://exa{0}mple.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Some-Longer{0}-Header-Name: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html,{0}application/xhtml+xml,application/xml;q=0.9\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: {0}\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: www.exa{0}mple-shop.com:8080\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-aliv{0}\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1{0}2\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_byte_at_every_lane_parses_as_the_byte_exact_path_does(string template)
    {
        int mark = template.IndexOf("{0}", StringComparison.Ordinal);
        string before = template[..mark], after = template[(mark + 3)..];
        int done = 0;
        for (int pad = 0; pad < 20; pad++)
        {
            // Padding shifts the swept byte across the lanes: more of the same byte that stood before the mark.
            string prefix = before + new string(before[^1], pad);
            for (int b = 0; b < 256; b++)
            {
                byte[] input = [.. Encoding.Latin1.GetBytes(prefix), (byte)b, .. Encoding.Latin1.GetBytes(after)];
                Outcome oneShot = Feed.OneShot(new ConformanceRequest(), input);
                Outcome byteByByte = Feed.Prefixes(new ConformanceRequest(), input, Enumerable.Range(0, input.Length));
                Assert.True(oneShot == byteByByte, $"byte 0x{b:X2} after {pad} padding bytes:\n{oneShot}\n!=\n{byteByByte}");
                done += oneShot.Status == OperationStatus.Done ? 1 : 0;
            }
        }

        // The sweep must reach both paths: some bytes are accepted, most are not.
        Assert.InRange(done, 20, 20 * 255);
    }

    [Fact]
    public void A_head_shorter_than_a_vector_and_one_that_ends_mid_vector_parse_alike()
    {
        // Buffers of every length around the vector width, the head ending at the buffer's end.
        foreach (string head in new[] { "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\r\n\r\n" })
        {
            byte[] input = Encoding.Latin1.GetBytes(head);
            for (int trailing = 0; trailing < 40; trailing++)
            {
                byte[] padded = [.. input, .. new byte[trailing]];
                Outcome oneShot = Feed.OneShot(new ConformanceRequest(), padded);
                Assert.Equal(OperationStatus.Done, oneShot.Status);
                Assert.Equal(input.Length, oneShot.Consumed);
                Assert.Equal(oneShot, Feed.Prefixes(new ConformanceRequest(), padded, Enumerable.Range(0, padded.Length)));
            }
        }
    }
}

/// <summary>
/// Reset clears the parser state field by field (cheaper than zeroing the struct, which holds references): after it,
/// every field must be back at its default but the owned copy array, or a value of the last message would leak into
/// the next. Found by reflection, so that a field added later and forgotten in Reset fails here.
/// </summary>
public class ParserResetTests
{
    private struct NoHeaders : IHeaderSink
    {
        public readonly int MatchName(ReadOnlySpan<byte> name) => -1;

        public readonly ParseErrorKind OnHeader(int id, HeaderRange range, ReadOnlySpan<byte> value) => ParseErrorKind.None;
    }

    [Fact]
    public void Request_parser_reset_leaves_every_field_at_its_default()
    {
        byte[] head = Encoding.Latin1.GetBytes("GET http://a.example/x?y HTTP/1.0\r\nHost: a.example\r\nConnection: keep-alive\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        var sink = new NoHeaders();

        // Mid-line state (a call that ran out of data), then a finished multi-segment parse with values set.
        var parser = new RequestHeadParser();
        Assert.Equal(OperationStatus.NeedMoreData, parser.Parse(head.AsMemory(0, 20), ref sink, ParserOptions.Default, out _));
        Assert.Equal(OperationStatus.NeedMoreData, parser.Parse(head.AsMemory(0, 40), ref sink, ParserOptions.Default, out _));
        AssertDefaultButCopy(parser);

        parser.Reset();
        Assert.Equal(OperationStatus.Done, parser.Parse(Segments(head), ref sink, ParserOptions.Default, out _));
        parser.SetTarget("/set"u8.ToArray());
        parser.SetMethod(RequestMethod.Post);
        parser.KeepAlive = false;
        parser.Framing = new BodyFraming(BodyKind.Chunked, 0);
        AssertDefaultButCopy(parser);

        parser.Reset();
        Assert.Equal(OperationStatus.InvalidData, parser.Parse("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), ref sink, ParserOptions.Default, out _));
        AssertDefaultButCopy(parser);
    }

    [Fact]
    public void Response_parser_reset_leaves_every_field_at_its_default()
    {
        byte[] head = Encoding.Latin1.GetBytes("HTTP/1.0 404 Not here\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n");
        var sink = new NoHeaders();
        var parser = new ResponseHeadParser { RequestMethod = RequestMethod.Head, AnnounceKeepAlive = true };
        Assert.Equal(OperationStatus.NeedMoreData, parser.Parse(head.AsMemory(0, 20), ref sink, ParserOptions.Default, out _));
        AssertDefaultButCopy(parser);

        parser.Reset();
        Assert.Equal(OperationStatus.Done, parser.Parse(Segments(head), ref sink, ParserOptions.Default, out _));
        parser.SetReasonPhrase("Gone"u8.ToArray());
        AssertDefaultButCopy(parser);

        parser.Reset();
        Assert.Equal(OperationStatus.InvalidData, parser.Parse("HTTP/1.1 20x OK\r\n\r\n"u8.ToArray(), ref sink, ParserOptions.Default, out _));
        AssertDefaultButCopy(parser);
    }

    private static ReadOnlySequence<byte> Segments(byte[] head) => TestSegment.Build(head, [7, head.Length]);

    // Resets a copy of `parser` and checks the copy; `parser` itself must have changed fields, or the check proves nothing.
    private static void AssertDefaultButCopy<T>(T parser)
        where T : struct
    {
        Assert.NotEqual(0, CountChanged(parser, out _));
        object boxed = parser;
        typeof(T).GetMethod("Reset")!.Invoke(boxed, null);
        int changed = CountChanged(boxed, out string names);
        Assert.True(changed == 0, $"{typeof(T).Name}.Reset left {names}");
    }

    // Fields not at their default, recursively through structs; the owned copy array is kept on purpose.
    private static int CountChanged(object value, out string names)
    {
        var list = new List<string>();
        Walk(value, value.GetType().Name, list);
        names = string.Join(", ", list);
        return list.Count;
    }

    private static void Walk(object value, string path, List<string> changed)
    {
        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            object? fieldValue = field.GetValue(value);
            string name = path + "." + field.Name;
            if (field.Name == "_copy")
            {
                continue;
            }

            Type type = field.FieldType;
            if (type.IsValueType && !type.IsPrimitive && !type.IsEnum && type.Namespace == typeof(RequestHeadParser).Namespace)
            {
                Walk(fieldValue!, name, changed);
            }
            else if (!Equals(fieldValue, type.IsValueType ? Activator.CreateInstance(type) : null))
            {
                changed.Add(name);
            }
        }
    }
}
