using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>Where nginx is, if it is installed.</summary>
internal static class NginxLocator
{
    public static string? Path { get; } = Find();

    /// <summary>CI sets CI=true; there a missing nginx fails the tests instead of skipping them.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Find()
    {
        foreach (string candidate in new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator))
        {
            string candidate = System.IO.Path.Combine(dir, "nginx");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>
/// A test against a real nginx. Skipped with a reason when nginx is not installed, except on CI (CI=true), where it
/// runs and fails: there nginx must be installed (<c>apt-get install -y nginx</c>).
/// </summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (NginxLocator.Path is null && !NginxLocator.IsCi)
        {
            Skip = "nginx is not installed (apt-get install -y nginx); with CI=true this test fails instead of skipping.";
        }
    }
}

/// <summary>
/// Starts nginx on a free loopback port with a generated configuration in a temporary directory (one worker, logs, pid
/// and temp paths there), serving: static files (Content-Length), an SSI page (chunked), <c>return</c> locations, and
/// a proxy to a <see cref="RawHttpServer"/> that echoes request bodies, and a chunked page ending with two trailer fields
/// (<c>/trailer/page.html</c>, <c>add_trailer</c>). The same locations are served over HTTPS on a
/// second port (<see cref="TlsPort"/>) with <see cref="TestCertificates.Server"/> (written there as PEM), which also
/// asks for an optional client certificate issued by <see cref="TestCertificates.ClientCa"/> and reports the TLS
/// parameters at <c>/tls</c>. Stopped by its PID on dispose.
/// </summary>
public sealed class NginxFixture : IAsyncLifetime
{
    private Process? _process;

    public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "httpgen-nginx-" + Guid.NewGuid().ToString("N"));

    public int Port { get; private set; }

    /// <summary>The HTTPS port.</summary>
    public int TlsPort { get; private set; }

    public RawHttpServer Upstream { get; } = new();

    /// <summary>The static file served at /static.txt.</summary>
    public byte[] StaticFile { get; } = RawHttpServer.Body(300_000);

    public async Task InitializeAsync()
    {
        if (NginxLocator.Path is not { } nginx)
        {
            // Locally the tests are skipped; on CI they run and fail here.
            if (NginxLocator.IsCi)
            {
                throw new InvalidOperationException("nginx is not installed (CI=true): apt-get update && apt-get install -y nginx");
            }

            return;
        }

        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory, "www", "ssi"));
        System.IO.Directory.CreateDirectory(System.IO.Path.Combine(Directory, "www", "trailer"));
        File.WriteAllBytes(System.IO.Path.Combine(Directory, "www", "static.txt"), StaticFile);
        File.WriteAllText(System.IO.Path.Combine(Directory, "www", "small.txt"), "hello nginx\n");
        TestCertificates.WritePem(TestCertificates.Server, System.IO.Path.Combine(Directory, "server.pem"), System.IO.Path.Combine(Directory, "server.key"));
        TestCertificates.WritePem(TestCertificates.ClientCa, System.IO.Path.Combine(Directory, "client-ca.pem"));
        File.WriteAllText(System.IO.Path.Combine(Directory, "www", "ssi", "page.html"),
            "<p><!--# set var=\"who\" value=\"world\" -->hello <!--# echo var=\"who\" --></p>\n" + new string('x', 5000) + "\n");
        File.Copy(System.IO.Path.Combine(Directory, "www", "ssi", "page.html"), System.IO.Path.Combine(Directory, "www", "trailer", "page.html"));

        Exception? last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            Port = FreePort();
            TlsPort = FreePort();
            string config = System.IO.Path.Combine(Directory, "nginx.conf");
            File.WriteAllText(config, Config());
            var start = new ProcessStartInfo(nginx)
            {
                ArgumentList = { "-p", Directory, "-c", config, "-e", System.IO.Path.Combine(Directory, "error.log"), "-g", "daemon off;" },
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, _) => { };
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
            if (await WaitForPortAsync(Port, TimeSpan.FromSeconds(10)) && await WaitForPortAsync(TlsPort, TimeSpan.FromSeconds(5)))
            {
                return;
            }

            last = new InvalidOperationException($"nginx did not start on port {Port}: {ReadLog()}");
            Stop();
        }

        throw last!;
    }

    private string Config()
    {
        string d = Directory;
        string user = Environment.IsPrivilegedProcess ? "user root;" : "";
        return $$"""
            {{user}}
            worker_processes 1;
            pid {{d}}/nginx.pid;
            error_log {{d}}/error.log warn;
            events { worker_connections 256; }
            http {
                log_format conn '$connection $connection_requests "$request" $status';
                access_log {{d}}/access.log conn;
                client_body_temp_path {{d}}/client_body;
                proxy_temp_path {{d}}/proxy;
                fastcgi_temp_path {{d}}/fastcgi;
                uwsgi_temp_path {{d}}/uwsgi;
                scgi_temp_path {{d}}/scgi;
                types { text/plain txt; text/html html; }
                default_type application/octet-stream;
                keepalive_timeout 60s;
                keepalive_requests 100000;
                server {
                    listen 127.0.0.1:{{Port}};
                    server_name localhost;
                    {{Locations()}}
                }
                server {
                    listen 127.0.0.1:{{TlsPort}} ssl;
                    server_name localhost;
                    ssl_certificate {{d}}/server.pem;
                    ssl_certificate_key {{d}}/server.key;
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_verify_client optional;
                    ssl_client_certificate {{d}}/client-ca.pem;
                    location = /tls { default_type text/plain; return 200 "$ssl_protocol $ssl_alpn_protocol $ssl_server_name $ssl_client_verify $ssl_client_s_dn"; }
                    location = /short-keepalive { keepalive_timeout 1s; default_type text/plain; return 200 "short"; }
                    {{Locations()}}
                }
            }
            """;
    }

    private string Locations() => $$"""
                    root {{Directory}}/www;
                    location / { }
                    location /ssi/ { ssi on; }
                    location /trailer/ { ssi on; add_trailer X-Checksum "42"; add_trailer X-Served-By "nginx $server_port"; }
                    location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
                    location = /discard { return 204; }
                    location /echo {
                        proxy_pass http://127.0.0.1:{{Upstream.Port}};
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                    location /upstream/ {
                        proxy_pass http://127.0.0.1:{{Upstream.Port}}/;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_buffering off;
                    }
        """;

    private async Task<bool> WaitForPortAsync(int port, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process!.HasExited)
            {
                return false;
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public string ReadLog()
    {
        string path = System.IO.Path.Combine(Directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no error log)";
    }

    /// <summary>Access log lines: <c>$connection $connection_requests "$request" $status</c>.</summary>
    public string[] AccessLog()
    {
        string path = System.IO.Path.Combine(Directory, "access.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>The nginx connection serial numbers of the logged requests whose request line contains <paramref name="marker"/>.</summary>
    public string[] ConnectionsOf(string marker) =>
        AccessLog().Where(l => l.Contains(marker, StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).ToArray();

    /// <summary>
    /// Sends a hundred GETs of <c>/plaintext</c> one after the other (marked with <paramref name="run"/>) and checks that
    /// nginx served them all on one connection, and the client opened just that one.
    /// </summary>
    public async Task AssertAHundredRequestsOnOneConnectionAsync(HttpGenClient<ClientTestRequest, ClientTestResponse> client, HttpOrigin origin, string run)
    {
        byte[] buffer = new byte[64];
        var request = new ClientTestRequest { Target = Encoding.ASCII.GetBytes("/plaintext?run=" + run), Host = "localhost"u8 };
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(new HttpGenResult(200, 13), await client.SendAndReadAsync(origin, request, buffer));
        }

        string[] connections = await ConnectionsOfAsync(run, 100);
        Assert.Equal(100, connections.Length);
        Assert.Single(connections.Distinct());
        Assert.Equal(1, client.ConnectionsOpened);
    }

    /// <summary>
    /// <see cref="ConnectionsOf"/> once <paramref name="count"/> requests are logged (up to 5 s): nginx logs a request when
    /// it is finished, which for a body it discards can be just after the response went out.
    /// </summary>
    public async Task<string[]> ConnectionsOfAsync(string marker, int count)
    {
        string[] connections = ConnectionsOf(marker);
        for (int i = 0; i < 500 && connections.Length < count; i++)
        {
            await Task.Delay(10);
            connections = ConnectionsOf(marker);
        }

        return connections;
    }

    private void Stop()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                // By PID: the master and its worker.
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        Stop();
        await Upstream.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static string Text(ReadOnlyMemory<byte> bytes) => Encoding.Latin1.GetString(bytes.Span);

    internal static int ParseInt(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
