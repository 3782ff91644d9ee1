using Xunit;

namespace HttpGen.Tests.Proxy;

/// <summary>
/// The proxy's shared cache seen from a client (HttpClient) and the origin's request count: hits, validation,
/// conditional requests (RFC 9111 §4.3.2), Vary, what a shared cache does not store, invalidation, stale-if-error.
/// </summary>
public sealed class ProxyCachingTests : ProxyTestBase
{
    [Fact]
    public async Task A_fresh_response_is_served_from_the_cache_without_asking_the_origin()
    {
        const string target = "/page?max-age=60&etag=v1";
        Reply miss = await GetAsync(target);
        Assert.Equal((200, "origin:/page?max-age=60&etag=v1#1"), (miss.Status, miss.Body));
        Assert.StartsWith("test-proxy; fwd=uri-miss; fwd-status=200; ttl=", miss.CacheStatus);
        Assert.EndsWith("; stored", miss.CacheStatus);

        for (int i = 0; i < 3; i++)
        {
            Reply hit = await GetAsync(target);
            Assert.Equal((200, miss.Body), (hit.Status, hit.Body));
            Assert.StartsWith("test-proxy; hit; ttl=", hit.CacheStatus);
            Assert.Equal(miss.Field("Date"), hit.Field("Date"));
            Assert.NotNull(hit.Field("Age"));
            Assert.Equal("1.1 test-proxy", hit.Field("Via"));
        }

        Assert.Equal(1, Origin.Hits(target));
    }

    [Fact]
    public async Task A_stale_response_is_validated_with_the_origin_and_a_304_serves_it_again()
    {
        const string target = "/v?max-age=1&etag=e1";
        await GetAsync(target);
        await Task.Delay(2100); // stale after a second (whole seconds: Date has no fraction)
        Reply validated = await GetAsync(target);
        Assert.Equal("origin:/v?max-age=1&etag=e1#1", validated.Body); // the stored body, validated
        Assert.StartsWith("test-proxy; fwd=stale; fwd-status=304", validated.CacheStatus);
        Assert.Equal(2, Origin.Hits(target));
    }

    [Fact]
    public async Task Vary_selects_the_stored_variant_by_the_request()
    {
        const string target = "/lang?max-age=60&vary=Accept-Language";
        Assert.EndsWith("Accept-Language=en", (await GetAsync(target, ("Accept-Language", "en"))).Body);
        Assert.EndsWith("Accept-Language=fr", (await GetAsync(target, ("Accept-Language", "fr"))).Body);
        Reply en = await GetAsync(target, ("Accept-Language", "en"));
        Reply fr = await GetAsync(target, ("Accept-Language", "fr"));
        Assert.Equal(("origin:" + target + "#1 Accept-Language=en", "origin:" + target + "#2 Accept-Language=fr"), (en.Body, fr.Body));
        Assert.Contains("hit", en.CacheStatus);
        Assert.Equal(2, Origin.Hits(target));
    }

    [Theory]
    [InlineData("/auth?max-age=60", true, "authorization")] // RFC 9111 §3.5
    [InlineData("/priv?max-age=60&private", false, "private")] // §5.2.2.7
    [InlineData("/ns?max-age=60&no-store", false, "no-store")]
    public async Task A_shared_cache_does_not_store_what_is_meant_for_one_user(string target, bool authorization, string detail)
    {
        (string, string)[] headers = authorization ? [("Authorization", "Bearer secret")] : [];
        Reply first = await GetAsync(target, headers);
        Assert.Contains("detail=" + detail, first.CacheStatus);
        Reply second = await GetAsync(target, headers);
        Assert.DoesNotContain("hit", second.CacheStatus);
        Assert.Equal(2, Origin.Hits(target));
    }

    [Fact]
    public async Task A_response_to_a_request_with_Authorization_is_stored_when_the_origin_says_public()
    {
        const string target = "/auth?max-age=60&public";
        await GetAsync(target, ("Authorization", "Bearer secret"));
        Assert.Contains("hit", (await GetAsync(target, ("Authorization", "Bearer secret"))).CacheStatus);
        Assert.Equal(1, Origin.Hits(target));
    }

    [Fact]
    public async Task A_POST_invalidates_the_stored_response_of_its_target()
    {
        const string target = "/echo?max-age=60";
        await GetAsync(target);
        Assert.Contains("hit", (await GetAsync(target)).CacheStatus);
        using var post = new HttpRequestMessage(HttpMethod.Post, Url(target)) { Content = new StringContent("changed") };
        Reply posted = await SendAsync(post);
        Assert.Equal("changed", posted.Body);
        Assert.StartsWith("test-proxy; fwd=method; fwd-status=200", posted.CacheStatus);
        Assert.StartsWith("test-proxy; fwd=uri-miss", (await GetAsync(target)).CacheStatus);
    }

    // RFC 9111 §4.3.2: a cache answers a conditional request from a fresh stored response itself.
    [Theory]
    [InlineData("If-None-Match", "\"c1\"", 304)]
    [InlineData("If-None-Match", "\"other\", W/\"c1\"", 304)] // weak comparison
    [InlineData("If-None-Match", "\"other\"", 200)]
    [InlineData("If-None-Match", "*", 304)]
    public async Task A_conditional_request_on_a_fresh_response_is_answered_by_the_cache(string name, string value, int expected)
    {
        const string target = "/cond?max-age=60&etag=c1";
        await GetAsync(target);
        Reply answer = await GetAsync(target, (name, value));
        Assert.Equal(expected, answer.Status);
        Assert.StartsWith("test-proxy; hit", answer.CacheStatus);
        Assert.Equal(expected == 304 ? "" : "origin:" + target + "#1", answer.Body);
        Assert.Equal("\"c1\"", answer.Field("ETag"));
        Assert.Equal(1, Origin.Hits(target));
    }

    [Fact]
    public async Task If_Modified_Since_is_answered_from_Last_Modified()
    {
        const string target = "/ims?max-age=60&lm=3600";
        Reply first = await GetAsync(target);
        string lastModified = first.Field("Last-Modified")!;
        Assert.Equal(304, (await GetAsync(target, ("If-Modified-Since", lastModified))).Status);
        Assert.Equal(200, (await GetAsync(target, ("If-Modified-Since", DateTimeOffset.UtcNow.AddDays(-2).ToString("r")))).Status);
        Assert.Equal(1, Origin.Hits(target));
    }

    [Fact]
    public async Task A_conditional_request_the_cache_cannot_answer_goes_to_the_origin_as_it_is()
    {
        // Nothing stored: the client's own If-None-Match goes through, and the origin's 304 comes back.
        const string target = "/pass?max-age=60&etag=p1";
        Reply notModified = await GetAsync(target, ("If-None-Match", "\"p1\""));
        Assert.Equal(304, notModified.Status);
        Assert.StartsWith("test-proxy; fwd=uri-miss; fwd-status=304", notModified.CacheStatus);

        // If-Match is the origin's to evaluate (§4.3.2), whatever is stored.
        await GetAsync(target);
        Reply ifMatch = await GetAsync(target, ("If-Match", "\"p1\""));
        Assert.StartsWith("test-proxy; fwd=request", ifMatch.CacheStatus);
        Assert.Equal(3, Origin.Hits(target));
    }

    [Fact]
    public async Task A_stale_response_may_be_served_when_the_origin_is_down_if_stale_if_error_allows()
    {
        const string kept = "/sie?max-age=1&sie=600";
        const string lost = "/nosie?max-age=1";
        await GetAsync(kept);
        await GetAsync(lost);
        await Origin.DisposeAsync();
        await Task.Delay(2100);

        Reply stale = await GetAsync(kept);
        Assert.Equal((200, "origin:" + kept + "#1"), (stale.Status, stale.Body));
        Assert.Contains("detail=stale-if-error", stale.CacheStatus);
        Reply failed = await GetAsync(lost);
        Assert.Equal(502, failed.Status);
        Assert.StartsWith("test-proxy; fwd=stale", failed.CacheStatus);
    }
}
