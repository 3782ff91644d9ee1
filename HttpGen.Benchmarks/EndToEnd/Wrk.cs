using System.Globalization;
using System.Text.RegularExpressions;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>One wrk run's figures.</summary>
internal sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Non2xx);

/// <summary>Runs wrk (plain, or with a 16-deep pipelining script) and reads its summary.</summary>
internal static partial class Wrk
{
    private const string PipelineScript = """
        -- 16 requests per write: measures pipelined throughput.
        init = function(args)
          local r = {}
          for i = 1, 16 do r[i] = wrk.format(nil, wrk.path) end
          req = table.concat(r)
        end
        request = function() return req end
        """;

    public static WrkResult Run(string wrk, string url, int connections, TimeSpan duration, bool pipelined)
    {
        string? script = null;
        if (pipelined)
        {
            script = Path.Combine(Path.GetTempPath(), "httpgen-pipeline-16.lua");
            File.WriteAllText(script, PipelineScript);
        }

        return Run(wrk, url, connections, duration, script);
    }

    /// <summary>Runs wrk with a Lua script of the caller's (or none), and extra request headers.</summary>
    public static WrkResult Run(string wrk, string url, int connections, TimeSpan duration, string? script, IEnumerable<string>? headers = null)
    {
        var args = new List<string> { "-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", "--latency", "--timeout", "5s" };
        if (script is not null)
        {
            args.AddRange(["-s", script]);
        }

        foreach (string header in headers ?? [])
        {
            args.AddRange(["-H", header]);
        }

        args.Add(url);
        (int code, string output) = ProcessTools.Run(wrk, args, duration + TimeSpan.FromSeconds(30));
        if (code != 0)
        {
            throw new InvalidOperationException("wrk failed: " + output);
        }

        double rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Percentile(output, "50"), Percentile(output, "99"), Count(SocketErrors(), output), Count(Non2xx(), output));
    }

    private static double Percentile(string output, string percent)
    {
        Match m = Regex.Match(output, @"^\s*" + percent + @"(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success)
        {
            return double.NaN;
        }

        double value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static long Count(Regex regex, string output)
    {
        long total = 0;
        foreach (Match m in regex.Matches(output))
        {
            foreach (Group g in m.Groups.Values.Skip(1))
            {
                total += long.Parse(g.Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
