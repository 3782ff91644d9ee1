using System.Globalization;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>
/// The soak: the EchoServer under wrk for many minutes at 256 connections, nine GET /plaintext to one POST / echo of
/// 4 KiB, run as one-minute wrk rounds so that errors, RSS and the thread count can be read minute by minute; then a
/// series of 31 MiB echoes, and the RSS at rest once the load has stopped.
/// Usage: <c>dotnet run -c Release --project HttpGen.Benchmarks -- --soak [--minutes 10] [--connections 256] [--no-build]</c>.
/// </summary>
internal static class Soak
{
    private const string MixScript = """
        -- Nine GET /plaintext, then one POST / with a 4 KiB body to echo (formatted in init, once wrk knows the host).
        local n = 0
        local get, post
        init = function(args)
          get = wrk.format("GET", "/plaintext")
          post = wrk.format("POST", "/", { ["Content-Type"] = "application/octet-stream" }, string.rep("x", 4096))
        end
        request = function()
          n = n + 1
          if n % 10 == 0 then return post end
          return get
        end
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        int minutes = IntOption(args, "--minutes", 10);
        int connections = IntOption(args, "--connections", 256);
        string root = ProcessTools.RepositoryRoot();
        string wrk = ProcessTools.RequireTool("wrk", "wrk");
        if (!args.Contains("--no-build"))
        {
            (int code, string output) = ProcessTools.Run("dotnet", ["build", "-c", "Release", Path.Combine(root, "samples/EchoServer")], TimeSpan.FromMinutes(5));
            if (code != 0)
            {
                Console.Error.WriteLine(output);
                return code;
            }
        }

        string script = Path.Combine(Path.GetTempPath(), "httpgen-soak-mix.lua");
        File.WriteAllText(script, MixScript);
        int port = ProcessTools.FreePort();
        System.Diagnostics.Process server = Peers.EchoServer(root).Start(port);
        try
        {
            ProcessTools.WaitForPort(port, server, TimeSpan.FromSeconds(20));
            Thread.Sleep(1000);
            Console.WriteLine($"EchoServer pid {server.Id}: RSS at start {ProcessTools.RssKiB(server.Id) / 1024.0:F1} MiB, {Threads(server.Id)} threads");
            Console.WriteLine($"wrk -t1 -c{connections} -d60s, {minutes} rounds, 9 GET /plaintext : 1 POST / (4 KiB)");
            Console.WriteLine("| minute | req/s | p99 ms | errors | non-2xx | RSS MiB | threads |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            long errors = 0;
            for (int minute = 1; minute <= minutes; minute++)
            {
                WrkResult r = Wrk.Run(wrk, $"http://127.0.0.1:{port}/plaintext", connections, TimeSpan.FromSeconds(60), script);
                errors += r.Errors + r.Non2xx;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {minute} | {r.RequestsPerSecond:N0} | {r.P99Ms:F2} | {r.Errors} | {r.Non2xx} | {ProcessTools.RssKiB(server.Id) / 1024.0:F1} | {Threads(server.Id)} |"));
            }

            await Task.Delay(TimeSpan.FromSeconds(10));
            Console.WriteLine($"10 s after the load: RSS {ProcessTools.RssKiB(server.Id) / 1024.0:F1} MiB, {Threads(server.Id)} threads");

            // Large bodies: each one is held once while it is echoed, then left to the GC (not kept by a pool).
            byte[] big = new byte[31 * 1024 * 1024];
            using (var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) })
            {
                for (int i = 0; i < 20; i++)
                {
                    using HttpResponseMessage response = await client.PostAsync("/", new ByteArrayContent(big));
                    byte[] echoed = await response.Content.ReadAsByteArrayAsync();
                    if (echoed.Length != big.Length)
                    {
                        errors++;
                    }
                }
            }

            Console.WriteLine($"after 20 echoes of 31 MiB: RSS {ProcessTools.RssKiB(server.Id) / 1024.0:F1} MiB");
            await Task.Delay(TimeSpan.FromSeconds(30));
            Console.WriteLine($"30 s at rest: RSS {ProcessTools.RssKiB(server.Id) / 1024.0:F1} MiB, {Threads(server.Id)} threads; errors in all: {errors}");
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            ProcessTools.Stop(server);
        }
    }

    private static int Threads(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
