using System.Diagnostics;

namespace HttpGen.Benchmarks;

/// <summary>
/// <c>--interleaved</c>: a quick cross-check for a busy machine. Runs the same benchmark bodies as
/// <see cref="RequestParseBenchmarks"/> (same setup and checks) in short samples of 50 invocations (800 requests,
/// tens of microseconds), rotating across the contenders, and prints the 10th percentile and the median per request.
/// A sample that another process preempted is an outlier here, where it would stretch a 100 ms BenchmarkDotNet
/// iteration. No allocation figures and no statistics beyond that: use BenchmarkDotNet for the real measurement.
/// </summary>
internal static class InterleavedCheck
{
    private const int InvocationsPerSample = 50;

    /// <summary>One contender's figure: the 10th percentile and median of its samples, ns per request.</summary>
    public sealed record Result(string Name, string Input, string Layout, double P10, double Median);

    public static List<Result> Run(bool quick)
    {
        var results = new List<Result>();
        int rounds = quick ? 200 : 6000;
        int warmup = rounds / 6;
        Console.WriteLine($"Interleaved check: {rounds - warmup} samples of {InvocationsPerSample * BenchmarkInput.RequestsPerInvoke} requests per contender, ns per request{(quick ? " (quick: code not yet fully optimized by the JIT, a smoke test only)" : "")}");
        Console.WriteLine();
        Console.WriteLine("| Method | Input | Layout | p10 | Median |");
        Console.WriteLine("|---|---|---|---:|---:|");
        foreach (string input in new[] { "small", "browser" })
        {
            foreach (Layout layout in Enum.GetValues<Layout>())
            {
                var contenders = new List<(string Name, Func<int> Body)>();
                RequestParseBenchmarks Make(Action<RequestParseBenchmarks> setup)
                {
                    var benchmarks = new RequestParseBenchmarks { Input = input, Layout = layout };
                    setup(benchmarks);
                    return benchmarks;
                }

                contenders.Add((nameof(RequestParseBenchmarks.HttpGen), Make(b => b.SetupHttpGen()).HttpGen));
                if (PicoHttpParser.IsAvailable)
                {
                    contenders.Add((nameof(RequestParseBenchmarks.PicoHttpParser), Make(b => b.SetupPicoHttpParser()).PicoHttpParser));
                }

                contenders.Add((nameof(RequestParseBenchmarks.IndexOfLineFeedPerLine), Make(b => b.SetupIndexOfLineFeedPerLine()).IndexOfLineFeedPerLine));
                contenders.Add((nameof(RequestParseBenchmarks.IndexOfBlankLine), Make(b => b.SetupIndexOfBlankLine()).IndexOfBlankLine));

                var samples = contenders.Select(_ => new List<double>(rounds)).ToArray();
                int sink = 0;
                for (int round = 0; round < rounds; round++)
                {
                    for (int c = 0; c < contenders.Count; c++)
                    {
                        Func<int> body = contenders[c].Body;
                        long start = Stopwatch.GetTimestamp();
                        for (int k = 0; k < InvocationsPerSample; k++)
                        {
                            sink += body();
                        }

                        long elapsed = Stopwatch.GetTimestamp() - start;
                        if (round >= warmup)
                        {
                            samples[c].Add(elapsed * 1e9 / Stopwatch.Frequency / (InvocationsPerSample * BenchmarkInput.RequestsPerInvoke));
                        }
                    }
                }

                GC.KeepAlive(sink);
                for (int c = 0; c < contenders.Count; c++)
                {
                    List<double> sorted = samples[c];
                    sorted.Sort();
                    Console.WriteLine($"| {contenders[c].Name} | {input} | {layout} | {sorted[sorted.Count / 10]:F1} | {sorted[sorted.Count / 2]:F1} |");
                    results.Add(new Result(contenders[c].Name, input, layout.ToString(), sorted[sorted.Count / 10], sorted[sorted.Count / 2]));
                }
            }
        }

        return results;
    }
}
