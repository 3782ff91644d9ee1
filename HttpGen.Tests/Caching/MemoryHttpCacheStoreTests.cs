using System.Text;
using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>The memory store: LRU eviction by bytes, variants per key, expiry, eviction under readers, concurrent use.</summary>
public class MemoryHttpCacheStoreTests
{
    private static readonly ManualClock Clock = new(CacheScenario.T0);

    // Stored responses made by a cache writing into the store under test.
    private static CachedResponse Make(HttpCache cache, string path, int bodyLength, string vary = "", string requestFields = "", string cacheControl = "max-age=60")
    {
        byte[] requestHead = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: s\r\n{requestFields}\r\n");
        Assert.True(CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request));
        string varyLine = vary.Length > 0 ? $"Vary: {vary}\r\n" : "";
        byte[] head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nCache-Control: {cacheControl}\r\n{varyLine}\r\n");
        CacheResult result = cache.HandleResponse(request, cache.Lookup(request), head, new byte[bodyLength], cache.Now, cache.Now);
        Assert.True(result.Status.Stored, result.Status.ToString());
        return cache.Store.Get(Encoding.ASCII.GetBytes("http://s" + path)).Span[0];
    }

    private static (HttpCache Cache, MemoryHttpCacheStore Store) NewStore(long capacity, int perKey = 8)
    {
        var store = new MemoryHttpCacheStore(capacity, perKey);
        return (new HttpCache(new HttpCacheOptions { MaxEntrySize = capacity }, store, Clock), store);
    }

    [Fact]
    public void Evicts_the_least_recently_used_keys_by_bytes()
    {
        long each = Make(new HttpCache(timeProvider: Clock), "/x", 2000).Size; // every key below has this size
        long capacity = 3 * each + each / 2;
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(capacity);
        CachedResponse a = Make(cache, "/a", 2000), b = Make(cache, "/b", 2000), c = Make(cache, "/c", 2000);
        Assert.Equal(each, a.Size);
        Assert.Equal(3, store.Count);
        Assert.Equal(3 * each, store.Size);
        Assert.False(store.Get("http://s/a"u8).IsEmpty); // a is now the most recently used: b is the oldest
        Make(cache, "/d", 2000);
        Assert.True(store.Get("http://s/b"u8).IsEmpty);
        Assert.False(store.Get("http://s/a"u8).IsEmpty);
        Assert.False(store.Get("http://s/c"u8).IsEmpty);
        Assert.Equal((3, 3 * each, 1L), (store.Count, store.Size, store.Evictions));

        CachedResponse big = Make(cache, "/big", (int)(capacity - each / 2 - 200)); // fits only alone
        Assert.True(big.Size > capacity - each && big.Size <= capacity);
        Assert.Equal((1, big.Size, 4L), (store.Count, store.Size, store.Evictions));
        Assert.NotNull(c);
        Assert.NotNull(b);
    }

    [Fact]
    public void A_response_larger_than_the_capacity_is_not_stored()
    {
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(10_000);
        Make(cache, "/a", 100);
        var other = new HttpCache(new HttpCacheOptions(), timeProvider: Clock);
        store.Put(Make(other, "/huge", 10_000));
        Assert.True(store.Get("http://s/huge"u8).IsEmpty);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Keeps_variants_per_key_newest_first_replacing_an_equal_secondary_key()
    {
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(1_000_000, perKey: 2);
        CachedResponse en = Make(cache, "/a", 10, "Accept-Language", "Accept-Language: en\r\n");
        CachedResponse de = Make(cache, "/a", 11, "Accept-Language", "Accept-Language: de\r\n");
        Assert.Equal([de, en], store.Get("http://s/a"u8).ToArray());
        CachedResponse en2 = Make(cache, "/a", 12, "Accept-Language", "Accept-Language: en\r\n");
        Assert.Equal([en2, de], store.Get("http://s/a"u8).ToArray());
        CachedResponse fr = Make(cache, "/a", 13, "Accept-Language", "Accept-Language: fr\r\n");
        Assert.Equal([fr, en2], store.Get("http://s/a"u8).ToArray()); // at most two: de, the oldest, went
        Assert.Equal(2, store.Count);
        Assert.Equal(fr.Size + en2.Size, store.Size);
        Assert.True(store.Remove(fr));
        Assert.False(store.Remove(fr));
        Assert.Equal([en2], store.Get("http://s/a"u8).ToArray());
        Assert.Equal(1, store.RemoveAll("http://s/a"u8));
        Assert.Equal((0, 0L), (store.Count, store.Size));
    }

    [Fact]
    public void Removes_expired_responses()
    {
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(1_000_000);
        Make(cache, "/short", 10, cacheControl: "max-age=5, must-revalidate"); // of no use once stale: retained until +5 s
        Make(cache, "/long", 10, cacheControl: "max-age=500");
        Assert.Equal(0, store.RemoveExpired(CacheScenario.T0.AddSeconds(5)));
        Assert.Equal(1, store.RemoveExpired(CacheScenario.T0.AddSeconds(6)));
        Assert.True(store.Get("http://s/short"u8).IsEmpty);
        Assert.False(store.Get("http://s/long"u8).IsEmpty);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void A_response_evicted_while_read_stays_valid_for_its_reader()
    {
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(5_000);
        byte[] requestHead = "GET /a HTTP/1.1\r\nHost: s\r\n\r\n"u8.ToArray();
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        byte[] body = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        cache.HandleResponse(request, cache.Lookup(request), "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n\r\n"u8, body, cache.Now, cache.Now);
        CacheResult hit = cache.Lookup(request);
        ReadOnlyMemory<byte> held = hit.Body;
        string head = Encoding.ASCII.GetString(hit.Head.Span);

        Make(cache, "/b", 3000); // evicts /a
        GC.Collect();
        Assert.True(store.Get("http://s/a"u8).IsEmpty);
        Assert.Equal(body, held.ToArray());
        Assert.Equal(head, Encoding.ASCII.GetString(hit.Head.Span));
        var buffer = new byte[hit.MaxHeadLength];
        Assert.True(hit.TryWriteHead(buffer, default, out _));
    }

    [Fact]
    public void Concurrent_puts_gets_and_removes_keep_the_accounting_exact()
    {
        (HttpCache cache, MemoryHttpCacheStore store) = NewStore(200_000);
        // Prepared responses: 64 keys with two variants each, of different sizes.
        var responses = new List<CachedResponse>();
        var maker = new HttpCache(new HttpCacheOptions(), timeProvider: Clock);
        for (int i = 0; i < 64; i++)
        {
            responses.Add(Make(maker, "/k" + i, 500 + 37 * i, "X-V", "X-V: 1\r\n"));
            responses.Add(Make(maker, "/k" + i, 900 + 13 * i, "X-V", "X-V: 2\r\n"));
        }

        byte[][] keys = [.. Enumerable.Range(0, 64).Select(i => Encoding.ASCII.GetBytes("http://s/k" + i))];
        long reads = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var random = new Random(worker);
            for (int n = 0; n < 20_000; n++)
            {
                int pick = random.Next(responses.Count);
                switch (random.Next(10))
                {
                    case < 5:
                        foreach (CachedResponse r in store.Get(keys[pick / 2]).Span)
                        {
                            Assert.True(r.PrimaryKey.SequenceEqual(keys[pick / 2]));
                            Interlocked.Add(ref reads, r.Body.Length > 0 ? 1 : 0);
                        }

                        break;
                    case < 8: store.Put(responses[pick]); break;
                    case 8: store.Remove(responses[pick]); break;
                    default: store.RemoveAll(keys[pick / 2]); break;
                }
            }
        });

        long size = 0;
        int count = 0;
        foreach (byte[] key in keys)
        {
            foreach (CachedResponse r in store.Get(key).Span)
            {
                size += r.Size;
                count++;
            }
        }

        Assert.Equal(count, store.Count);
        Assert.Equal(size, store.Size);
        Assert.True(store.Size <= store.Capacity);
        Assert.True(reads > 0);
        Assert.NotNull(cache);
    }
}
