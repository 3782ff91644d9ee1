using System.Diagnostics;
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

/// <summary>One client's figures: throughput and bytes allocated per request in this process.</summary>
internal sealed record ClientResult(string Name, double RequestsPerSecond, double BytesPerRequest, long Errors);

/// <summary>HttpGen's client against HttpClient (SocketsHttpHandler): keep-alive GET loops on the same server, one run each.</summary>
internal static class ClientComparison
{
    public static async Task<ClientResult[]> RunAsync(int port, int concurrency, TimeSpan duration)
    {
        var origin = new HttpOrigin("127.0.0.1", port);
        using var httpGen = new HttpGenClient<BenchClientRequest, BenchClientResponse>(new HttpGenClientOptions { MaxConnectionsPerHost = concurrency });
        using var httpClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var uri = new Uri($"http://127.0.0.1:{port}/plaintext");

        async Task<long> HttpGenLoop(CancellationToken stop)
        {
            var request = new BenchClientRequest { Target = "/plaintext"u8, Host = origin.HostHeader.Span };
            byte[] body = new byte[64];
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                HttpGenResult result = await httpGen.SendAndReadAsync(origin, request, body).ConfigureAwait(false);
                done += result.StatusCode == 200 ? 1 : 0;
            }

            return done;
        }

        async Task<long> HttpClientLoop(CancellationToken stop)
        {
            byte[] body = new byte[64];
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                using HttpResponseMessage response = await httpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                await using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                while (await stream.ReadAsync(body).ConfigureAwait(false) > 0)
                {
                }

                done += response.IsSuccessStatusCode ? 1 : 0;
            }

            return done;
        }

        return
        [
            await MeasureAsync("HttpGen client", HttpGenLoop, concurrency, duration).ConfigureAwait(false),
            await MeasureAsync("HttpClient (SocketsHttpHandler)", HttpClientLoop, concurrency, duration).ConfigureAwait(false),
        ];
    }

    private static async Task<ClientResult> MeasureAsync(string name, Func<CancellationToken, Task<long>> loop, int concurrency, TimeSpan duration)
    {
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => loop(warm.Token)))).ConfigureAwait(false);
        }

        using var stop = new CancellationTokenSource(duration);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
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
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long requests = counts.Sum();
        return new ClientResult(name, requests / seconds, requests == 0 ? double.NaN : (double)allocated / requests, errors);
    }
}
