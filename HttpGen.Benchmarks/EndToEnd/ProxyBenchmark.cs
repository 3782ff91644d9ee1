using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>
/// The caching proxy under wrk beside nginx, in one run, in front of the same origin (the proxy sample's counting
/// origin) serving the same response: fresh hits against nginx with <c>proxy_cache</c>, misses (a <c>no-store</c>
/// response, forwarded every time) against nginx <c>proxy_pass</c>, and the origin alone for reference. Both proxies
/// keep their upstream connections alive. Prints a Markdown table.
/// Usage: <c>dotnet run -c Release --project HttpGen.Benchmarks -- --e2e-proxy [--duration 10] [--connections 64] [--no-build]</c>.
/// </summary>
internal static class ProxyBenchmark
{
    /// <summary>A 13-byte body, fresh for an hour: every request after the first is a hit.</summary>
    private const string HitTarget = "/bench/hit?max-age=3600&size=13";

    /// <summary>The same body, never stored: every request goes to the origin.</summary>
    private const string MissTarget = "/bench/miss?no-store&size=13";

    private static readonly Dictionary<string, string> DotnetEnvironment = new() { ["DOTNET_gcServer"] = "0", ["DOTNET_TieredPGO"] = "1" };

    private sealed record Row(string Name, string Target, WrkResult Result);

    public static async Task<int> RunAsync(string[] args)
    {
        int seconds = IntOption(args, "--duration", 10);
        int connections = IntOption(args, "--connections", 64);
        var duration = TimeSpan.FromSeconds(seconds);
        string root = ProcessTools.RepositoryRoot();
        string wrk = ProcessTools.RequireTool("wrk", "wrk");
        string nginx = ProcessTools.RequireTool("nginx", "nginx");
        if (!args.Contains("--no-build"))
        {
            Console.WriteLine("building samples/CachingProxy ...");
            (int code, string output) = ProcessTools.Run("dotnet", ["build", "-c", "Release", Path.Combine(root, "samples/CachingProxy")], TimeSpan.FromMinutes(5));
            if (code != 0)
            {
                Console.Error.WriteLine(output);
                return code;
            }
        }

        string dll = Path.Combine(root, "samples/CachingProxy/bin/Release/net10.0/CachingProxy.dll");
        int originPort = ProcessTools.FreePort(), proxyPort = ProcessTools.FreePort(), cachePort = ProcessTools.FreePort(), passPort = ProcessTools.FreePort();
        var processes = new List<Process>();
        try
        {
            processes.Add(Started(ProcessTools.Start("dotnet", [dll, "--origin", "--port", Invariant(originPort)], DotnetEnvironment), originPort));
            processes.Add(Started(ProcessTools.Start("dotnet", [dll, "--port", Invariant(proxyPort), "--upstream", $"http://127.0.0.1:{originPort}"], DotnetEnvironment), proxyPort));
            processes.Add(Started(StartNginx(nginx, cachePort, originPort, cache: true), cachePort));
            processes.Add(Started(StartNginx(nginx, passPort, originPort, cache: false), passPort));

            using var http = new HttpClient();
            foreach ((int port, string header, string hit) in new[] { (proxyPort, "Cache-Status", "hit"), (cachePort, "X-Cache-Status", "HIT") })
            {
                await http.GetStringAsync($"http://127.0.0.1:{port}{HitTarget}");
                using HttpResponseMessage second = await http.GetAsync($"http://127.0.0.1:{port}{HitTarget}");
                string status = second.Headers.TryGetValues(header, out IEnumerable<string>? values) ? string.Join(",", values) : "";
                if (!status.Contains(hit, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"port {port} does not answer {HitTarget} from its cache ({header}: {status}).");
                }
            }

            int originHitsBefore = int.Parse(await http.GetStringAsync($"http://127.0.0.1:{originPort}/__hits?{Uri.EscapeDataString(HitTarget)}"), CultureInfo.InvariantCulture);
            var rows = new List<Row>();
            foreach ((string name, int port, string target) in new[]
            {
                ("HttpGen CachingProxy, fresh hits", proxyPort, HitTarget),
                ("nginx proxy_cache, fresh hits", cachePort, HitTarget),
                ("HttpGen CachingProxy, misses", proxyPort, MissTarget),
                ("nginx proxy_pass, misses", passPort, MissTarget),
                ("origin alone (CountingOrigin)", originPort, MissTarget),
            })
            {
                string url = $"http://127.0.0.1:{port}{target}";
                Wrk.Run(wrk, url, connections, TimeSpan.FromSeconds(Math.Min(3, seconds)), pipelined: false); // warm-up
                WrkResult result = Wrk.Run(wrk, url, connections, duration, pipelined: false);
                Console.WriteLine($"   {name}: {result.RequestsPerSecond:F0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, errors {result.Errors + result.Non2xx}");
                rows.Add(new Row(name, target, result));
            }

            int originHitsAfter = int.Parse(await http.GetStringAsync($"http://127.0.0.1:{originPort}/__hits?{Uri.EscapeDataString(HitTarget)}"), CultureInfo.InvariantCulture);
            Console.WriteLine();
            Console.WriteLine(Markdown(rows, connections, seconds, originHitsAfter - originHitsBefore));
            return rows.Any(r => r.Result.Errors + r.Result.Non2xx > 0) ? 1 : 0;
        }
        finally
        {
            foreach (Process process in processes)
            {
                ProcessTools.Stop(process);
            }
        }
    }

    private static Process Started(Process process, int port)
    {
        ProcessTools.WaitForPort(port, process, TimeSpan.FromSeconds(20));
        return process;
    }

    /// <summary>nginx (one worker) in front of the origin: with a proxy_cache, or a plain proxy_pass; upstream keep-alive either way.</summary>
    private static Process StartNginx(string nginx, int port, int originPort, bool cache) => Peers.StartNginx(nginx, "httpgen-bench-nginx-proxy-", $$"""
                proxy_cache_path {dir}/cache levels=1:2 keys_zone=bench:10m max_size=100m inactive=60m use_temp_path=off;
                upstream origin { server 127.0.0.1:{{Invariant(originPort)}}; keepalive 64; keepalive_requests 1000000; }
                server {
                    listen 127.0.0.1:{{Invariant(port)}} backlog=4096;
                    location / {
                        proxy_pass http://origin;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        {{(cache ? "proxy_cache bench; add_header X-Cache-Status $upstream_cache_status;" : "")}}
                    }
                }
        """);

    private static string Markdown(List<Row> rows, int connections, int seconds, int originHitsDuringRun)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; wrk -t1 -c{connections} -d{seconds}s on loopback, one target at a time; nginx with one worker; the same origin and the same 13-byte response behind both.");
        md.AppendLine();
        md.AppendLine("| target | URL | req/s | × nginx | p50 ms | p99 ms | errors |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (Row row in rows)
        {
            Row? nginx = rows.FirstOrDefault(r => r.Target == row.Target && r.Name.StartsWith("nginx", StringComparison.Ordinal));
            string ratio = nginx is null || row.Name.StartsWith("origin", StringComparison.Ordinal) ? "" : (row.Result.RequestsPerSecond / nginx.Result.RequestsPerSecond).ToString("F2", CultureInfo.InvariantCulture);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Name} | `{row.Target}` | {row.Result.RequestsPerSecond:N0} | {ratio} | {row.Result.P50Ms:F2} | {row.Result.P99Ms:F2} | {row.Result.Errors + row.Result.Non2xx} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Requests for the hit URL that reached the origin while the hits were measured: {originHitsDuringRun} (both caches answered the rest).");
        return md.ToString();
    }

    private static string Invariant(int value) => Peers.Invariant(value);

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
