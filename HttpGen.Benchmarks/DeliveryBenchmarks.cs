using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace HttpGen.Benchmarks;

/// <summary>
/// A head of 1 KiB or 16 KiB, nearly all of it one Cookie header, parsed in one call or delivered a byte at a time (one
/// TryParse per byte, each call given the whole prefix, as a server calls it while bytes trickle in). Every benchmark
/// declares the head's length as <c>OperationsPerInvoke</c>, so <b>Mean is nanoseconds per byte</b>, and the ratio is
/// against one-shot parsing of the same head.
/// </summary>
/// <remarks>
/// An unfinished line is resumed where the last call stopped, so a byte-at-a-time call costs a fixed amount whatever
/// the line's length: its nanoseconds per byte are the same for 1 KiB and 16 KiB. A parser that rescanned the line from
/// its start on every call would cost time proportional to the line per call, and its figure would grow with the head
/// (16 times, from 1 KiB to 16 KiB).
/// </remarks>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class DeliveryBenchmarks
{
    private const int Small = 1024;
    private const int Large = 16 * 1024;

    private byte[] _small = [];
    private byte[] _large = [];
    private BenchmarkRequest _request = null!;

    [GlobalSetup]
    public void Setup()
    {
        _small = HeadOf(Small);
        _large = HeadOf(Large);
        _request = new BenchmarkRequest();

        // Every body must parse its whole head, or its figure means nothing.
        foreach (byte[] head in new[] { _small, _large })
        {
            if (OneShot(head) != head.Length || ByteAtATime(head) != head.Length || _request.Cookie.Length < head.Length - 100)
            {
                throw new InvalidOperationException("The head did not parse to its end.");
            }
        }
    }

    /// <summary>The whole 1 KiB head in one call.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Small)]
    [BenchmarkCategory("1 KiB")]
    public int OneShot1K() => OneShot(_small);

    /// <summary>The 1 KiB head a byte at a time.</summary>
    [Benchmark(OperationsPerInvoke = Small)]
    [BenchmarkCategory("1 KiB")]
    public int ByteAtATime1K() => ByteAtATime(_small);

    /// <summary>The whole 16 KiB head in one call.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Large)]
    [BenchmarkCategory("16 KiB")]
    public int OneShot16K() => OneShot(_large);

    /// <summary>The 16 KiB head a byte at a time.</summary>
    [Benchmark(OperationsPerInvoke = Large)]
    [BenchmarkCategory("16 KiB")]
    public int ByteAtATime16K() => ByteAtATime(_large);

    private int OneShot(byte[] head)
    {
        BenchmarkRequest request = _request;
        request.Reset();
        return request.TryParse(head, out int consumed) == OperationStatus.Done ? consumed : -1;
    }

    private int ByteAtATime(byte[] head)
    {
        BenchmarkRequest request = _request;
        request.Reset();
        ReadOnlyMemory<byte> memory = head;
        for (int length = 1; length <= memory.Length; length++)
        {
            OperationStatus status = request.TryParse(memory[..length], out int consumed);
            if (status != OperationStatus.NeedMoreData)
            {
                return status == OperationStatus.Done ? consumed : -1;
            }
        }

        return -1;
    }

    // A head of exactly `length` bytes: request line, Host, a Cookie that takes the rest, Accept, blank line.
    private static byte[] HeadOf(int length)
    {
        const string Before = "GET /upload HTTP/1.1\r\nHost: example.test\r\nCookie: ";
        const string After = "\r\nAccept: */*\r\n\r\n";
        return Encoding.ASCII.GetBytes(Before + new string('c', length - Before.Length - After.Length) + After);
    }
}
