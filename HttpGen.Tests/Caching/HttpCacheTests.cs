using System.Text;
using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>What the cache stores of a response (RFC 9111 §3.1, §3.2), the heads it writes, keys and requests.</summary>
public class HttpCacheTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s.Replace("\n", "\r\n"));

    private static string S(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);

    private static (HttpCache Cache, ManualClock Clock) NewCache(bool shared = false, long maxEntrySize = 1024)
    {
        var clock = new ManualClock(CacheScenario.T0);
        return (new HttpCache(new HttpCacheOptions { Shared = shared, MaxEntrySize = maxEntrySize }, timeProvider: clock), clock);
    }

    private static CacheResult Get(HttpCache cache, string target = "/a", string fields = "")
    {
        byte[] head = B($"GET {target} HTTP/1.1\nHost: example.com\n{fields}\n");
        Assert.True(CacheRequest.TryParse(head, "http"u8, out CacheRequest request));
        return cache.Lookup(request);
    }

    private static CacheResult Respond(HttpCache cache, string responseHead, string body = "hello", string target = "/a", string fields = "")
    {
        byte[] head = B($"GET {target} HTTP/1.1\nHost: example.com\n{fields}\n");
        Assert.True(CacheRequest.TryParse(head, "http"u8, out CacheRequest request));
        CacheResult lookup = cache.Lookup(request);
        return cache.HandleResponse(request, lookup, B(responseHead), Encoding.ASCII.GetBytes(body), cache.Now, cache.Now);
    }

    [Fact]
    public void Stored_head_drops_hop_by_hop_and_proxy_fields_sets_length_and_adds_date()
    {
        (HttpCache cache, _) = NewCache();
        CacheResult stored = Respond(cache, "HTTP/1.0 200 Fine\nConnection: keep-alive, X-Hop\nKeep-Alive: timeout=5\nX-Hop: 1\n"
            + "Transfer-Encoding: chunked\nTE: trailers\nTrailer: X-Sum\nUpgrade: h2c\nProxy-Connection: close\nProxy-Authenticate: Basic\nAge: 3\n"
            + "Cache-Control: max-age=60\nX-Kept: yes\n\n");
        Assert.True(stored.Status.Stored);
        CachedResponse response = Assert.Single(cache.Store.Get("http://example.com/a"u8).ToArray());
        Assert.Equal("HTTP/1.1 200 Fine\r\nCache-Control: max-age=60\r\nX-Kept: yes\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 5\r\n\r\n",
            S(response.Head.Span));
        Assert.Equal("hello", S(response.Body.Span));
        Assert.Equal(TimeSpan.FromSeconds(3), response.GetCurrentAge(CacheScenario.T0)); // Age is kept as a value, not a field
    }

    [Fact]
    public void An_invalid_date_is_replaced_and_only_the_first_date_kept()
    {
        (HttpCache cache, _) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nDate: yesterday\nCache-Control: max-age=60\n\n", target: "/a");
        Respond(cache, "HTTP/1.1 200 OK\nDate: Sun, 31 Dec 2023 23:59:00 GMT\nDate: Sun, 31 Dec 2023 23:59:30 GMT\nCache-Control: max-age=60\n\n", target: "/b");
        Assert.Contains("\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n", S(cache.Store.Get("http://example.com/a"u8).Span[0].Head.Span));
        Assert.DoesNotContain("yesterday", S(cache.Store.Get("http://example.com/a"u8).Span[0].Head.Span));
        string b = S(cache.Store.Get("http://example.com/b"u8).Span[0].Head.Span);
        Assert.Contains("Date: Sun, 31 Dec 2023 23:59:00 GMT", b);
        Assert.DoesNotContain("23:59:30", b);
    }

    [Theory]
    [InlineData(true, "X-Secret")]
    [InlineData(false, null)]
    public void Qualified_private_strips_its_fields_in_a_shared_cache_only(bool shared, string? stripped)
    {
        (HttpCache cache, _) = NewCache(shared);
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: private=\"X-Secret\", max-age=60\nX-Secret: s\nX-Public: p\n\n");
        string head = S(cache.Store.Get("http://example.com/a"u8).Span[0].Head.Span);
        Assert.Contains("X-Public: p", head);
        Assert.Equal(stripped is null, head.Contains("X-Secret: s"));
    }

    [Fact]
    public void Qualified_no_cache_strips_its_fields_and_the_rest_is_served_fresh()
    {
        (HttpCache cache, _) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: no-cache=\"Set-Cookie\", max-age=60\nSet-Cookie: id=1\nSet-Cookie: x=2\nContent-Type: text/plain\n\n");
        CacheResult hit = Get(cache);
        Assert.Equal(CacheAction.ServeStored, hit.Action);
        Assert.DoesNotContain("\r\nSet-Cookie:", S(hit.Head.Span));
        Assert.Contains("Content-Type: text/plain", S(hit.Head.Span));
    }

    [Fact]
    public void A_304_replaces_the_fields_it_carries_and_keeps_the_others_and_the_length()
    {
        (HttpCache cache, ManualClock clock) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=10\nETag: \"v1\"\nX-Version: 1\nX-Version: 1b\nContent-Type: text/plain\n\n");
        clock.Time = CacheScenario.T0.AddSeconds(20);
        CacheResult validate = Get(cache);
        Assert.Equal(CacheAction.SendConditional, validate.Action);
        byte[] request = B("GET /a HTTP/1.1\nHost: example.com\n\n");
        CacheRequest.TryParse(request, "http"u8, out CacheRequest r);
        CacheResult served = cache.HandleResponse(r, validate, B("HTTP/1.1 304 Not Modified\nETag: \"v1\"\nX-Version: 2\nContent-Length: 99\nConnection: close\n"
            + "Date: Mon, 01 Jan 2024 00:00:20 GMT\n\n"), default, clock.Time, clock.Time);
        Assert.Equal(CacheAction.ServeStored, served.Action);
        Assert.Equal("HTTP/1.1 200 OK\r\nCache-Control: max-age=10\r\nContent-Type: text/plain\r\nETag: \"v1\"\r\nX-Version: 2\r\n"
            + "Date: Mon, 01 Jan 2024 00:00:20 GMT\r\nContent-Length: 5\r\n\r\n", S(served.Head.Span));
        Assert.Equal("hello", S(served.Body.Span));
    }

    [Fact]
    public void Writes_the_hit_head_with_age_and_cache_status_and_extra_fields()
    {
        (HttpCache cache, ManualClock clock) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=60\nAge: 2\nDate: Mon, 01 Jan 2024 00:00:00 GMT\n\n");
        clock.Time = CacheScenario.T0.AddSeconds(7);
        CacheResult hit = Get(cache);
        var buffer = new byte[hit.MaxHeadLength + 32];
        Assert.True(hit.TryWriteHead(buffer, "Connection: close\r\n"u8, out int written));
        Assert.Equal("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 5\r\nAge: 9\r\n"
            + "Cache-Status: HttpGen; hit; ttl=51\r\nConnection: close\r\n\r\n", S(buffer.AsSpan(0, written)));
        for (int size = 0; size < written; size += 7)
        {
            Assert.False(hit.TryWriteHead(buffer.AsSpan(0, size), "Connection: close\r\n"u8, out int partial));
            Assert.Equal(0, partial);
        }

        Span<byte> status = stackalloc byte[64];
        Assert.True(hit.TryWriteCacheStatus(status, out int statusLength));
        Assert.Equal("HttpGen; hit; ttl=51", S(status[..statusLength]));
    }

    [Fact]
    public void Writes_a_304_with_the_fields_a_304_carries()
    {
        (HttpCache cache, _) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=60\nETag: \"v1\"\nContent-Type: text/plain\nVary: Accept\nExpires: Mon, 01 Jan 2024 00:01:00 GMT\n"
            + "Last-Modified: Sun, 31 Dec 2023 00:00:00 GMT\nContent-Location: /a.txt\nX-Other: 1\n\n");
        CacheResult notModified = Get(cache, fields: "If-None-Match: \"v1\"\n");
        Assert.Equal(CacheAction.ServeNotModified, notModified.Action);
        Assert.True(notModified.Body.IsEmpty);
        var buffer = new byte[notModified.MaxHeadLength];
        Assert.True(notModified.TryWriteHead(buffer, default, out int written));
        Assert.Equal("HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=60\r\nETag: \"v1\"\r\nVary: Accept\r\nExpires: Mon, 01 Jan 2024 00:01:00 GMT\r\n"
            + "Last-Modified: Sun, 31 Dec 2023 00:00:00 GMT\r\nContent-Location: /a.txt\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nAge: 0\r\n"
            + "Cache-Status: HttpGen; hit; ttl=60\r\n\r\n", S(buffer.AsSpan(0, written)));
    }

    [Fact]
    public void Writes_a_504_for_only_if_cached_and_refuses_to_write_a_forward()
    {
        (HttpCache cache, _) = NewCache();
        CacheResult result = Get(cache, fields: "Cache-Control: only-if-cached\n");
        var buffer = new byte[result.MaxHeadLength];
        Assert.True(result.TryWriteHead(buffer, default, out int written));
        Assert.Equal("HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nCache-Status: HttpGen; detail=only-if-cached\r\n\r\n",
            S(buffer.AsSpan(0, written)));
        CacheResult miss = Get(cache);
        Assert.Equal(CacheAction.Send, miss.Action);
        Assert.Throws<InvalidOperationException>(() => miss.TryWriteHead(buffer, default, out _));
        Assert.True(miss.Head.IsEmpty && miss.Body.IsEmpty);
        Assert.True(miss.TryWriteConditionalFields(buffer, out written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Conditional_fields_fail_cleanly_when_the_buffer_is_small()
    {
        (HttpCache cache, ManualClock clock) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=1\nETag: W/\"v1\"\nLast-Modified: Sun, 31 Dec 2023 00:00:00 GMT\n\n");
        clock.Time = CacheScenario.T0.AddSeconds(5);
        CacheResult validate = Get(cache);
        var buffer = new byte[200];
        Assert.True(validate.TryWriteConditionalFields(buffer, out int written));
        Assert.Equal("If-None-Match: W/\"v1\"\r\nIf-Modified-Since: Sun, 31 Dec 2023 00:00:00 GMT\r\n", S(buffer.AsSpan(0, written)));
        Assert.Equal("Sun, 31 Dec 2023 00:00:00 GMT", S(validate.IfModifiedSince));
        Assert.False(validate.TryWriteConditionalFields(buffer.AsSpan(0, written - 1), out int partial));
        Assert.Equal(0, partial);
    }

    [Theory]
    [InlineData("http", "EXAMPLE.com:80", "/a", "http://example.com/a")]
    [InlineData("HTTPS", "Example.com:443", "/a?q=1", "https://example.com/a?q=1")]
    [InlineData("https", "example.com:80", "", "https://example.com:80/")]
    [InlineData("http", "[::1]:8080", "?x", "http://[::1]:8080/?x")]
    [InlineData("http", "[::1]", "/", "http://[::1]/")]
    [InlineData("http", "example.com", "/a#frag", "http://example.com/a")]
    public void Primary_key_normalizes_scheme_host_and_default_port(string scheme, string authority, string path, string key)
    {
        (HttpCache cache, _) = NewCache();
        var request = new CacheRequest("GET"u8, Encoding.ASCII.GetBytes(scheme), Encoding.ASCII.GetBytes(authority), Encoding.ASCII.GetBytes(path), default);
        CacheResult lookup = cache.Lookup(request);
        cache.HandleResponse(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\n\n"), "x"u8, cache.Now, cache.Now);
        Assert.Equal(key, S(Assert.Single(cache.Store.Get(Encoding.ASCII.GetBytes(key)).ToArray()).PrimaryKey));
    }

    [Fact]
    public void Request_parse_takes_the_authority_from_host_or_the_absolute_target()
    {
        Assert.True(CacheRequest.TryParse(B("GET /p?q HTTP/1.1\nHost: h:81\nAccept: */*\n\n"), "http"u8, out CacheRequest origin));
        Assert.Equal("h:81", S(origin.Authority));
        Assert.Equal("/p?q", S(origin.PathAndQuery));
        Assert.Equal("GET", S(origin.Method));
        Assert.StartsWith("Host: h:81", S(origin.HeaderBlock));
        Assert.True(CacheRequest.TryParse(B("GET https://x.example:8443/p HTTP/1.1\nHost: ignored\n\n"), "http"u8, out CacheRequest absolute));
        Assert.Equal("https", S(absolute.Scheme));
        Assert.Equal("x.example:8443", S(absolute.Authority));
        Assert.Equal("/p", S(absolute.PathAndQuery));
        Assert.False(CacheRequest.TryParse(B("GET /p HTTP/1.1\n\n"), "http"u8, out _)); // no Host
        Assert.False(CacheRequest.TryParse(B("GET\n\n"), "http"u8, out _));
        Assert.False(CacheRequest.TryParse(B("OPTIONS * HTTP/1.1\nHost: h\n\n"), "http"u8, out _));
    }

    [Fact]
    public void A_cache_name_that_is_not_a_token_is_written_as_a_string()
    {
        var cache = new HttpCache(new HttpCacheOptions { Name = "edge \"7\"" });
        CacheResult result = Get(cache, fields: "Cache-Control: only-if-cached\n");
        Span<byte> buffer = stackalloc byte[64];
        Assert.True(result.TryWriteCacheStatus(buffer, out int written));
        Assert.Equal("\"edge \\\"7\\\"\"; detail=only-if-cached", S(buffer[..written]));
        Assert.Throws<ArgumentException>(() => new HttpCache(new HttpCacheOptions { Name = "caché" }));
        Assert.Throws<ArgumentException>(() => new HttpCache(new HttpCacheOptions { Name = "" }));
    }

    [Fact]
    public void A_streamed_body_is_stored_when_complete_and_dropped_when_short_or_too_large()
    {
        (HttpCache cache, _) = NewCache(maxEntrySize: 8);
        byte[] requestHead = B("GET /a HTTP/1.1\nHost: example.com\n\n");
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        CacheResult lookup = cache.Lookup(request);

        // Announced by Content-Length: a shorter body is incomplete (RFC 9111 §3.3).
        CacheResult result = cache.HandleResponseHead(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\nContent-Length: 5\n\n"), cache.Now, cache.Now, out PendingCacheEntry? pending);
        Assert.True(result.Status.Stored);
        Assert.NotNull(pending);
        Assert.False(pending.Complete("abc"u8));
        Assert.Throws<InvalidOperationException>(() => pending.Complete("abcde"u8));
        Assert.Equal(0, cache.Store.Count);
        result = cache.HandleResponse(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\nContent-Length: 5\n\n"), "abc"u8, cache.Now, cache.Now);
        Assert.Equal("HttpGen; fwd=uri-miss; fwd-status=200; detail=incomplete", result.Status.ToString());

        // Chunked: unknown length, complete at 6 bytes.
        cache.HandleResponseHead(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\nTransfer-Encoding: chunked\n\n"), cache.Now, cache.Now, out pending);
        Assert.True(pending!.Complete("abcdef"u8));
        Assert.Equal("abcdef", S(cache.Store.Get("http://example.com/a"u8).Span[0].Body.Span));

        // Over the limit: known from Content-Length, or found when complete.
        result = cache.HandleResponseHead(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\nContent-Length: 9\n\n"), cache.Now, cache.Now, out pending);
        Assert.Null(pending);
        Assert.Equal("HttpGen; fwd=uri-miss; fwd-status=200; detail=too-large", result.Status.ToString());
        result = cache.HandleResponse(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\n\n"), "123456789"u8, cache.Now, cache.Now);
        Assert.Equal("HttpGen; fwd=uri-miss; fwd-status=200; detail=too-large", result.Status.ToString());
        Assert.Equal("abcdef", S(cache.Store.Get("http://example.com/a"u8).Span[0].Body.Span));
    }

    [Fact]
    public void A_body_appended_as_it_streams_is_stored_when_complete_and_dropped_when_short_too_large_or_abandoned()
    {
        (HttpCache cache, _) = NewCache(maxEntrySize: 8);
        byte[] requestHead = B("GET /a HTTP/1.1\nHost: example.com\n\n");
        CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest request);
        CacheResult lookup = cache.Lookup(request);
        PendingCacheEntry Pending(string framing)
        {
            CacheRequest.TryParse(requestHead, "http"u8, out CacheRequest r);
            cache.HandleResponseHead(r, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=60\n" + framing + "\n\n"), cache.Now, cache.Now, out PendingCacheEntry? p);
            return p!;
        }

        // Announced by Content-Length: stored once all of it came, in pieces; the pieces are copied as they come.
        PendingCacheEntry pending = Pending("Content-Length: 5");
        Assert.Equal(5, pending.ExpectedLength);
        byte[] piece = "abc"u8.ToArray();
        Assert.True(pending.Append(piece));
        piece[0] = (byte)'X';
        Assert.True(pending.Append("de"u8));
        Assert.Throws<InvalidOperationException>(() => pending.Complete("abcde"u8));
        Assert.True(pending.Complete());
        Assert.Equal("abcde", S(cache.Store.Get("http://example.com/a"u8).Span[0].Body.Span));
        Assert.Throws<InvalidOperationException>(() => pending.Complete());

        // Short of its Content-Length, or past it: not stored.
        pending = Pending("Content-Length: 5");
        Assert.True(pending.Append("abc"u8));
        Assert.False(pending.Complete());
        pending = Pending("Content-Length: 5");
        Assert.False(pending.Append("abcdef"u8));
        Assert.True(pending.IsClosed);
        Assert.False(pending.Complete());

        // Chunked: grows until complete, or gives up past the entry size.
        pending = Pending("Transfer-Encoding: chunked");
        Assert.Equal(-1, pending.ExpectedLength);
        Assert.True(pending.Append("1234"u8) && pending.Append("567"u8));
        Assert.Equal(7, pending.AppendedLength);
        Assert.True(pending.Complete());
        Assert.Equal("1234567", S(cache.Store.Get("http://example.com/a"u8).Span[0].Body.Span));
        pending = Pending("Transfer-Encoding: chunked");
        Assert.True(pending.Append("1234"u8));
        Assert.False(pending.Append("56789"u8));
        Assert.False(pending.Append("x"u8));
        Assert.False(pending.Complete());

        // Abandoned by a reader that stopped early.
        pending = Pending("Content-Length: 2");
        Assert.True(pending.Append("o"u8));
        pending.Abandon();
        Assert.False(pending.Append("k"u8));
        Assert.False(pending.Complete());
        Assert.Equal("1234567", S(cache.Store.Get("http://example.com/a"u8).Span[0].Body.Span));
    }

    [Fact]
    public void Background_revalidations_are_one_per_URI_and_bounded_in_all()
    {
        var clock = new ManualClock(CacheScenario.T0);
        var cache = new HttpCache(new HttpCacheOptions { MaxBackgroundRevalidations = 2 }, timeProvider: clock);
        CacheResult StaleHit(string target)
        {
            byte[] head = B($"GET {target} HTTP/1.1\nHost: example.com\n\n");
            CacheRequest.TryParse(head, "http"u8, out CacheRequest request);
            CacheResult lookup = cache.Lookup(request);
            if (lookup.Action == CacheAction.Send)
            {
                clock.Time = CacheScenario.T0;
                cache.HandleResponse(request, lookup, B("HTTP/1.1 200 OK\nCache-Control: max-age=10, stale-while-revalidate=60\nETag: \"x\"\n\n"), "x"u8, cache.Now, cache.Now);
                clock.Time = CacheScenario.T0.AddSeconds(20);
                lookup = cache.Lookup(request);
            }

            Assert.True(lookup.RevalidateInBackground);
            return lookup;
        }

        CacheResult a = StaleHit("/a"), b = StaleHit("/b"), c = StaleHit("/c");
        Assert.True(cache.TryBeginBackgroundRevalidation(a, out BackgroundRevalidation? first));
        Assert.False(cache.TryBeginBackgroundRevalidation(StaleHit("/a"), out _)); // the same URI: already in flight
        Assert.True(cache.TryBeginBackgroundRevalidation(b, out BackgroundRevalidation? second));
        Assert.False(cache.TryBeginBackgroundRevalidation(c, out _)); // two in flight, the most allowed
        Assert.Equal(2, cache.BackgroundRevalidations);

        first.Dispose();
        first.Dispose(); // once only
        Assert.Equal(1, cache.BackgroundRevalidations);
        Assert.True(cache.TryBeginBackgroundRevalidation(c, out BackgroundRevalidation? third));
        Assert.False(cache.TryBeginBackgroundRevalidation(StaleHit("/a"), out _)); // still two in flight
        second.Dispose();
        third.Dispose();
        Assert.Equal(0, cache.BackgroundRevalidations);
        Assert.False(cache.TryBeginBackgroundRevalidation(cache.Lookup(default), out _)); // nothing asked for
    }

    [Fact]
    public void Counts_hits_misses_validations_and_stores()
    {
        (HttpCache cache, ManualClock clock) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=10\nETag: \"v1\"\n\n");
        Get(cache);
        Get(cache);
        clock.Time = CacheScenario.T0.AddSeconds(20);
        Get(cache);
        Assert.Equal((2L, 1L, 1L, 1L), (cache.Hits, cache.Misses, cache.Validations, cache.Stores));
    }

    [Fact]
    public void Cached_response_exposes_freshness_and_validators()
    {
        (HttpCache cache, _) = NewCache();
        Respond(cache, "HTTP/1.1 200 OK\nCache-Control: max-age=60, must-revalidate\nETag: W/\"t\"\nDate: Sun, 31 Dec 2023 23:59:50 GMT\n\n");
        CachedResponse r = cache.Store.Get("http://example.com/a"u8).Span[0];
        Assert.Equal(200, r.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), r.FreshnessLifetime);
        Assert.Equal(TimeSpan.FromSeconds(10), r.GetCurrentAge(CacheScenario.T0));
        Assert.True(r.IsFresh(CacheScenario.T0.AddSeconds(49)));
        Assert.False(r.IsFresh(CacheScenario.T0.AddSeconds(50)));
        Assert.True(r.HasETag && r.ETag.IsWeak && r.ETag.Tag.SequenceEqual("t"u8));
        Assert.True(r.CacheControl.MustRevalidate);
        Assert.Equal(CacheScenario.T0.AddSeconds(50 + 600), r.RetainUntil); // stale at 50, kept 10 minutes for validation
        Assert.Equal(CacheScenario.T0, r.ResponseTime);
    }
}
