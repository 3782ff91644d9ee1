using System.Text;
using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>A fresh hit (lookup, then the outgoing head written into the caller's buffer) allocates nothing.</summary>
public class CacheAllocationTests
{
    private static (HttpCache Cache, byte[] RequestHead) Prepare(string responseFields, string requestFields)
    {
        var clock = new ManualClock(CacheScenario.T0);
        var cache = new HttpCache(new HttpCacheOptions { Shared = true }, timeProvider: clock);
        byte[] requestHead = Encoding.ASCII.GetBytes("GET /products/42?view=full HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: test\r\n"
            + "Accept: text/html\r\n" + requestFields + "\r\n");
        Assert.True(CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request));
        byte[] head = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCache-Control: public, max-age=3600\r\n"
            + "ETag: \"33a64df551425fcc\"\r\n" + responseFields + "\r\n");
        CacheResult stored = cache.HandleResponse(request, cache.Lookup(request), head, new byte[1024], cache.Now, cache.Now);
        Assert.True(stored.Status.Stored);
        clock.Time = CacheScenario.T0.AddSeconds(10);
        return (cache, requestHead);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("Vary: Accept-Encoding, Accept-Language\r\n", "Accept-Encoding: gzip, br\r\nAccept-Language: en\r\n")]
    [InlineData("", "Cache-Control: max-stale=10, no-transform\r\n")]
    [InlineData("", "If-None-Match: \"x\", \"33a64df551425fcc\"\r\n")] // answered 304
    public void Fresh_hit_lookup_and_head_allocate_nothing(string responseFields, string requestFields)
    {
        (HttpCache cache, byte[] requestHead) = Prepare(responseFields, requestFields);
        var buffer = new byte[1024];
        Allocations.AssertNone(count => Run(cache, requestHead, buffer, count));
    }

    private static long Run(HttpCache cache, byte[] requestHead, byte[] buffer, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
            CacheResult result = cache.Lookup(request);
            Assert.True(result.Action is CacheAction.ServeStored or CacheAction.ServeNotModified);
            result.TryWriteHead(buffer, default, out int written);
            total += written + result.Body.Length;
        }

        return total;
    }
}
