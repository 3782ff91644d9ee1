using System.Buffers;
using System.Text;

namespace HttpGen.Tests.Parsing;

/// <summary>Which generated type parses a case, and with which options.</summary>
public sealed class ParserSetup
{
    private readonly Func<ITestRequest> _create;

    private ParserSetup(string description, Func<ITestRequest> create)
    {
        Description = description;
        _create = create;
    }

    public string Description { get; }

    public ITestRequest Create() => _create();

    /// <summary>ConformanceRequest with the runtime defaults.</summary>
    public static ParserSetup Default { get; } = new("defaults", () => new ConformanceRequest());

    /// <summary>ConformanceRequest with AllowBareLineFeed switched on at run time.</summary>
    public static ParserSetup BareLf { get; } = new("AllowBareLineFeed option", () => new ConformanceRequest { Options = new ParserOptions { AllowBareLineFeed = true } });

    /// <summary>BareLineFeedRequest: AllowBareLineFeed set on the attribute.</summary>
    public static ParserSetup BareLfAttribute { get; } = new("AllowBareLineFeed attribute", () => new BareLineFeedRequest());

    /// <summary>TinyLimitsRequest: request line 32, header block 48, 3 header lines, all set on the attribute.</summary>
    public static ParserSetup Tiny { get; } = new("attribute limits 32/48/3", () => new TinyLimitsRequest());

    /// <summary>ConformanceRequest with options set at run time.</summary>
    public static ParserSetup With(string description, ParserOptions options) =>
        new(description, () => new ConformanceRequest { Options = options });
}

/// <summary>What a case must produce. For errors only the status and the error are specified.</summary>
public sealed record Expectation
{
    public OperationStatus Status { get; init; }
    public ParseErrorKind ErrorKind { get; init; }
    public int ErrorOffset { get; init; }
    public int Consumed { get; init; }
    public RequestMethod Method { get; init; }
    public string RawMethod { get; init; } = "";
    public string Target { get; init; } = "";
    public RequestTargetForm Form { get; init; }
    public string Path { get; init; } = "";
    public string Query { get; init; } = "";
    public ProtocolVersion Version { get; init; }
    public BodyFraming Framing { get; init; }
    public bool KeepAlive { get; init; }

    /// <summary>Every header line in order, as "Name: value" (value trimmed).</summary>
    public string[] Headers { get; init; } = [];

    /// <summary>The declared properties as rendered by <see cref="ITestRequest.DescribeDeclared"/>; null to skip.</summary>
    public string? Declared { get; init; }
}

/// <summary>One row of the conformance table.</summary>
public sealed class RequestCase
{
    public RequestCase(string name, byte[] input, ParserSetup parser, Expectation expected)
    {
        Name = name;
        Input = input;
        Parser = parser;
        Expected = expected;
    }

    public string Name { get; }
    public byte[] Input { get; }
    public ParserSetup Parser { get; }
    public Expectation Expected { get; }

    public override string ToString() => Name;
}

/// <summary>Everything observable after a parse, as plain values, so that two parses can be compared with Equals.</summary>
public sealed record Outcome(
    OperationStatus Status,
    int Consumed,
    ParseErrorKind ErrorKind,
    int ErrorOffset,
    int StatusCode,
    RequestMethod Method,
    string RawMethod,
    string Target,
    RequestTargetForm Form,
    string Path,
    string Query,
    ProtocolVersion Version,
    BodyFraming Framing,
    bool KeepAlive,
    string Headers,
    string Declared)
{
    public static Outcome Capture(ITestRequest r, OperationStatus status, int consumed)
    {
        var headers = new StringBuilder();
        foreach (HeaderField field in r.Headers)
        {
            headers.Append(Latin1(field.Name)).Append(": ").Append(Latin1(field.Value)).Append('\n');
        }

        ParseError error = r.Error;
        return new Outcome(
            status, consumed, error.Kind, error.Offset, error.StatusCode,
            r.Method, Latin1(r.RawMethod), Latin1(r.Target), r.TargetForm, Latin1(r.Path), Latin1(r.Query),
            r.Version, r.BodyFraming, r.KeepAlive, headers.ToString(), r.DescribeDeclared());
    }

    public static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}

/// <summary>The ways of feeding one input to a parser. Each returns the outcome after the last call.</summary>
public static class Feed
{
    /// <summary>The whole input in one contiguous call.</summary>
    public static Outcome OneShot(ITestRequest r, byte[] input)
    {
        OperationStatus status = r.TryParse(input, out int consumed);
        return Outcome.Capture(r, status, consumed);
    }

    /// <summary>
    /// Growing prefixes of the same buffer, ending at each cut and finally at the whole input, stopping at the first
    /// call that does not need more data.
    /// </summary>
    public static Outcome Prefixes(ITestRequest r, byte[] input, IEnumerable<int> cuts)
    {
        var memory = new ReadOnlyMemory<byte>(input);
        foreach (int cut in cuts.Append(input.Length))
        {
            OperationStatus status = r.TryParse(memory[..cut], out int consumed);
            if (status != OperationStatus.NeedMoreData)
            {
                return Outcome.Capture(r, status, consumed);
            }

            Assert0(consumed);
        }

        return Outcome.Capture(r, OperationStatus.NeedMoreData, 0);
    }

    /// <summary>The whole input as one multi-segment sequence, split at <paramref name="segmentEnds"/>.</summary>
    public static Outcome Segmented(ITestRequest r, byte[] input, IEnumerable<int> segmentEnds)
    {
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, segmentEnds);
        OperationStatus status = r.TryParse(sequence, out int consumed);
        return Outcome.Capture(r, status, consumed);
    }

    /// <summary>Growing prefixes of one multi-segment sequence, at each cut.</summary>
    public static Outcome SegmentedPrefixes(ITestRequest r, byte[] input, IEnumerable<int> segmentEnds, IEnumerable<int> cuts)
    {
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, segmentEnds);
        foreach (int cut in cuts.Append(input.Length))
        {
            OperationStatus status = r.TryParse(sequence.Slice(0, cut), out int consumed);
            if (status != OperationStatus.NeedMoreData)
            {
                return Outcome.Capture(r, status, consumed);
            }

            Assert0(consumed);
        }

        return Outcome.Capture(r, OperationStatus.NeedMoreData, 0);
    }

    /// <summary>
    /// Growing prefixes, each call given the bytes in a different place (see <see cref="Move"/>), with the memory of the
    /// previous call overwritten before the next one: any value still pointing there would read garbage.
    /// </summary>
    public static (OperationStatus Status, int Consumed) Moved(ParseMemory parse, ParseSequence parseSequence, byte[] input, IEnumerable<int> cuts, Move move)
    {
        int[] ends = cuts.Where(c => c > 0 && c < input.Length).Distinct().Order().Append(input.Length).ToArray();
        byte[] compacted = new byte[input.Length + 8];
        var previous = new List<byte[]>();
        for (int i = 0; i < ends.Length; i++)
        {
            int cut = ends[i];
            foreach (byte[] old in previous)
            {
                Garbage(old);
            }

            previous.Clear();
            OperationStatus status;
            int consumed;
            switch (move)
            {
                case Move.NewArray:
                {
                    int offset = i % 3 * 3;
                    byte[] fresh = new byte[cut + 8];
                    Garbage(fresh);
                    input.AsSpan(0, cut).CopyTo(fresh.AsSpan(offset));
                    previous.Add(fresh);
                    status = parse(fresh.AsMemory(offset, cut), out consumed);
                    break;
                }

                case Move.Compact:
                {
                    // The same array every time, the head moved to another offset (0, 7, 3, 0, ...) and every byte
                    // not holding it overwritten.
                    int offset = (i % 3) switch { 0 => 0, 1 => 7, _ => 3 };
                    Garbage(compacted);
                    input.AsSpan(0, cut).CopyTo(compacted.AsSpan(offset));
                    status = parse(compacted.AsMemory(offset, cut), out consumed);
                    break;
                }

                default:
                {
                    // Fresh segments every call, up to three of them.
                    ReadOnlySequence<byte> sequence = TestSegment.Build(input[..cut], [cut / 3, 2 * cut / 3]);
                    foreach (ReadOnlyMemory<byte> segment in sequence)
                    {
                        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(segment, out ArraySegment<byte> array))
                        {
                            previous.Add(array.Array!);
                        }
                    }

                    status = parseSequence(sequence, out consumed);
                    break;
                }
            }

            if (status != OperationStatus.NeedMoreData)
            {
                return (status, consumed);
            }

            Assert0(consumed);
        }

        return (OperationStatus.NeedMoreData, 0);
    }

    // Bytes that would show up in any stale value: line ends, NUL and a letter.
    private static void Garbage(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)"p\r\n\0"[i % 4];
        }
    }

    private static void Assert0(int consumed)
    {
        if (consumed != 0)
        {
            throw new Xunit.Sdk.XunitException($"NeedMoreData must report 0 bytes consumed, got {consumed}.");
        }
    }
}

/// <summary>How <see cref="Feed.Moved"/> places the bytes of each call.</summary>
public enum Move
{
    /// <summary>A new array per call, the head at a varying offset.</summary>
    NewArray,

    /// <summary>One array, the head moved to another offset before each call.</summary>
    Compact,

    /// <summary>A new multi-segment sequence per call.</summary>
    Segments,
}

/// <summary>The contiguous TryParse overload.</summary>
public delegate OperationStatus ParseMemory(ReadOnlyMemory<byte> source, out int bytesConsumed);

/// <summary>The sequence TryParse overload.</summary>
public delegate OperationStatus ParseSequence(in ReadOnlySequence<byte> source, out int bytesConsumed);

/// <summary>A segment of a test <see cref="ReadOnlySequence{T}"/>; each one owns a separate array.</summary>
public sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    private TestSegment(byte[] bytes, long runningIndex)
    {
        Memory = bytes;
        RunningIndex = runningIndex;
    }

    /// <summary>Splits <paramref name="input"/> at the given (increasing) offsets into separately allocated segments.</summary>
    public static ReadOnlySequence<byte> Build(byte[] input, IEnumerable<int> segmentEnds)
    {
        TestSegment? first = null, last = null;
        int start = 0;
        foreach (int end in segmentEnds.Where(e => e > 0 && e < input.Length).Distinct().Order().Append(input.Length))
        {
            var segment = new TestSegment(input[start..end], start);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
            start = end;
        }

        if (first is null || last is null)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
