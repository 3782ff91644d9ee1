using System.Buffers;
using HttpGen.Tests.Parsing;

namespace HttpGen.Tests.Fuzz;

/// <summary>A head parser under test (request or response type), with what a parse produced as a comparable value.</summary>
public interface IHeadSubject<TMessage, TOutcome>
{
    TMessage Create();

    OperationStatus Parse(TMessage message, ReadOnlyMemory<byte> source, out int consumed);

    OperationStatus Parse(TMessage message, in ReadOnlySequence<byte> source, out int consumed);

    void Reset(TMessage message);

    TOutcome Capture(TMessage message, OperationStatus status, int consumed);
}

/// <summary>A request type through <see cref="ITestRequest"/>.</summary>
public sealed class RequestSubject(string description, Func<ITestRequest> create) : IHeadSubject<ITestRequest, Outcome>
{
    public ITestRequest Create() => create();

    public OperationStatus Parse(ITestRequest message, ReadOnlyMemory<byte> source, out int consumed) => message.TryParse(source, out consumed);

    public OperationStatus Parse(ITestRequest message, in ReadOnlySequence<byte> source, out int consumed) => message.TryParse(source, out consumed);

    public void Reset(ITestRequest message) => message.Reset();

    public Outcome Capture(ITestRequest message, OperationStatus status, int consumed) => Outcome.Capture(message, status, consumed);

    public override string ToString() => description;
}

/// <summary>The response type, answering a request with the given method (HEAD and CONNECT change the framing).</summary>
public sealed class ResponseSubject(RequestMethod requestMethod) : IHeadSubject<FuzzResponse, ResponseOutcome>
{
    public FuzzResponse Create() => new() { RequestMethod = requestMethod };

    public OperationStatus Parse(FuzzResponse message, ReadOnlyMemory<byte> source, out int consumed) => message.TryParse(source, out consumed);

    public OperationStatus Parse(FuzzResponse message, in ReadOnlySequence<byte> source, out int consumed) => message.TryParse(source, out consumed);

    public void Reset(FuzzResponse message)
    {
        message.Reset();
        message.RequestMethod = requestMethod;
    }

    public ResponseOutcome Capture(FuzzResponse message, OperationStatus status, int consumed) => ResponseOutcome.Capture(message, status, consumed);

    public override string ToString() => "response to " + requestMethod;
}

/// <summary>
/// The ways of giving one input to a head parser. Each returns the outcome after the last call: the first call that
/// does not need more data, or the call with the whole input. A call that needs more data must consume nothing.
/// </summary>
public static class Feeding
{
    /// <summary>What a buffer that moved away is overwritten with: a control byte no parsed value can hold.</summary>
    public const byte Garbage = 0x01;

    /// <summary>The whole input in one contiguous call.</summary>
    public static TOutcome OneShot<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, byte[] input) => OneShot(s, s.Create(), input);

    public static TOutcome OneShot<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, TM message, byte[] input)
    {
        OperationStatus status = s.Parse(message, input, out int consumed);
        return s.Capture(message, status, consumed);
    }

    /// <summary>Growing prefixes of one buffer, at each cut and finally the whole input.</summary>
    public static TOutcome Prefixes<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, TM message, byte[] input, IEnumerable<int> cuts) =>
        Calls(s, message, input, cuts, cut => input.AsMemory(0, cut));

    /// <summary>
    /// Growing prefixes, but the bytes move before every call, as a server's receive buffer does when it compacts or
    /// grows: either to a new array (the old one then overwritten with <see cref="Garbage"/>), or to another offset
    /// of the same array (the rest of it overwritten). Values kept from an earlier call then read garbage.
    /// </summary>
    public static TOutcome Moved<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, byte[] input, IEnumerable<int> cuts, Random random)
    {
        const int slack = 16;
        byte[]? home = null;
        int offset = 0;
        return Calls(s, s.Create(), input, cuts, cut =>
        {
            if (home is null || random.Next(2) == 0)
            {
                byte[]? old = home;
                home = new byte[input.Length + slack];
                offset = random.Next(slack + 1);
                old?.AsSpan().Fill(Garbage);
            }
            else
            {
                offset = (offset + 1 + random.Next(slack)) % (slack + 1); // compacted: another offset, same array
            }

            home.AsSpan().Fill(Garbage);
            input.AsSpan(0, cut).CopyTo(home.AsSpan(offset));
            return home.AsMemory(offset, cut);
        });
    }

    /// <summary>The whole input as one sequence with a segment (a separate array) ending at each of <paramref name="ends"/>.</summary>
    public static TOutcome Segmented<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, byte[] input, IEnumerable<int> ends)
    {
        TM message = s.Create();
        OperationStatus status = s.Parse(message, TestSegment.Build(input, ends), out int consumed);
        return s.Capture(message, status, consumed);
    }

    /// <summary>Growing prefixes of one multi-segment sequence.</summary>
    public static TOutcome SegmentedPrefixes<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, byte[] input, IEnumerable<int> ends, IEnumerable<int> cuts)
    {
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, ends);
        TM message = s.Create();
        foreach (int cut in cuts.Append(input.Length))
        {
            OperationStatus status = s.Parse(message, sequence.Slice(0, cut), out int consumed);
            if (status != OperationStatus.NeedMoreData)
            {
                return s.Capture(message, status, consumed);
            }

            NothingConsumed(consumed);
        }

        return s.Capture(message, OperationStatus.NeedMoreData, 0);
    }

    /// <summary>
    /// The first <paramref name="length"/> bytes, once in an array of exactly that size and once followed by bytes that
    /// would complete a head: a parser that reads past what it was given sees a difference.
    /// </summary>
    public static (TOutcome Exact, TOutcome Poisoned) PrefixAndPoisonedTail<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, byte[] input, int length)
    {
        byte[] exact = input[..length];
        byte[] poisoned = [.. exact, .. "\r\n\r\nHost: x\r\nContent-Length: 1\r\n\r\n"u8, .. input.AsSpan(length)];
        TM first = s.Create(), second = s.Create();
        OperationStatus exactStatus = s.Parse(first, exact, out int exactConsumed);
        OperationStatus poisonedStatus = s.Parse(second, poisoned.AsMemory(0, length), out int poisonedConsumed);
        return (s.Capture(first, exactStatus, exactConsumed), s.Capture(second, poisonedStatus, poisonedConsumed));
    }

    /// <summary>Random cut points strictly inside the input, sorted.</summary>
    public static int[] RandomCuts(Random random, int length, int maxCuts) =>
        length < 2 ? [] : Enumerable.Range(0, random.Next(1, maxCuts + 1)).Select(_ => random.Next(1, length)).Distinct().Order().ToArray();

    private static TOutcome Calls<TM, TOutcome>(IHeadSubject<TM, TOutcome> s, TM message, byte[] input, IEnumerable<int> cuts, Func<int, ReadOnlyMemory<byte>> source)
    {
        foreach (int cut in cuts.Where(c => c < input.Length).Append(input.Length))
        {
            OperationStatus status = s.Parse(message, source(cut), out int consumed);
            if (status != OperationStatus.NeedMoreData)
            {
                return s.Capture(message, status, consumed);
            }

            NothingConsumed(consumed);
        }

        return s.Capture(message, OperationStatus.NeedMoreData, 0);
    }

    private static void NothingConsumed(int consumed)
    {
        if (consumed != 0)
        {
            throw new Xunit.Sdk.XunitException($"NeedMoreData must report 0 bytes consumed, got {consumed}.");
        }
    }
}
