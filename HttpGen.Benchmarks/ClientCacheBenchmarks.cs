using System.Text;
using BenchmarkDotNet.Attributes;
using HttpGen.Caching;
using HttpGen.Client;

namespace HttpGen.Benchmarks;

/// <summary>A request type for the client benchmarks: the headers a typical API client sets.</summary>
[HttpRequest]
public partial class BenchmarkClientRequest
{
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }
    [HttpHeader("Accept")] public partial HeaderValue Accept { get; set; }
    [HttpHeader("Accept-Encoding")] public partial HeaderValue AcceptEncoding { get; set; }
}

/// <summary>The matching response type: the fields a client reads.</summary>
[HttpResponse]
public partial class BenchmarkClientResponse
{
    [HttpHeader("Content-Type")] public partial HeaderValue ContentType { get; set; }
    [HttpHeader("ETag")] public partial HeaderValue ETag { get; set; }
    [HttpHeader("Age")] public partial long? Age { get; set; }
}

/// <summary>
/// A fresh hit in the client's private cache, through the whole public path: <c>SendAsync</c> (the request head
/// formatted for the lookup, the lookup, the stored head with Age and Cache-Status written and parsed into the pooled
/// response), the body read into the caller's buffer (or handed out as the stored bytes), and disposal. The origin's
/// host name does not resolve: a request that missed the cache would fail. Allocated must be 0.
/// </summary>
[MemoryDiagnoser]
public class ClientCacheBenchmarks
{
    private readonly byte[] _buffer = new byte[4096];
    private HttpGenClient<BenchmarkClientRequest, BenchmarkClientResponse> _client = null!;
    private HttpOrigin _origin = null!;
    private BenchmarkClientRequest _plain = null!;
    private BenchmarkClientRequest _varied = null!;

    [GlobalSetup]
    public void Setup()
    {
        var cache = new HttpCache();
        _client = new HttpGenClient<BenchmarkClientRequest, BenchmarkClientResponse>(new HttpGenClientOptions { Cache = cache });
        _origin = new HttpOrigin("api.cache-benchmark.invalid", 8080);
        _plain = Request("/products/42?view=full");
        _varied = Request("/products/43");
        Store(cache, "/products/42?view=full", "");
        Store(cache, "/products/43", "Vary: Accept-Encoding, Accept\r\n");
        if (FreshHit() != 1024 || FreshHitWithVary() != 1024 || FreshHitReadAll() != 1024)
        {
            throw new InvalidOperationException("The stored responses are not served from the cache.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _client.Dispose();

    /// <summary>A hit, the body copied into the caller's buffer.</summary>
    [Benchmark(Baseline = true)]
    public int FreshHit() => Hit(_plain, readAll: false);

    /// <summary>A hit that matches two Vary-named request fields.</summary>
    [Benchmark]
    public int FreshHitWithVary() => Hit(_varied, readAll: false);

    /// <summary>A hit whose body is handed out as the stored bytes (no copy).</summary>
    [Benchmark]
    public int FreshHitReadAll() => Hit(_plain, readAll: true);

    // Everything completes synchronously on a hit.
    private int Hit(BenchmarkClientRequest request, bool readAll)
    {
        HttpGenResponse<BenchmarkClientResponse> response = _client.SendAsync(_origin, request).Result;
        int length = readAll ? response.ReadAllAsync().Result.Length : response.ReadToEndAsync(_buffer).Result;
        if (!response.IsFromCache || response.Head.Age is null)
        {
            length = -1;
        }

        response.Dispose();
        return length;
    }

    private BenchmarkClientRequest Request(string target) => new()
    {
        Target = Encoding.ASCII.GetBytes(target),
        Host = _origin.HostHeader.Span,
        Accept = HeaderValue.Create("application/json"),
        AcceptEncoding = HeaderValue.Create("gzip, br"),
    };

    private void Store(HttpCache cache, string target, string vary)
    {
        byte[] requestHead = Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {Encoding.ASCII.GetString(_origin.HostHeader.Span)}\r\nAccept: application/json\r\nAccept-Encoding: gzip, br\r\n\r\n");
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        byte[] responseHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=86400\r\n"
            + "ETag: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"\r\n" + vary + "Content-Length: 1024\r\n\r\n");
        cache.HandleResponse(request, cache.Lookup(request), responseHead, new byte[1024], cache.Now, cache.Now);
    }
}
