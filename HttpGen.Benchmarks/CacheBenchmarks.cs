using System.Text;
using BenchmarkDotNet.Attributes;
using HttpGen.Caching;

namespace HttpGen.Benchmarks;

/// <summary>
/// A fresh cache hit as a client or proxy serves it: split the request head, look it up (request directives, primary
/// key, Vary match, age and freshness), and write the outgoing head with Age and Cache-Status into a buffer. The body
/// is a view of the stored bytes and is not copied.
/// </summary>
[MemoryDiagnoser]
public class CacheBenchmarks
{
    private readonly byte[] _output = new byte[2048];
    private HttpCache _cache = null!;
    private byte[] _plain = [];
    private byte[] _varied = [];

    [GlobalSetup]
    public void Setup()
    {
        _cache = new HttpCache(new HttpCacheOptions { Shared = true });
        _plain = Store("/products/42?view=full", "", "");
        _varied = Store("/products/43", "Vary: Accept-Encoding, Accept-Language\r\n", "Accept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n");
        if (FreshHit() == 0 || FreshHitWithVary() == 0)
        {
            throw new InvalidOperationException("The stored responses are not served from the cache.");
        }
    }

    /// <summary>A hit on a URI with one stored response.</summary>
    [Benchmark(Baseline = true)]
    public int FreshHit() => Hit(_plain);

    /// <summary>A hit that matches two Vary-named request fields.</summary>
    [Benchmark]
    public int FreshHitWithVary() => Hit(_varied);

    private int Hit(byte[] requestHead)
    {
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        CacheResult result = _cache.Lookup(request);
        if (result.Action != CacheAction.ServeStored || !result.TryWriteHead(_output, default, out int written))
        {
            return 0;
        }

        return written + result.Body.Length;
    }

    private byte[] Store(string target, string responseFields, string requestFields)
    {
        byte[] requestHead = Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
            + "Accept: text/html,application/xhtml+xml\r\n" + requestFields + "Connection: keep-alive\r\n\r\n");
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        byte[] responseHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: public, max-age=86400\r\n"
            + "ETag: \"33a64df551425fcc55e4d42a148795d9f25f89d4\"\r\nLast-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n" + responseFields
            + "Server: origin\r\nContent-Length: 4096\r\n\r\n");
        DateTimeOffset now = _cache.Now;
        _cache.HandleResponse(request, _cache.Lookup(request), responseHead, new byte[4096], now, now);
        return requestHead;
    }
}
