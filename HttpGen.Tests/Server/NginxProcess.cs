using System.Diagnostics;
using System.Net.Sockets;

namespace HttpGen.Tests.Server;

/// <summary>nginx with a generated config in a temp folder, one worker, on a free loopback port; stopped on dispose.</summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _config;
    private readonly Process _process;

    private NginxProcess(string directory, string config, Process process, int port)
    {
        _directory = directory;
        _config = config;
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ErrorLog => File.Exists(Path.Combine(_directory, "error.log")) ? File.ReadAllText(Path.Combine(_directory, "error.log")) : "";

    /// <summary>Starts nginx with <paramref name="httpBlock"/> (which may use {port}) inside its http { } block.</summary>
    public static async Task<NginxProcess> StartAsync(string httpBlock)
    {
        string nginx = ExternalTools.Require("nginx", "nginx");
        int port = ExternalTools.FreePort();
        string dir = Directory.CreateTempSubdirectory("httpgen-nginx-").FullName;
        string config = Path.Combine(dir, "nginx.conf");
        string temp = string.Join("\n", new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }.Select(t => $"    {t}_temp_path {dir}/{t};"));
        string user = Environment.UserName == "root" ? "user root;\n" : "";
        await File.WriteAllTextAsync(config, $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
            {{temp}}
            {{httpBlock.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}}
            }
            """);

        var info = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-p", dir, "-c", config, "-e", Path.Combine(dir, "error.log") })
        {
            info.ArgumentList.Add(arg);
        }

        Process process = Process.Start(info)!;
        var started = new NginxProcess(dir, config, process, port);
        for (int i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()} {started.ErrorLog}");
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return started;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await started.DisposeAsync();
        throw new TimeoutException("nginx did not start listening: " + started.ErrorLog);
    }

    public async ValueTask DisposeAsync()
    {
        // SIGQUIT-like graceful stop through nginx itself, then make sure the master (and its worker) are gone.
        try
        {
            await ExternalTools.RunAsync(ExternalTools.Require("nginx", "nginx"), new[] { "-p", _directory, "-c", _config, "-s", "stop" }, TimeSpan.FromSeconds(10));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
