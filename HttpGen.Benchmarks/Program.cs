using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;

namespace HttpGen.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet suites, then Node's llhttp-based parser on the same inputs.
/// Own switches (removed before BenchmarkDotNet sees the arguments): <c>--with-node</c> runs the Node part even when
/// no benchmark ran, <c>--no-node</c> skips it. By default it runs after the benchmarks when <c>node</c> is on PATH.
/// <c>--interleaved</c> runs <see cref="InterleavedCheck"/> instead of BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // --e2e: the end-to-end comparison (servers under wrk, idle connections, clients) instead of BenchmarkDotNet.
        if (args.Contains("--e2e"))
        {
            return EndToEnd.EndToEndBenchmark.RunAsync(args).GetAwaiter().GetResult();
        }

        // --e2e-client: only HttpGen's client against HttpClient on nginx, in interleaved rounds (or a fixed request count).
        if (args.Contains("--e2e-client"))
        {
            return EndToEnd.ClientComparison.RunModeAsync(args).GetAwaiter().GetResult();
        }

        // --e2e-proxy: the caching proxy beside nginx proxy_cache (hits) and proxy_pass (misses) under wrk.
        if (args.Contains("--e2e-proxy"))
        {
            return EndToEnd.ProxyBenchmark.RunAsync(args).GetAwaiter().GetResult();
        }

        // --soak: the EchoServer under a long mixed load (errors, RSS and threads minute by minute, memory at rest).
        if (args.Contains("--soak"))
        {
            return EndToEnd.Soak.RunAsync(args).GetAwaiter().GetResult();
        }

        var bdnArgs = new List<string>();
        bool withNode = false, noNode = false, interleaved = false;
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "--with-node": withNode = true; break;
                case "--no-node": noNode = true; break;
                case "--interleaved": interleaved = true; break;
                case "--write-docs": break;
                default: bdnArgs.Add(arg); break;
            }
        }

        ManualConfig config = DefaultConfig.Instance
            .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond))
            // Median and Min beside Mean: on a shared 2-core machine they show when other work inflated the mean.
            .AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        if (!PicoHttpParser.IsAvailable)
        {
            Console.WriteLine(PicoHttpParser.InstallHint);
            config = config.AddFilter(new SimpleFilter(b => b.Descriptor.WorkloadMethod.Name != nameof(RequestParseBenchmarks.PicoHttpParser)));
        }
        else
        {
            Console.WriteLine($"picohttpparser: {PicoHttpParser.LoadedFrom}");
        }

        if (interleaved)
        {
            List<InterleavedCheck.Result> results = InterleavedCheck.Run(IsDryRun(bdnArgs));
            if (args.Contains("--write-docs"))
            {
                WriteParseChart(results);
            }

            return 0;
        }

        Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. bdnArgs], config).ToArray();
        int failures = summaries.Sum(s => s.Reports.Count(r => !r.Success)) + summaries.Sum(s => s.ValidationErrors.Count(e => e.IsCritical));

        if (!PicoHttpParser.IsAvailable)
        {
            Console.WriteLine(PicoHttpParser.InstallHint);
        }

        bool ranBenchmarks = summaries.Any(s => s.Reports.Length > 0);
        if (!noNode && (withNode || ranBenchmarks))
        {
            bool quick = IsDryRun(bdnArgs);
            if (NodeBenchmark.Run(quick) != 0)
            {
                failures++;
            }
        }

        return failures == 0 ? 0 : 1;
    }

    // docs/benchmarks-parse.svg: ns per request for each contender on each input (one request per buffer).
    private static void WriteParseChart(List<InterleavedCheck.Result> results)
    {
        var rows = results
            .Where(r => r.Layout == "Single")
            .Select(r => (Group: $"{r.Input}.http", Label: r.Name, Value: r.P10, Highlight: r.Name == nameof(RequestParseBenchmarks.HttpGen)))
            .ToList();
        string path = Path.Combine(EndToEnd.ProcessTools.RepositoryRoot(), "docs", "benchmarks-parse.svg");
        File.WriteAllText(path, EndToEnd.SvgChart.Render("Request head parse", "ns per request, 10th percentile, lower is better", rows));
        Console.WriteLine("wrote " + path);
    }

    // "--job dry" / "-j dry": the Node part then takes a quick, smoke-test-sized sample too.
    private static bool IsDryRun(List<string> args)
    {
        for (int i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] is "--job" or "-j" && args[i + 1].Equals("dry", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
