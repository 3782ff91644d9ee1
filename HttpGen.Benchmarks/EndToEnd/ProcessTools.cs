using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>Starting, watching and stopping the peer processes of the end-to-end benchmark.</summary>
internal static class ProcessTools
{
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HttpGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("HttpGen.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The path of a Debian tool, installing its package with apt-get when it is missing and we are root.</summary>
    public static string RequireTool(string tool, string package)
    {
        string? found = Find(tool);
        if (found is not null)
        {
            return found;
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"{tool} is missing: sudo apt-get install -y {package}");
        }

        Console.WriteLine($"installing {package} ...");
        Run("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5));
        Run("apt-get", ["install", "-y", "-qq", package], TimeSpan.FromMinutes(10));
        return Find(tool) ?? throw new InvalidOperationException($"apt-get install {package} did not provide {tool}");
    }

    private static string? Find(string tool) =>
        new[] { "/usr/bin", "/usr/sbin", "/usr/local/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {timeout}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public static Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Process process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Stops a process by its PID: SIGTERM, then a kill of the whole tree if it lingers.</summary>
    public static void Stop(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        Run("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(5));
        }
    }

    public static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    public static void WaitForPort(int port, Process process, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"process {process.Id} exited with {process.ExitCode} before listening on {port}");
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new TimeoutException($"nothing listened on {port} within {timeout}");
    }

    /// <summary>Resident memory of a process and its children (nginx: master plus worker), in KiB.</summary>
    public static long RssKiB(int pid)
    {
        long total = ReadRss(pid);
        foreach (string child in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit))!)
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{child}/stat");
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    total += ReadRss(int.Parse(child!, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    private static long ReadRss(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
