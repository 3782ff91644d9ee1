using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>
/// The end-to-end comparison: EchoServer, Kestrel and nginx (one worker) serving the same <c>GET /plaintext</c>, one
/// after another on free loopback ports, each under the same wrk load (64 connections, plain and 16-deep pipelined);
/// their RSS idle, under load and with 10,000 idle keep-alive connections; then HttpGen's client against HttpClient on
/// nginx. Prints Markdown tables (ratios to Kestrel) and can write them, with an SVG chart, under docs/.
/// Usage: <c>dotnet run -c Release --project HttpGen.Benchmarks -- --e2e [--duration 10] [--idle 10000] [--write-docs]</c>;
/// with <c>--https</c>, the HTTPS comparison instead (<see cref="HttpsBenchmark"/>).
/// </summary>
internal static class EndToEndBenchmark
{
    private sealed record ServerResult(string Name, WrkResult Plain, WrkResult Pipelined, long IdleRssKiB, long LoadRssKiB, long IdleConnectionsRssKiB, int IdleConnections, long IdleBaseRssKiB);

    public static async Task<int> RunAsync(string[] args)
    {
        int seconds = IntOption(args, "--duration", 10);
        int idle = IntOption(args, "--idle", 10_000);
        int connections = IntOption(args, "--connections", 64);
        bool writeDocs = args.Contains("--write-docs");
        var duration = TimeSpan.FromSeconds(seconds);
        string root = ProcessTools.RepositoryRoot();
        string wrk = ProcessTools.RequireTool("wrk", "wrk");
        string nginx = ProcessTools.RequireTool("nginx", "nginx");

        if (!args.Contains("--no-build"))
        {
            foreach (string project in new[] { "samples/EchoServer", "HttpGen.Benchmarks/Peers/KestrelPlaintext" })
            {
                Console.WriteLine($"building {project} ...");
                (int code, string output) = ProcessTools.Run("dotnet", ["build", "-c", "Release", Path.Combine(root, project)], TimeSpan.FromMinutes(5));
                if (code != 0)
                {
                    Console.Error.WriteLine(output);
                    return code;
                }
            }
        }

        if (args.Contains("--https"))
        {
            return HttpsBenchmark.Run(root, wrk, connections, duration);
        }

        Peer[] peers = [Peers.EchoServer(root), Peers.EchoServerEpoll(root), Peers.Kestrel(root), Peers.Nginx(nginx)];
        var results = new List<ServerResult>();
        foreach (Peer peer in peers)
        {
            Console.WriteLine($"== {peer.Name}");
            results.Add(MeasureServer(peer, wrk, connections, duration, idle));
        }

        Console.WriteLine("== clients against nginx");
        ClientResult[] clients;
        int clientPort = ProcessTools.FreePort();
        Process clientServer = Peers.Nginx(nginx).Start(clientPort);
        try
        {
            ProcessTools.WaitForPort(clientPort, clientServer, TimeSpan.FromSeconds(10));
            clients = await ClientComparison.RunAsync(clientPort, 16, duration);
        }
        finally
        {
            ProcessTools.Stop(clientServer);
        }

        string markdown = Markdown(results, clients, connections, seconds, idle);
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (writeDocs)
        {
            string docs = Path.Combine(root, "docs");
            File.WriteAllText(Path.Combine(docs, "benchmarks-e2e.md"), markdown);
            File.WriteAllText(Path.Combine(docs, "benchmarks-e2e.svg"), Chart(results, clients));
            Console.WriteLine("wrote docs/benchmarks-e2e.md and docs/benchmarks-e2e.svg");
        }

        return 0;
    }

    private static ServerResult MeasureServer(Peer peer, string wrk, int connections, TimeSpan duration, int idle)
    {
        int port = ProcessTools.FreePort();
        Process process = peer.Start(port);
        try
        {
            ProcessTools.WaitForPort(port, process, TimeSpan.FromSeconds(20));
            string url = $"http://127.0.0.1:{port}/plaintext";
            Thread.Sleep(1000);
            long idleRss = ProcessTools.RssKiB(process.Id);
            Wrk.Run(wrk, url, connections, TimeSpan.FromSeconds(3), pipelined: false); // warm-up: JIT, pools

            long peak = 0;
            using var sampling = new CancellationTokenSource();
            Task sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, ProcessTools.RssKiB(process.Id));
                    await Task.Delay(250);
                }
            });
            WrkResult plain = Wrk.Run(wrk, url, connections, duration, pipelined: false);
            WrkResult pipelined = Wrk.Run(wrk, url, connections, duration, pipelined: true);
            sampling.Cancel();
            sampler.Wait();
            Console.WriteLine($"   {plain.RequestsPerSecond:F0} req/s, pipelined {pipelined.RequestsPerSecond:F0} req/s, RSS idle {idleRss / 1024.0:F1} MiB, peak {peak / 1024.0:F1} MiB");

            (long before, long after, int opened) = idle > 0 ? IdleConnections.Measure(port, process.Id, idle, TimeSpan.FromMinutes(2)) : (0, 0, 0);
            if (idle > 0)
            {
                Console.WriteLine($"   {opened} idle keep-alive connections: RSS {after / 1024.0:F1} MiB ({(after - before) * 1024.0 / Math.Max(1, opened):F0} B per connection)");
            }

            return new ServerResult(peer.Name, plain, pipelined, idleRss, peak, after, opened, before);
        }
        finally
        {
            ProcessTools.Stop(process);
        }
    }

    private static string Markdown(List<ServerResult> servers, ClientResult[] clients, int connections, int seconds, int idle)
    {
        ServerResult kestrel = servers.Single(s => s.Name.StartsWith("Kestrel", StringComparison.Ordinal));
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInfo()}; wrk -t1 -c{connections} -d{seconds}s on loopback, one server at a time.");
        md.AppendLine();
        md.AppendLine("| server | req/s | × Kestrel | p50 ms | p99 ms | pipelined ×16 req/s | × Kestrel | RSS idle MiB | RSS under load MiB | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ServerResult s in servers)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Name} | {s.Plain.RequestsPerSecond:N0} | {s.Plain.RequestsPerSecond / kestrel.Plain.RequestsPerSecond:F2} | {s.Plain.P50Ms:F2} | {s.Plain.P99Ms:F2} | {s.Pipelined.RequestsPerSecond:N0} | {s.Pipelined.RequestsPerSecond / kestrel.Pipelined.RequestsPerSecond:F2} | {s.IdleRssKiB / 1024.0:F1} | {s.LoadRssKiB / 1024.0:F1} | {s.Plain.Errors + s.Plain.Non2xx + s.Pipelined.Errors + s.Pipelined.Non2xx} |");
        }

        if (idle > 0)
        {
            md.AppendLine();
            md.AppendLine("| server | idle keep-alive connections | RSS before MiB | RSS with them MiB | bytes per connection |");
            md.AppendLine("|---|---:|---:|---:|---:|");
            foreach (ServerResult s in servers)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {s.Name} | {s.IdleConnections:N0} | {s.IdleBaseRssKiB / 1024.0:F1} | {s.IdleConnectionsRssKiB / 1024.0:F1} | {(s.IdleConnectionsRssKiB - s.IdleBaseRssKiB) * 1024.0 / Math.Max(1, s.IdleConnections):F0} |");
            }
        }

        md.AppendLine();
        md.AppendLine("| client (16 concurrent keep-alive GETs against nginx) | req/s | bytes allocated per request | errors |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (ClientResult c in clients)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.Name} | {c.RequestsPerSecond:N0} | {c.BytesPerRequest:F1} | {c.Errors} |");
        }

        return md.ToString();
    }

    private static string Chart(List<ServerResult> servers, ClientResult[] clients)
    {
        var rows = new List<(string, string, double, bool)>();
        foreach (ServerResult s in servers)
        {
            rows.Add(("GET /plaintext, 64 connections", s.Name, s.Plain.RequestsPerSecond, s.Name.StartsWith("HttpGen", StringComparison.Ordinal)));
        }

        foreach (ServerResult s in servers)
        {
            rows.Add(("16-deep pipelining", s.Name, s.Pipelined.RequestsPerSecond, s.Name.StartsWith("HttpGen", StringComparison.Ordinal)));
        }

        foreach (ClientResult c in clients)
        {
            rows.Add(("clients, 16 concurrent", c.Name, c.RequestsPerSecond, c.Name.StartsWith("HttpGen", StringComparison.Ordinal)));
        }

        return SvgChart.Render("End to end", "requests/s, higher is better", rows);
    }

    private static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + ", " + System.Runtime.InteropServices.RuntimeInformation.OSDescription;

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
