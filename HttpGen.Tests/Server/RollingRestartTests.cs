using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Server;

/// <summary>
/// How this server is scaled past one process: several EchoServer processes behind a load balancer, restarted one at a
/// time (SIGINT, graceful) under continuous load. Through nginx no request may fail; a bare SO_REUSEPORT group is
/// measured and bounded. HTTPGEN_ROLLING_ROUNDS sets how many restart rounds to run (default 1).
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public class RollingRestartTests(ITestOutputHelper output)
{
    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("HTTPGEN_ROLLING_ROUNDS"), out int n) && n > 0 ? n : 1;

    [Fact]
    public async Task Restarting_each_upstream_of_nginx_in_turn_fails_no_request()
    {
        int port1 = ExternalTools.FreePort(), port2 = ExternalTools.FreePort();
        var servers = new[] { await EchoServerProcess.StartAsync(port1, reusePort: false), await EchoServerProcess.StartAsync(port2, reusePort: false) };
        try
        {
            // max_fails=0: a restarting upstream is never marked down, so a refused connection moves on at once.
            // non_idempotent: a POST sent on a kept-alive upstream connection that the upstream closed at that very
            // moment is retried too (the echo is safe to repeat); see docs/server.md.
            await using NginxProcess nginx = await NginxProcess.StartAsync($$"""
                    upstream echo {
                        server 127.0.0.1:{{port1}} max_fails=0;
                        server 127.0.0.1:{{port2}} max_fails=0;
                        keepalive 32;
                    }
                    server {
                        listen 127.0.0.1:{port};
                        location / {
                            proxy_pass http://echo;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_next_upstream error timeout non_idempotent;
                        }
                    }
                """);

            LoadResult result = await RunLoadDuringAsync(new Uri($"http://127.0.0.1:{nginx.Port}"), async () =>
            {
                for (int round = 0; round < Rounds; round++)
                {
                    for (int i = 0; i < servers.Length; i++)
                    {
                        await servers[i].StopAsync();
                        servers[i] = await EchoServerProcess.StartAsync(i == 0 ? port1 : port2, reusePort: false);
                        await Task.Delay(300);
                    }
                }
            });

            output.WriteLine($"through nginx, {Rounds} round(s) of restarts: {result}");
            Assert.True(result.Succeeded > 200, result.ToString());
            Assert.Equal(0, result.Failed);
            Assert.DoesNotContain("[alert]", nginx.ErrorLog);
        }
        finally
        {
            foreach (EchoServerProcess server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Restarting_each_process_of_a_reuseport_group_in_turn_loses_at_most_a_few_queued_connections()
    {
        int port = ExternalTools.FreePort();
        var servers = new[] { await EchoServerProcess.StartAsync(port, reusePort: true), await EchoServerProcess.StartAsync(port, reusePort: true) };
        try
        {
            LoadResult result = await RunLoadDuringAsync(new Uri($"http://127.0.0.1:{port}"), async () =>
            {
                for (int round = 0; round < Rounds; round++)
                {
                    for (int i = 0; i < servers.Length; i++)
                    {
                        // The replacement joins the group first, then the old process stops: the port is never without
                        // a listener.
                        EchoServerProcess replacement = await EchoServerProcess.StartAsync(port, reusePort: true);
                        await servers[i].StopAsync();
                        servers[i] = replacement;
                        await Task.Delay(300);
                    }
                }
            });

            // The old process empties its accept queue before closing its listener; a connection that lands between
            // the last check and the close is reset by Linux (unless net.ipv4.tcp_migrate_req = 1). Every new
            // connection in this load is a candidate, so a handful of resets per restart is the bound.
            output.WriteLine($"bare SO_REUSEPORT group, {Rounds} round(s) of restarts: {result}");
            Assert.True(result.Succeeded > 200, result.ToString());
            Assert.True(result.Failed <= 5 * Rounds, result.ToString());
        }
        finally
        {
            foreach (EchoServerProcess server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Eight loops of requests (GET /plaintext and POST / with a body, every fourth one on a new connection) while
    /// <paramref name="restarts"/> runs, and a second after it.
    /// </summary>
    private static async Task<LoadResult> RunLoadDuringAsync(Uri target, Func<Task> restarts)
    {
        using var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        using var client = new HttpClient(handler) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource();
        long succeeded = 0, failed = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        byte[] body = Encoding.ASCII.GetBytes(new string('b', 2000));
        Task[] loops = Enumerable.Range(0, 8).Select(loop => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                using var request = i % 2 == 0
                    ? new HttpRequestMessage(HttpMethod.Get, "/plaintext")
                    : new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
                request.Headers.ConnectionClose = i % 4 == 3;
                try
                {
                    using HttpResponseMessage response = await client.SendAsync(request);
                    byte[] content = await response.Content.ReadAsByteArrayAsync();
                    bool ok = response.StatusCode == HttpStatusCode.OK && content.Length == (i % 2 == 0 ? 13 : body.Length);
                    Interlocked.Increment(ref ok ? ref succeeded : ref failed);
                    if (!ok)
                    {
                        errors.Add($"{(int)response.StatusCode} with {content.Length} bytes");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref failed);
                    errors.Add(e.GetBaseException().Message);
                }
            }
        })).ToArray();

        await Task.Delay(500);
        await restarts();
        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(loops);
        return new LoadResult(succeeded, failed, errors.Take(5).ToArray());
    }

    private sealed record LoadResult(long Succeeded, long Failed, string[] SomeErrors)
    {
        public override string ToString() => $"{Succeeded} succeeded, {Failed} failed{(SomeErrors.Length > 0 ? " (" + string.Join("; ", SomeErrors) + ")" : "")}";
    }
}

/// <summary>The EchoServer sample as its own process (the build next to the tests), stopped with SIGINT.</summary>
internal sealed class EchoServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EchoServerProcess(Process process) => _process = process;

    public static Task<EchoServerProcess> StartAsync(int port, bool reusePort, params string[] moreArgs) =>
        StartAsync(port, reusePort, null, moreArgs);

    public static async Task<EchoServerProcess> StartAsync(int port, bool reusePort, IReadOnlyDictionary<string, string>? environment, string[] moreArgs)
    {
        string dll = typeof(EchoServer.EchoHandler).Assembly.Location;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (string arg in new[] { dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(moreArgs))
        {
            info.ArgumentList.Add(arg);
        }

        if (reusePort)
        {
            info.ArgumentList.Add("--reuseport");
        }

        var server = new EchoServerProcess(Process.Start(info)!);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.OutputDataReceived += (_, e) =>
        {
            lock (server._output)
            {
                server._output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Ctrl+C", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        server._process.ErrorDataReceived += (_, e) =>
        {
            lock (server._output)
            {
                server._output.AppendLine(e.Data);
            }
        };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException("EchoServer did not start: " + server.Output);
        }

        return server;
    }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>SIGINT, as Ctrl+C or a service manager would send, then waits for a clean exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Assert.Equal(0, Kill(_process.Id, 2));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
        Assert.True(_process.ExitCode == 0, $"EchoServer exited with {_process.ExitCode}: {Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
