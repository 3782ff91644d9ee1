using System.Diagnostics;
using System.Globalization;
using HttpGen.Client;

namespace HttpGen.Benchmarks.EndToEnd;

[HttpRequest]
public partial class BenchClientRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
}

[HttpResponse]
public partial class BenchClientResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
}

/// <summary>
/// One client's figures: throughput, bytes allocated per request in this process, and CPU time (user + system) of
/// the whole process per request.
/// </summary>
internal sealed record ClientResult(string Name, double RequestsPerSecond, double BytesPerRequest, long Errors, double CpuMicrosecondsPerRequest = double.NaN);

/// <summary>HttpGen's client against HttpClient (SocketsHttpHandler): keep-alive GET loops on the same server.</summary>
internal static class ClientComparison
{
    public const string HttpGenName = "HttpGen client";
    public const string HttpClientName = "HttpClient (SocketsHttpHandler)";

    /// <summary>For <c>--e2e</c>: one run of each client on a server already listening on <paramref name="port"/>.</summary>
    public static async Task<ClientResult[]> RunAsync(int port, int concurrency, TimeSpan duration)
    {
        await using var contenders = new Contenders(port, concurrency);
        return
        [
            await MeasureAsync(HttpGenName, contenders.HttpGenLoop, concurrency, duration, TimeSpan.FromSeconds(2)).ConfigureAwait(false),
            await MeasureAsync(HttpClientName, contenders.HttpClientLoop, concurrency, duration, TimeSpan.FromSeconds(2)).ConfigureAwait(false),
        ];
    }

    /// <summary>
    /// <c>--e2e-client</c>: only the client comparison, against nginx (one worker) or a server already listening
    /// (<c>--port</c>), in several rounds that alternate which client goes first, so that a slow period of a shared
    /// machine hits both. Prints per-round figures and the median ratio. With <c>--requests N</c> each run stops after
    /// N requests (not after <c>--duration</c>), and <c>--only httpgen|httpclient</c> runs one client: together they make
    /// a fixed amount of work to count under <c>strace -c</c> or <c>valgrind --tool=callgrind</c> (run twice with two
    /// values of N and take the difference, which cancels start-up and JIT). <c>--tls</c>: over TLS 1.3, to nginx with a
    /// throwaway self-signed certificate that both clients accept. <c>--no-epoll</c>: HttpGen's client on .NET's sockets
    /// (<see cref="HttpGenClientOptions.UseEpoll"/> false).
    /// </summary>
    public static async Task<int> RunModeAsync(string[] args)
    {
        int rounds = IntOption(args, "--rounds", 5);
        int seconds = IntOption(args, "--duration", 5);
        int concurrency = IntOption(args, "--concurrency", 16);
        long requests = IntOption(args, "--requests", 0);
        int warmup = IntOption(args, "--warmup-requests", 0);
        int port = IntOption(args, "--port", 0);
        string? only = StringOption(args, "--only");
        bool tls = args.Contains("--tls");
        var duration = TimeSpan.FromSeconds(seconds);

        Process? server = null;
        string? certificateDirectory = null;
        if (port == 0)
        {
            string nginx = ProcessTools.RequireTool("nginx", "nginx");
            port = ProcessTools.FreePort();
            if (tls)
            {
                certificateDirectory = Directory.CreateTempSubdirectory("httpgen-bench-tls-").FullName;
                WriteSelfSignedCertificate(certificateDirectory);
            }

            server = tls ? StartTlsNginx(nginx, port, certificateDirectory!) : Peers.Nginx(nginx).Start(port);
            ProcessTools.WaitForPort(port, server, TimeSpan.FromSeconds(10));
        }

        try
        {
            await using var contenders = new Contenders(port, concurrency, tls, epoll: !args.Contains("--no-epoll"));
            var loops = new List<(string Name, Func<CancellationToken, Task<long>> Loop)>();
            if (only is null or "httpgen")
            {
                loops.Add((HttpGenName, contenders.HttpGenLoop));
            }

            if (only is null or "httpclient")
            {
                loops.Add((HttpClientName, contenders.HttpClientLoop));
            }

            if (loops.Count == 0)
            {
                Console.Error.WriteLine("--only takes httpgen or httpclient");
                return 2;
            }

            if (requests > 0)
            {
                // Fixed work, for counting tools: warm-up requests, then exactly N, each client once.
                foreach ((string name, Func<CancellationToken, Task<long>> loop) in loops)
                {
                    if (warmup > 0)
                    {
                        await RunCountAsync(loop, concurrency, warmup).ConfigureAwait(false);
                    }

                    TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var clock = Stopwatch.StartNew();
                    long done = await RunCountAsync(loop, concurrency, requests).ConfigureAwait(false);
                    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / done;
                    double bytes = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / done;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {done} requests in {clock.Elapsed.TotalSeconds:F2} s ({done / clock.Elapsed.TotalSeconds:N0} req/s), {cpu:F1} µs CPU/req, {bytes:F1} B/req"));
                }

                return 0;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{concurrency} concurrent keep-alive GETs against {(tls ? "https" : "http")}://127.0.0.1:{port}, {rounds} rounds of {seconds} s per client, order alternating; {Environment.ProcessorCount} cores, load {LoadAverage()}"));
            var results = new List<ClientResult[]>();
            for (int round = 0; round < rounds; round++)
            {
                var row = new ClientResult[loops.Count];
                for (int k = 0; k < loops.Count; k++)
                {
                    int i = round % 2 == 0 ? k : loops.Count - 1 - k;
                    row[i] = await MeasureAsync(loops[i].Name, loops[i].Loop, concurrency, duration, round == 0 ? TimeSpan.FromSeconds(2) : null).ConfigureAwait(false);
                }

                results.Add(row);
                Console.WriteLine($"round {round + 1}: " + string.Join("; ", row.Select(Describe)) + (row.Length == 2 ? string.Create(CultureInfo.InvariantCulture, $"; ratio {row[0].RequestsPerSecond / row[1].RequestsPerSecond:F2}") : ""));
            }

            if (loops.Count == 2)
            {
                double[] ratios = results.Select(r => r[0].RequestsPerSecond / r[1].RequestsPerSecond).Order().ToArray();
                double[] cpu = results.Select(r => r[0].CpuMicrosecondsPerRequest / r[1].CpuMicrosecondsPerRequest).Order().ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"HttpGen / HttpClient req/s: median {Median(ratios):F2} (min {ratios[0]:F2}, max {ratios[^1]:F2}); CPU per request: median {Median(cpu):F2}× HttpClient's; load {LoadAverage()}"));
            }

            return 0;
        }
        finally
        {
            if (server is not null)
            {
                ProcessTools.Stop(server);
            }

            if (certificateDirectory is not null)
            {
                Directory.Delete(certificateDirectory, recursive: true);
            }
        }
    }

    // nginx (one worker) answering /plaintext over TLS 1.3 only (the default of both clients), with a throwaway certificate.
    private static Process StartTlsNginx(string nginx, int port, string certificates) => Peers.StartNginx(nginx, "httpgen-bench-nginx-tls-", $$"""
                server {
                    listen 127.0.0.1:{{Peers.Invariant(port)}} ssl backlog=4096;
                    ssl_certificate {{certificates}}/server.pem;
                    ssl_certificate_key {{certificates}}/server.key;
                    ssl_protocols TLSv1.3;
                    location = /plaintext { default_type text/plain; return 200 "Hello, World!"; }
                }
        """);

    // A self-signed ECDSA P-256 certificate for 127.0.0.1, as PEM files; both clients are told to accept it.
    private static void WriteSelfSignedCertificate(string directory)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "server.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "server.key"), key.ExportPkcs8PrivateKeyPem());
    }

    private static string Describe(ClientResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Name} {r.RequestsPerSecond:N0} req/s, {r.CpuMicrosecondsPerRequest:F1} µs CPU/req, {r.BytesPerRequest:F1} B/req{(r.Errors > 0 ? $", {r.Errors} errors" : "")}");

    private static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>The two clients and their request loops, on one server.</summary>
    private sealed class Contenders(int port, int concurrency, bool tls = false, bool epoll = true) : IAsyncDisposable
    {
        private readonly HttpOrigin _origin = new(tls ? "https" : "http", "127.0.0.1", port);
        private readonly HttpGenClient<BenchClientRequest, BenchClientResponse> _httpGen = new(new HttpGenClientOptions
        {
            MaxConnectionsPerHost = concurrency,
            ServerCertificateValidation = tls ? static (_, _, _, _) => true : null,
            UseEpoll = epoll,
        });

        private readonly HttpClient _httpClient = new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            SslOptions = { RemoteCertificateValidationCallback = tls ? static (_, _, _, _) => true : null },
        });

        private readonly Uri _uri = new($"{(tls ? "https" : "http")}://127.0.0.1:{port}/plaintext");

        public async Task<long> HttpGenLoop(CancellationToken stop)
        {
            var request = new BenchClientRequest { Target = "/plaintext"u8, Host = _origin.HostHeader.Span };
            byte[] body = new byte[64];
            long done = 0;
            while (!stop.IsCancellationRequested && Budget.Take())
            {
                HttpGenResult result = await _httpGen.SendAndReadAsync(_origin, request, body).ConfigureAwait(false);
                done += result.StatusCode == 200 ? 1 : 0;
            }

            return done;
        }

        public async Task<long> HttpClientLoop(CancellationToken stop)
        {
            byte[] body = new byte[64];
            long done = 0;
            while (!stop.IsCancellationRequested && Budget.Take())
            {
                using HttpResponseMessage response = await _httpClient.GetAsync(_uri, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                while (await stream.ReadAsync(body).ConfigureAwait(false) > 0)
                {
                }

                done += response.IsSuccessStatusCode ? 1 : 0;
            }

            return done;
        }

        public ValueTask DisposeAsync()
        {
            _httpClient.Dispose();
            return _httpGen.DisposeAsync();
        }
    }

    /// <summary>A shared request budget for the fixed-count runs (unlimited otherwise).</summary>
    private static class Budget
    {
        private static long s_left = long.MaxValue;

        public static void Set(long count) => Volatile.Write(ref s_left, count);

        public static bool Take() => Volatile.Read(ref s_left) == long.MaxValue || Interlocked.Decrement(ref s_left) >= 0;
    }

    private static async Task<long> RunCountAsync(Func<CancellationToken, Task<long>> loop, int concurrency, long count)
    {
        Budget.Set(count);
        try
        {
            long[] counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => loop(CancellationToken.None)))).ConfigureAwait(false);
            return counts.Sum();
        }
        finally
        {
            Budget.Set(long.MaxValue);
        }
    }

    private static async Task<ClientResult> MeasureAsync(string name, Func<CancellationToken, Task<long>> loop, int concurrency, TimeSpan duration, TimeSpan? warmup)
    {
        using (var warm = new CancellationTokenSource(warmup ?? TimeSpan.FromMilliseconds(500)))
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => loop(warm.Token)))).ConfigureAwait(false);
        }

        using var stop = new CancellationTokenSource(duration);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long errors = 0;
        long[] counts;
        try
        {
            counts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => loop(stop.Token)))).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{name}: {e.Message}");
            counts = [0];
            errors++;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long requests = counts.Sum();
        return new ClientResult(name, requests / seconds, requests == 0 ? double.NaN : (double)allocated / requests, errors, requests == 0 ? double.NaN : cpu / requests);
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
