using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>
/// Every case of <see cref="RequestCases"/> fed in pieces must end exactly as the one-shot parse does: same status,
/// bytes consumed, error kind and offset, and parsed values.
/// </summary>
public class SplitEquivalenceTests
{
    // Byte-per-segment sequences cost O(n²) to slice; beyond this size the segments are larger.
    private const int SmallInput = 4096;

    public static TheoryData<string> Cases() => RequestCases.Names();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Byte_by_byte_matches_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);
        Outcome actual = Feed.Prefixes(c.Parser.Create(), c.Input, Enumerable.Range(0, c.Input.Length));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_splits_match_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);
        for (int seed = 0; seed < 16; seed++)
        {
            int[] cuts = RandomCuts(c, seed, maxCuts: 12);
            Outcome actual = Feed.Prefixes(c.Parser.Create(), c.Input, cuts);
            Assert.True(expected == actual, $"seed {seed}, cuts [{string.Join(", ", cuts)}]:\n{expected}\n!=\n{actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Multi_segment_sequence_matches_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);

        // One call with the whole input in segments of one byte (or of random sizes for large inputs).
        int[] everyByte = c.Input.Length <= SmallInput ? Enumerable.Range(1, c.Input.Length).ToArray() : RandomSegmentEnds(c, 99, 512);
        Assert.Equal(expected, Feed.Segmented(c.Parser.Create(), c.Input, everyByte));

        for (int seed = 0; seed < 4; seed++)
        {
            int[] ends = RandomSegmentEnds(c, seed, maxSegment: Math.Max(2, c.Input.Length / 3));
            Outcome actual = Feed.Segmented(c.Parser.Create(), c.Input, ends);
            Assert.True(expected == actual, $"seed {seed}, segments end at [{string.Join(", ", ends)}]:\n{expected}\n!=\n{actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Growing_multi_segment_sequence_matches_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);

        if (c.Input.Length <= SmallInput)
        {
            // Byte-per-segment, one more byte per call: the owned copy grows by one byte each time.
            int[] everyByte = Enumerable.Range(1, c.Input.Length).ToArray();
            Assert.Equal(expected, Feed.SegmentedPrefixes(c.Parser.Create(), c.Input, everyByte, Enumerable.Range(0, c.Input.Length)));
        }

        for (int seed = 0; seed < 4; seed++)
        {
            // The first calls may see a single segment (parsed in place), later ones several (copied).
            int[] ends = RandomSegmentEnds(c, seed, maxSegment: Math.Max(2, c.Input.Length / 4));
            int[] cuts = RandomCuts(c, seed + 100, maxCuts: 16);
            Outcome actual = Feed.SegmentedPrefixes(c.Parser.Create(), c.Input, ends, cuts);
            Assert.True(expected == actual, $"seed {seed}, segments [{string.Join(", ", ends)}], cuts [{string.Join(", ", cuts)}]:\n{expected}\n!=\n{actual}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mixed_contiguous_and_sequence_calls_match_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);
        ITestRequest request = c.Parser.Create();
        System.Buffers.ReadOnlySequence<byte> sequence = TestSegment.Build(c.Input, RandomSegmentEnds(c, 7, maxSegment: 64));
        int[] cuts = RandomCuts(c, 7, maxCuts: 10).Append(c.Input.Length).ToArray();

        Outcome? actual = null;
        for (int i = 0; i < cuts.Length && actual is null; i++)
        {
            // Alternate the two overloads over the same growing prefix.
            System.Buffers.OperationStatus status = i % 2 == 0
                ? request.TryParse(sequence.Slice(0, cuts[i]), out int consumed)
                : request.TryParse(c.Input.AsMemory(0, cuts[i]), out consumed);
            if (status != System.Buffers.OperationStatus.NeedMoreData || i == cuts.Length - 1)
            {
                actual = Outcome.Capture(request, status, consumed);
            }
        }

        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// The same bytes in another place on every call, as a server's receive buffer is compacted or grown between calls:
    /// copied into a new array, moved within one array, or given as fresh segments, the old memory overwritten each time.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Moved_buffer_matches_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        Outcome expected = OneShot(c);
        foreach (Move move in Enum.GetValues<Move>())
        {
            for (int seed = 0; seed < 8; seed++)
            {
                int[] cuts = RandomCuts(c, seed + 200, maxCuts: 12);
                ITestRequest request = c.Parser.Create();
                (System.Buffers.OperationStatus status, int consumed) = Feed.Moved(request.TryParse, request.TryParse, c.Input, cuts, move);
                Outcome actual = Outcome.Capture(request, status, consumed);
                Assert.True(expected == actual, $"{move}, seed {seed}, cuts [{string.Join(", ", cuts)}]:\n{expected}\n!=\n{actual}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reset_then_parse_again_matches_one_shot(string name)
    {
        RequestCase c = RequestCases.Get(name);
        ITestRequest request = c.Parser.Create();
        Outcome first = Feed.OneShot(request, c.Input);
        request.Reset();

        // The second parse reuses the instance, after a multi-segment parse filled its owned buffer.
        request.TryParse(TestSegment.Build(c.Input, [c.Input.Length / 2]), out _);
        request.Reset();
        Outcome again = Feed.OneShot(request, c.Input);
        Assert.Equal(first, again);
    }

    public static TheoryData<int> MutationSeeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 0; seed < 16; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    /// <summary>
    /// Inputs the table does not list: every small case mutated at random (bytes replaced, inserted or deleted, with a
    /// bias towards the bytes the grammar cares about). Whatever the parser makes of a mutant, it must make the same of
    /// it byte by byte and as a multi-segment sequence.
    /// </summary>
    [Theory]
    [MemberData(nameof(MutationSeeds))]
    public void Mutated_inputs_split_equivalently(int seed)
    {
        byte[] interesting = RequestCases.Latin1("\r\n \t:%#/?,;@[]*0aZ\u0000\u007F\u0080\u00FF");
        var random = new Random(seed);
        foreach (RequestCase c in RequestCases.All.Where(c => c.Input.Length is > 0 and <= 512))
        {
            var bytes = new List<byte>(c.Input);
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(bytes.Count);
                byte b = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                switch (random.Next(3))
                {
                    case 0: bytes[at] = b; break;
                    case 1: bytes.Insert(at, b); break;
                    default: if (bytes.Count > 1) { bytes.RemoveAt(at); } break;
                }
            }

            byte[] input = bytes.ToArray();
            Outcome expected = Feed.OneShot(c.Parser.Create(), input);
            Outcome byByte = Feed.Prefixes(c.Parser.Create(), input, Enumerable.Range(0, input.Length));
            Outcome segmented = Feed.SegmentedPrefixes(c.Parser.Create(), input, Enumerable.Range(1, input.Length), Enumerable.Range(0, input.Length));
            string shown = RequestCases.Text(input).Replace("\r", "\\r").Replace("\n", "\\n");
            Assert.True(expected == byByte, $"byte by byte, mutant of '{c.Name}': {shown}\n{expected}\n!=\n{byByte}");
            Assert.True(expected == segmented, $"segmented, mutant of '{c.Name}': {shown}\n{expected}\n!=\n{segmented}");
        }
    }

    private static Outcome OneShot(RequestCase c)
    {
        Outcome outcome = Feed.OneShot(c.Parser.Create(), c.Input);
        Assert.Equal(c.Expected.Status, outcome.Status); // the table itself is checked by RequestConformanceTests
        return outcome;
    }

    // Sorted distinct cut points strictly inside the input; the seed depends on the case so that cases differ.
    private static int[] RandomCuts(RequestCase c, int seed, int maxCuts)
    {
        if (c.Input.Length < 2)
        {
            return [];
        }

        var random = new Random(StableHash(c.Name) * 31 + seed);
        int count = random.Next(1, Math.Min(maxCuts, c.Input.Length - 1) + 1);
        return Enumerable.Range(0, count).Select(_ => random.Next(1, c.Input.Length)).Distinct().Order().ToArray();
    }

    private static int[] RandomSegmentEnds(RequestCase c, int seed, int maxSegment)
    {
        var random = new Random(StableHash(c.Name) * 17 + seed);
        var ends = new List<int>();
        for (int end = random.Next(1, maxSegment + 1); end < c.Input.Length; end += random.Next(1, maxSegment + 1))
        {
            ends.Add(end);
        }

        return ends.ToArray();
    }

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char ch in text)
        {
            hash = unchecked(hash * 31 + ch);
        }

        return hash & 0x7FFFFFF;
    }
}
