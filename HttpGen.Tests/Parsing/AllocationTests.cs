using System.Buffers;
using Xunit;

namespace HttpGen.Tests.Parsing;

/// <summary>A request type shaped like the benchmark inputs: the headers a browser sends, of several property kinds.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class BrowserRequest
{
    [HttpHeader("Host")] public partial HeaderValue Host { get; }
    [HttpHeader("Accept")] public partial HeaderValue Accept { get; }
    [HttpHeader("Connection")] public partial ReadOnlySpan<byte> Connection { get; }
    [HttpHeader("User-Agent")] public partial ReadOnlySpan<byte> UserAgent { get; }
    [HttpHeader("Cookie")] public partial HeaderValue Cookie { get; }
    [HttpHeader("Upgrade-Insecure-Requests")] public partial int? UpgradeInsecureRequests { get; }
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; }
    [HttpHeader("DNT")] public partial bool DoNotTrack { get; }
}

/// <summary>
/// Steady-state parsing allocates nothing: the benchmark inputs parsed 10,000 times each, with Reset() between, from a
/// contiguous buffer and from a multi-segment sequence (whose owned copy buffer is reused after the warm-up).
/// </summary>
public class AllocationTests
{
    private const int Iterations = 10_000;
    private const int WarmUp = 500;

    public static TheoryData<string> Inputs() => new() { "small.http", "browser.http" };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Contiguous_parses_allocate_nothing(string file)
    {
        byte[] input = Load(file);
        var request = new BrowserRequest();
        var memory = new ReadOnlyMemory<byte>(input);

        long allocated = MeasureBest(() => Contiguous(request, memory, WarmUp), () => Contiguous(request, memory, Iterations), out int failures);

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Multi_segment_parses_allocate_nothing(string file)
    {
        byte[] input = Load(file);
        var request = new BrowserRequest();

        // Four separately allocated segments, so every parse goes through the owned copy.
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, [1, input.Length / 3, input.Length / 2]);
        Assert.False(sequence.IsSingleSegment);

        long allocated = MeasureBest(() => Segmented(request, sequence, WarmUp), () => Segmented(request, sequence, Iterations), out int failures);

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Incremental_parses_allocate_nothing(string file)
    {
        byte[] input = Load(file);
        var request = new OrderRequest();
        var memory = new ReadOnlyMemory<byte>(input);
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, [input.Length / 4, input.Length / 2]);

        long allocated = MeasureBest(() => Incremental(request, memory, sequence, WarmUp), () => Incremental(request, memory, sequence, Iterations), out int failures);

        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_body_behind_a_multi_segment_head_is_not_copied()
    {
        byte[] head = Load("browser.http");
        byte[] input = [.. head, .. new byte[100_000]];
        ReadOnlySequence<byte> sequence = TestSegment.Build(input, [10, head.Length / 2, head.Length + 5, 50_000]);

        // Warm up on another instance (type initializers, first-call stubs), then measure a fresh one: its first parse
        // allocates the owned copy buffer, which must be sized for the head, not for the 40 KiB the limits allow.
        Assert.Equal(OperationStatus.Done, new BrowserRequest().TryParse(sequence, out _));
        var request = new BrowserRequest();
        long before = GC.GetAllocatedBytesForCurrentThread();
        OperationStatus status = request.TryParse(sequence, out int consumed);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(head.Length, consumed);
        Assert.Equal("www.example-shop.com", request.Host.ToString());
        Assert.InRange(allocated, 1, 8 * 1024);
    }

    [Fact]
    public void The_measurement_sees_an_allocation()
    {
        // Guards against a measurement that always reads 0: one string per parse must show up.
        byte[] input = Load("small.http");
        var request = new OrderRequest();
        var memory = new ReadOnlyMemory<byte>(input);
        long allocated = MeasureBest(() => 0, () =>
        {
            int failures = 0;
            for (int i = 0; i < 100; i++)
            {
                request.Reset();
                failures += request.TryParse(memory, out _) == OperationStatus.Done && request.Error.Kind == ParseErrorKind.None ? 0 : 1;
                failures += System.Text.Encoding.Latin1.GetString(request.Host).Length > 0 ? 0 : 1;
            }

            return failures;
        }, out int failures);

        Assert.Equal(0, failures);
        Assert.True(allocated >= 100 * 20, $"{allocated} bytes");
    }

    private static int Contiguous(BrowserRequest request, ReadOnlyMemory<byte> input, int count)
    {
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            request.Reset();
            OperationStatus status = request.TryParse(input, out int consumed);
            failures += status == OperationStatus.Done && consumed == input.Length ? 0 : 1;
            failures += Touch(request);
        }

        return failures;
    }

    private static int Segmented(BrowserRequest request, in ReadOnlySequence<byte> input, int count)
    {
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            request.Reset();
            OperationStatus status = request.TryParse(input, out int consumed);
            failures += status == OperationStatus.Done && consumed == input.Length ? 0 : 1;
            failures += Touch(request);
        }

        return failures;
    }

    // Half the head first (NeedMoreData), then all of it; alternately from memory and from a sequence.
    private static int Incremental(OrderRequest request, ReadOnlyMemory<byte> memory, in ReadOnlySequence<byte> sequence, int count)
    {
        int failures = 0;
        int half = memory.Length / 2;
        for (int i = 0; i < count; i++)
        {
            request.Reset();
            OperationStatus first = i % 2 == 0 ? request.TryParse(memory[..half], out _) : request.TryParse(sequence.Slice(0, half), out _);
            OperationStatus second = i % 2 == 0 ? request.TryParse(memory, out int consumed) : request.TryParse(sequence, out consumed);
            failures += first == OperationStatus.NeedMoreData && second == OperationStatus.Done && consumed == memory.Length ? 0 : 1;
            failures += request.Host.IsEmpty || request.RequestId.IsPresent ? 1 : 0;
        }

        return failures;
    }

    // Reads the parsed values the way a server would, without allocating.
    private static int Touch(BrowserRequest request)
    {
        int length = request.Host.Length + request.Accept.Length + request.Connection.Length + request.UserAgent.Length
            + request.Path.Length + request.Query.Length + request.Target.Length + request.RawMethod.Length;
        foreach (HeaderField field in request.Headers)
        {
            length += field.Name.Length + field.Value.Length;
        }

        bool ok = request.Method == RequestMethod.Get && request.Version == ProtocolVersion.Http11 && request.KeepAlive
            && request.BodyFraming.Kind == BodyKind.None && request.Host.IsPresent && length > 0 && !request.DoNotTrack
            && request.ContentLength is null && request.Cookie.Length == (request.Cookie.IsPresent ? request.Cookie.Span.Length : 0);
        return ok ? 0 : 1;
    }

    // Warms up, then measures the run three times and keeps the smallest figure: a steady-state allocation shows up in
    // every run, while a one-off (a type initializer, a tiering stub) does not repeat.
    private static long MeasureBest(Func<int> warmUp, Func<int> run, out int failures)
    {
        failures = warmUp();
        long best = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            failures += run();
            long after = GC.GetAllocatedBytesForCurrentThread();
            best = Math.Min(best, after - before);
        }

        return best;
    }

    private static byte[] Load(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Inputs", file));
}
