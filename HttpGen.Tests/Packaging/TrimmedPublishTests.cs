using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Packaging;

/// <summary>
/// samples/EchoServer published the way a user ships it: trimmed and self-contained, and as native AOT. Each publish must
/// print no trim or AOT warning, and the published binary must start, answer `GET /plaintext` and stop on Ctrl+C.
/// </summary>
[Collection(PackagingCollection.Name)]
public class TrimmedPublishTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task EchoServer_publishes_trimmed_and_self_contained_without_warnings_and_serves()
    {
        string temp = DotnetCli.NewTempFolder("trimmed");
        string published = await PublishAsync(temp, "-p:PublishTrimmed=true", "--self-contained", "-p:TrimmerSingleWarn=false");

        long total = Directory.GetFiles(published).Sum(f => new FileInfo(f).Length);
        output.WriteLine($"trimmed self-contained: {total / 1048576.0:F1} MiB in {Directory.GetFiles(published).Length} files ({total} bytes)");
        // The trimmer kept a small part of the framework (about 24 MiB with the native runtime); untrimmed it is ~70 MiB.
        Assert.InRange(total, 1L << 20, 40L << 20);

        await SmokeTestAsync(Path.Combine(published, "EchoServer"));
        DotnetCli.DeleteQuietly(temp);
    }

    [Fact]
    public async Task EchoServer_publishes_as_native_aot_without_warnings_and_serves()
    {
        string temp = DotnetCli.NewTempFolder("aot");
        string published = await PublishAsync(temp, "-p:PublishAot=true");

        long binary = new FileInfo(Path.Combine(published, "EchoServer")).Length;
        output.WriteLine($"native AOT: EchoServer binary {binary / 1048576.0:F1} MiB ({binary} bytes)");
        Assert.InRange(binary, 1L << 20, 12L << 20);

        await SmokeTestAsync(Path.Combine(published, "EchoServer"));
        DotnetCli.DeleteQuietly(temp);
    }

    private async Task<string> PublishAsync(string temp, params string[] options)
    {
        string root = DotnetCli.RepositoryRoot();
        string published = Path.Combine(temp, "out");
        var args = new List<string>
        {
            "publish", Path.Combine(root, "samples", "EchoServer", "EchoServer.csproj"), "-c", "Release", "-r", "linux-x64",
            "-o", published, "--artifacts-path", Path.Combine(temp, "artifacts"),
        };
        args.AddRange(options);

        var clock = Stopwatch.StartNew();
        var (code, log) = await DotnetCli.RunAsync(root, args, PublishTimeout);
        output.WriteLine($"dotnet publish samples/EchoServer -c Release -r linux-x64 {string.Join(' ', options)}: {clock.Elapsed.TotalSeconds:F1}s");
        Assert.True(code == 0, "dotnet publish failed:\n" + log);
        // IL2xxx are trim warnings, IL3xxx AOT and single-file warnings; no other warning is expected either.
        Assert.DoesNotContain("warning IL", log);
        Assert.DoesNotContain(": warning ", log);
        Assert.True(File.Exists(Path.Combine(published, "EchoServer")), "no EchoServer binary in " + published);
        return published;
    }

    /// <summary>Start the binary on a free port, `GET /plaintext`, stop it with SIGINT (Ctrl+C) and wait for a clean exit.</summary>
    private async Task SmokeTestAsync(string binary)
    {
        int port = FreePort();
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(binary)!,
        };
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));

        var log = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(started == listening.Task, "the server did not start:\n" + Text());
            output.WriteLine($"started in {clock.ElapsedMilliseconds} ms");

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using HttpResponseMessage response = await client.GetAsync($"http://127.0.0.1:{port}/plaintext");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Hello, World!", await response.Content.ReadAsStringAsync());

            await StopAsync(process, Text);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }

        string Text()
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    private async Task StopAsync(Process process, Func<string> text)
    {
        // SIGINT is what Ctrl+C sends. A process started from a non-interactive background job inherits SIGINT as
        // ignored (and .NET keeps it so); only there, SIGTERM stands in and only the exit is checked.
        bool sigintIgnored = SignalIgnored(process.Id, Sigint);
        Assert.Equal(0, kill(process.Id, sigintIgnored ? Sigterm : Sigint));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the server did not stop within 15 s of " + (sigintIgnored ? "SIGTERM" : "SIGINT") + ":\n" + text());
        }

        if (sigintIgnored)
        {
            output.WriteLine("SIGINT is ignored in this environment: stopped with SIGTERM");
            return;
        }

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{text()}");
        Assert.Contains("stopped.", text());
        output.WriteLine("stopped cleanly on SIGINT");
    }

    private const int Sigint = 2;
    private const int Sigterm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private static bool SignalIgnored(int pid, int signal)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
            {
                ulong mask = ulong.Parse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return (mask & (1UL << (signal - 1))) != 0;
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
