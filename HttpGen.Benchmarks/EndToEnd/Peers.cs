using System.Diagnostics;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>A server under test: how to start it on a port; stopping is by PID.</summary>
internal sealed record Peer(string Name, Func<int, Process> Start);

internal static class Peers
{
    private static readonly Dictionary<string, string> DotnetEnvironment = new()
    {
        ["DOTNET_gcServer"] = "0",
        ["DOTNET_TieredPGO"] = "1",
    };

    public static Peer EchoServer(string root) => new("HttpGen EchoServer", port => StartEchoServer(root, DotnetEnvironment, "--port", Invariant(port)));

    /// <summary>
    /// The EchoServer with <c>HttpServerOptions.UseEpoll</c> on and one loop thread (through the environment), as nginx
    /// runs one worker: the load generator needs the other core.
    /// </summary>
    public static Peer EchoServerEpoll(string root) => new("HttpGen EchoServer, UseEpoll, 1 loop", port =>
        StartEchoServer(root, new Dictionary<string, string>(DotnetEnvironment) { ["HTTPGEN_SERVER_EPOLL"] = "1", ["HTTPGEN_SERVER_EPOLL_THREADS"] = "1" }, "--port", Invariant(port)));

    public static Peer Kestrel(string root) => new("Kestrel (ASP.NET Core)", port =>
        ProcessTools.Start("dotnet", [Path.Combine(root, "HttpGen.Benchmarks/Peers/KestrelPlaintext/bin/Release/net10.0/KestrelPlaintext.dll"), "--urls", $"http://127.0.0.1:{Invariant(port)}"], DotnetEnvironment));

    /// <summary>The EchoServer with its HTTPS endpoint on the port (and its plain one on another).</summary>
    public static Peer EchoServerHttps(string root, string certificate, string key) => new("HttpGen EchoServer", port =>
        StartEchoServer(root, DotnetEnvironment, "--port", Invariant(ProcessTools.FreePort()), "--https-port", Invariant(port), "--cert", certificate, "--key", key));

    // The EchoServer sample's Release build on 127.0.0.1, with more arguments.
    private static Process StartEchoServer(string root, Dictionary<string, string> environment, params string[] args) =>
        ProcessTools.Start("dotnet", [Path.Combine(root, "samples/EchoServer/bin/Release/net10.0/EchoServer.dll"), "--host", "127.0.0.1", .. args], environment);

    /// <summary>Kestrel on https with the same certificate, HTTP/1.1 only (as the EchoServer).</summary>
    public static Peer KestrelHttps(string root, string certificate, string key) => new("Kestrel (ASP.NET Core)", port =>
        ProcessTools.Start("dotnet", [Path.Combine(root, "HttpGen.Benchmarks/Peers/KestrelPlaintext/bin/Release/net10.0/KestrelPlaintext.dll"), "--urls", $"https://127.0.0.1:{Invariant(port)}", "--Kestrel:Certificates:Default:Path=" + certificate, "--Kestrel:Certificates:Default:KeyPath=" + key, "--Kestrel:EndpointDefaults:Protocols=Http1"], DotnetEnvironment));

    /// <summary>nginx with one worker answering /plaintext with the same body, from a generated config.</summary>
    public static Peer Nginx(string nginx) => new("nginx (1 worker)", port => StartNginx(nginx, "httpgen-bench-nginx-", $$"""
                server {
                    listen 127.0.0.1:{{Invariant(port)}} backlog=4096;
                    location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
                }
        """));

    /// <summary>
    /// nginx with one worker and a config generated in a temp folder: no access log, many connections, long keep-alive,
    /// temp paths in the folder ({dir} in <paramref name="httpBlock"/>), and <paramref name="httpBlock"/> inside http { }.
    /// </summary>
    public static Process StartNginx(string nginx, string folderPrefix, string httpBlock)
    {
        string dir = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        string config = Path.Combine(dir, "nginx.conf");
        string temp = string.Join("\n", new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }.Select(t => $"    {t}_temp_path {dir}/{t};"));
        string user = Environment.UserName == "root" ? "user root;\n" : "";
        File.WriteAllText(config, $$"""
            {{user}}worker_processes 1;
            daemon off;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 20000; }
            worker_rlimit_nofile 20000;
            http {
                access_log off;
            {{temp}}
                keepalive_requests 1000000;
            {{httpBlock.Replace("{dir}", dir)}}
            }
            """);
        return ProcessTools.Start(nginx, ["-p", dir, "-c", config, "-e", Path.Combine(dir, "error.log")]);
    }

    internal static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
