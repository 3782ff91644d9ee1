using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>
/// The HTTPS comparison: the EchoServer's TLS endpoint (<c>--https-port</c>) against Kestrel with the same certificate
/// (HTTP/1.1 only), one after another in the same run, under wrk over https: keep-alive <c>GET /plaintext</c> (TLS on
/// every request, the handshake amortised) and new TLS connections per second (<c>Connection: close</c>: a full
/// handshake per request, wrk resumes no session). The certificate (ECDSA P-256, self-signed for 127.0.0.1 and
/// localhost) is made in-process and written to a temporary folder for the servers, deleted afterwards.
/// Usage: <c>dotnet run -c Release --project HttpGen.Benchmarks -- --e2e --https [--duration 10] [--connections 64]</c>.
/// </summary>
internal static class HttpsBenchmark
{
    private sealed record Result(string Name, WrkResult KeepAlive, WrkResult Handshakes);

    public static int Run(string root, string wrk, int connections, TimeSpan duration)
    {
        string dir = Directory.CreateTempSubdirectory("httpgen-bench-tls-").FullName;
        try
        {
            string cert = Path.Combine(dir, "cert.pem"), key = Path.Combine(dir, "key.pem");
            WriteSelfSigned(cert, key);
            var results = new List<Result>();
            foreach (Peer peer in new[] { Peers.EchoServerHttps(root, cert, key), Peers.KestrelHttps(root, cert, key) })
            {
                Console.WriteLine($"== {peer.Name}");
                results.Add(Measure(peer, wrk, connections, duration));
            }

            Console.WriteLine();
            Console.WriteLine(Markdown(results, connections, (int)duration.TotalSeconds));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Result Measure(Peer peer, string wrk, int connections, TimeSpan duration)
    {
        int port = ProcessTools.FreePort();
        Process process = peer.Start(port);
        try
        {
            ProcessTools.WaitForPort(port, process, TimeSpan.FromSeconds(20));
            string url = $"https://127.0.0.1:{port}/plaintext";
            Wrk.Run(wrk, url, connections, TimeSpan.FromSeconds(2), pipelined: false); // warm-up: JIT, pools, TLS contexts
            WrkResult keepAlive = Wrk.Run(wrk, url, connections, duration, pipelined: false);
            WrkResult handshakes = Wrk.Run(wrk, url, connections, duration, script: null, headers: ["Connection: close"]);
            Console.WriteLine($"   keep-alive {keepAlive.RequestsPerSecond:F0} req/s, new TLS connections {handshakes.RequestsPerSecond:F0}/s");
            return new Result(peer.Name, keepAlive, handshakes);
        }
        finally
        {
            ProcessTools.Stop(process);
        }
    }

    private static string Markdown(List<Result> results, int connections, int seconds)
    {
        Result kestrel = results.Single(r => r.Name.StartsWith("Kestrel", StringComparison.Ordinal));
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores; wrk -t1 -c{connections} -d{seconds}s over https on loopback (ECDSA P-256 certificate), one server at a time.");
        md.AppendLine();
        md.AppendLine("| server | keep-alive req/s | × Kestrel | p50 ms | p99 ms | new TLS connections/s | × Kestrel | errors |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Result r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.KeepAlive.RequestsPerSecond:N0} | {r.KeepAlive.RequestsPerSecond / kestrel.KeepAlive.RequestsPerSecond:F2} | {r.KeepAlive.P50Ms:F2} | {r.KeepAlive.P99Ms:F2} | {r.Handshakes.RequestsPerSecond:N0} | {r.Handshakes.RequestsPerSecond / kestrel.Handshakes.RequestsPerSecond:F2} | {r.KeepAlive.Errors + r.KeepAlive.Non2xx + r.Handshakes.Non2xx} |");
        }

        md.AppendLine();
        md.AppendLine("New TLS connections: each request on its own connection (`Connection: close`), a full handshake each time; wrk's socket errors there are the closes it counts as read errors, so only non-2xx answers count.");
        return md.ToString();
    }

    // A self-signed server certificate, for 127.0.0.1 (what wrk connects to) and localhost.
    private static void WriteSelfSigned(string certificatePath, string keyPath)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=HttpGen benchmark", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
