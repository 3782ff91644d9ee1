using System.Diagnostics;

namespace HttpGen.Benchmarks;

/// <summary>Runs <c>node/llhttp-bench.mjs</c> (Node's built-in llhttp parser) on the inputs next to this program.</summary>
internal static class NodeBenchmark
{
    /// <summary>Runs the script and passes its output through. Returns 0 when it ran or was skipped, else its exit code.</summary>
    public static int Run(bool quick)
    {
        string? node = FindOnPath("node");
        Console.WriteLine();
        Console.WriteLine("## Node.js built-in HTTP parser (llhttp)");
        Console.WriteLine();
        if (node is null)
        {
            Console.WriteLine("Skipped: `node` is not on PATH (install Node.js 20 or later to include llhttp).");
            return 0;
        }

        string script = Path.Combine(AppContext.BaseDirectory, "node", "llhttp-bench.mjs");
        var start = new ProcessStartInfo(node)
        {
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Inputs"));
        if (quick)
        {
            start.ArgumentList.Add("--quick");
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {node}.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"The Node benchmark failed with exit code {process.ExitCode}.");
        }

        return process.ExitCode;
    }

    private static string? FindOnPath(string name)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
