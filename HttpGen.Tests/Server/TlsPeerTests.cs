using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text;
using HttpGen.Tests.Client;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// The server's HTTPS endpoint with real TLS peers: curl (trusting the test certificate with --cacert), openssl
/// s_client (protocol version and ALPN), HttpClient with a validation callback, nginx proxying to it over HTTPS with
/// upstream keep-alive, and the EchoServer sample's --https-port option. The certificate is made in-process
/// (<see cref="TestCertificates"/>) and written to a temporary folder only for the peers that read files.
/// </summary>
public sealed class TlsPeerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("httpgen-tls-").FullName;

    public TlsPeerTests() => TestCertificates.WritePem(TestCertificates.Server, CertificatePath, KeyPath);

    private string CertificatePath => Path.Combine(_directory, "cert.pem");

    private string KeyPath => Path.Combine(_directory, "key.pem");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<(int ExitCode, string Stdout, string Stderr)> CurlAsync(int port, params string[] args) =>
        ExternalTools.RunAsync(
            ExternalTools.Require("curl", "curl"),
            new[] { "-sS", "--cacert", CertificatePath, "--resolve", $"localhost:{port}:127.0.0.1" }.Concat(args),
            TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData("--tlsv1.2", "--tls-max", "1.2", "TLSv1.2")]
    [InlineData("--tlsv1.3", "--tls-max", "1.3", "TLSv1.3")]
    public async Task Curl_GETs_over_HTTPS_reuse_the_connection(string min, string maxOption, string max, string expected)
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        string url = $"https://localhost:{server.TlsPort}/plaintext";
        var (exit, stdout, stderr) = await CurlAsync(server.TlsPort, "-v", min, maxOption, max, url, url, url);
        Assert.True(exit == 0, stderr);
        Assert.Equal("Hello, World!Hello, World!Hello, World!", stdout);
        Assert.Contains($"SSL connection using {expected}", stderr);
        Assert.Contains("ALPN: server accepted http/1.1", stderr);
        Assert.Contains("Re-using existing connection", stderr);
        Assert.Equal(1, server.Server.AcceptedConnections);
    }

    [Fact]
    public async Task Curl_POSTs_over_HTTPS_get_their_bodies_back()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        string body = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        string file = Path.Combine(_directory, "body.txt");
        await File.WriteAllTextAsync(file, body);
        string url = $"https://localhost:{server.TlsPort}/";

        var (exit, stdout, stderr) = await CurlAsync(server.TlsPort, "--data-binary", "@" + file, url);
        Assert.True(exit == 0, stderr);
        Assert.Equal(body, stdout);

        // Chunked upload (no length announced), then a second request on the same connection.
        (exit, stdout, stderr) = await CurlAsync(server.TlsPort, "-v", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, url, "--next", "--cacert", CertificatePath, url + "plaintext");
        Assert.True(exit == 0, stderr);
        Assert.Equal(body + "Hello, World!", stdout);
        Assert.Contains("Re-using existing connection", stderr);
    }

    [Fact]
    public async Task An_HTTP_1_0_client_that_offers_ALPN_http_1_0_gets_a_body_that_runs_to_the_close()
    {
        // curl --http1.0 offers ALPN http/1.0 only; the body has no length and ends with the connection.
        await using RunningServer server = await RunningServer.StartTlsAsync(handler: new StreamingHandler(totalBytes: 1024 * 1024));
        string file = Path.Combine(_directory, "out.bin");
        var (exit, _, stderr) = await CurlAsync(server.TlsPort, "--http1.0", "-o", file, $"https://localhost:{server.TlsPort}/big");
        Assert.True(exit == 0, stderr);
        Assert.Equal(1024 * 1024, new FileInfo(file).Length);
    }

    [Fact]
    public async Task A_client_that_offers_only_h2_is_refused_by_the_handshake()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        var (exit, output) = await OpensslAsync(server.TlsPort, "-alpn", "h2");
        Assert.NotEqual(0, exit);
        Assert.Contains("no application protocol", output);
        await server.WaitForNoConnectionsAsync();
    }

    [Theory]
    [InlineData("-tls1_2", "Protocol  : TLSv1.2")]
    [InlineData("-tls1_3", "New, TLSv1.3, Cipher is")]
    public async Task Openssl_s_client_negotiates_the_protocol_and_ALPN_http_1_1(string protocolOption, string expected)
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        var (exit, output) = await OpensslAsync(server.TlsPort, "-alpn", "http/1.1", protocolOption);
        Assert.True(exit == 0, output);
        Assert.Contains("ALPN protocol: http/1.1", output);
        Assert.Contains(expected, output);
        Assert.Contains("Verify return code: 0 (ok)", output);
        Assert.Contains("HTTP/1.1 200 OK", output);
        Assert.Contains("\r\n\r\nHello, World!", output);

        // After "Connection: close" the server ends its TLS stream with close_notify: without it OpenSSL 3 reports
        // "unexpected eof while reading" and s_client exits 1.
        Assert.DoesNotContain("unexpected eof", output);
    }

    // openssl s_client with the given options sends one GET with Connection: close; returns its exit code and output.
    private async Task<(int ExitCode, string Output)> OpensslAsync(int port, params string[] options)
    {
        var info = new ProcessStartInfo(ExternalTools.Require("openssl", "openssl")) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", "-CAfile", CertificatePath, "-verify_return_error", "-ign_eof" }.Concat(options))
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // s_client already gave up (a failed handshake).
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public async Task HttpClient_with_a_validation_callback_uses_one_HTTPS_connection()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString() && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0,
            },
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(server.TlsEndPoint, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{server.TlsPort}") };
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("Hello, World!", await client.GetStringAsync("/plaintext"));
        }

        byte[] payload = Encoding.ASCII.GetBytes(new string('p', 200_000));
        using (HttpResponseMessage r = await client.PostAsync("/", new ByteArrayContent(payload)))
        {
            Assert.Equal(payload, await r.Content.ReadAsByteArrayAsync());
            Assert.Equal(HttpVersion.Version11, r.Version);
        }

        using (HttpResponseMessage r = await client.PutAsync("/", new StreamContent(new MemoryStream(payload)) { Headers = { ContentLength = null } }))
        {
            Assert.Equal(payload, await r.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, server.Server.AcceptedConnections);
    }

    [NginxFact]
    public async Task Nginx_proxies_to_the_HTTPS_endpoint_and_reuses_upstream_connections()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync();
        await using NginxProcess nginx = await NginxProcess.StartAsync($$"""
                upstream httpgen_tls { server 127.0.0.1:{{server.TlsPort}}; keepalive 4; }
                server {
                    listen 127.0.0.1:{port};
                    location / {
                        proxy_pass https://httpgen_tls;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_ssl_trusted_certificate {{CertificatePath}};
                        proxy_ssl_verify on;
                        proxy_ssl_name localhost;
                        proxy_ssl_server_name on;
                        proxy_ssl_session_reuse on;
                        proxy_ssl_protocols TLSv1.2 TLSv1.3;
                    }
                }
            """);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nginx.Port}") };
        await NginxProxyTests.GetsAndBodiesAsync(client);

        Assert.InRange(server.Server.AcceptedConnections, 1, 3);
        Assert.DoesNotContain("upstream prematurely closed", nginx.ErrorLog);
        Assert.DoesNotContain("SSL", nginx.ErrorLog);
    }

    [Fact]
    public async Task The_EchoServer_sample_serves_HTTPS_with_a_PEM_certificate_and_key()
    {
        int port = ExternalTools.FreePort(), tlsPort = ExternalTools.FreePort();
        await using EchoServerProcess server = await EchoServerProcess.StartAsync(port, reusePort: false,
            "--https-port", tlsPort.ToString(CultureInfo.InvariantCulture), "--cert", CertificatePath, "--key", KeyPath);
        Assert.Contains($"https://127.0.0.1:{tlsPort}", server.Output);

        var (exit, stdout, stderr) = await CurlAsync(tlsPort, $"https://localhost:{tlsPort}/plaintext");
        Assert.True(exit == 0, stderr + server.Output);
        Assert.Equal("Hello, World!", stdout);
        (exit, stdout, _) = await CurlAsync(port, $"http://localhost:{port}/plaintext");
        Assert.Equal((0, "Hello, World!"), (exit, stdout));
        await server.StopAsync();
    }

    [Fact]
    public async Task The_EchoServer_sample_explains_a_missing_certificate()
    {
        string dll = typeof(EchoServer.EchoHandler).Assembly.Location;
        var (exit, _, stderr) = await ExternalTools.RunAsync("dotnet", [dll, "--https-port", "0"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, exit);
        Assert.Contains("--https-port needs --cert", stderr);

        (exit, _, stderr) = await ExternalTools.RunAsync("dotnet", [dll, "--https-port", "0", "--cert", Path.Combine(_directory, "missing.pem"), "--key", KeyPath], TimeSpan.FromSeconds(30));
        Assert.Equal(2, exit);
        Assert.Contains("cannot load the certificate", stderr);
    }
}
