using System.Text.RegularExpressions;
using HttpGen.Client;
using HttpGen.Tests.Caching;
using Xunit;

namespace HttpGen.Tests.Proxy;

/// <summary>
/// What the proxy does to header fields: hop-by-hop fields stay behind both ways (RFC 9110 §7.6.1), Via is added
/// (§7.6.3), Age and Date on hits follow RFC 9111 §4.2.3 and RFC 9110 §6.6.1, Cache-Status is on every response.
/// </summary>
public sealed class ProxyHeaderTests : ProxyTestBase
{
    private const string DateT0 = "Mon, 01 Jan 2024 00:00:00 GMT";

    [Fact]
    public async Task Age_and_Date_on_a_hit_are_the_stored_Date_and_the_age_the_cache_computes()
    {
        await UseRawUpstreamAsync(head => head.Contains("/aged", StringComparison.Ordinal)
            ? $"HTTP/1.1 200 OK\r\nDate: {DateT0}\r\nAge: 10\r\nCache-Control: max-age=100\r\nContent-Length: 2\r\n\r\nhi"
            : "HTTP/1.1 200 OK\r\nCache-Control: max-age=100\r\nContent-Length: 2\r\n\r\nhi"); // no Date
        Reply miss = await GetAsync("/aged");
        Assert.Equal(("10", DateT0), (miss.Field("Age"), miss.Field("Date"))); // passed on as received

        Clock!.Time = CacheScenario.T0.AddSeconds(30);
        Reply hit = await GetAsync("/aged");
        Assert.Equal("40", hit.Field("Age")); // corrected initial age 10 + 30 s resident
        Assert.Equal(DateT0, hit.Field("Date")); // the origin's, not the proxy's
        Assert.Equal("test-proxy; hit; ttl=60", hit.CacheStatus);

        // An origin without Date: the cache dates the response when it received it (RFC 9110 §6.6.1) and keeps that.
        Clock.Time = CacheScenario.T0.AddSeconds(100);
        await GetAsync("/undated");
        Clock.Time = CacheScenario.T0.AddSeconds(107);
        Reply undated = await GetAsync("/undated");
        Assert.Equal(("7", "Mon, 01 Jan 2024 00:01:40 GMT"), (undated.Field("Age"), undated.Field("Date")));
    }

    [Fact]
    public async Task Hop_by_hop_fields_of_the_response_stay_behind_on_a_miss_and_on_a_hit()
    {
        await UseRawUpstreamAsync(_ => "HTTP/1.1 200 OK\r\nDate: " + DateT0 + "\r\nCache-Control: max-age=100\r\n"
            + "Connection: X-Secret, keep-alive\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n"
            + "Upgrade: h2c\r\nTE: trailers\r\nTrailer: X-Checksum\r\nX-End: kept\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n");
        foreach (string expected in new[] { "fwd=uri-miss", "hit" })
        {
            string response = await RawAsync("GET /hop HTTP/1.1\r\nHost: example.com\r\n\r\n");
            string head = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            foreach (string name in new[] { "Connection", "X-Secret", "Keep-Alive", "Proxy-Connection", "Upgrade", "TE", "Trailer", "Transfer-Encoding" })
            {
                Assert.DoesNotMatch($"(?im)^{name}:", head);
            }

            Assert.Matches("(?m)^X-End: kept\r$", head);
            Assert.Matches("(?m)^Via: 1.1 test-proxy\r$", head);
            Assert.Contains(expected, Regex.Match(head, "(?m)^Cache-Status: (.*)\r$").Groups[1].Value);
            Assert.EndsWith("\r\n\r\nhello", response); // re-framed with Content-Length
        }
    }

    [Fact]
    public async Task Hop_by_hop_fields_of_the_request_stay_behind_and_Via_is_appended()
    {
        string response = await RawAsync("GET /headers HTTP/1.1\r\nHost: example.com\r\nConnection: X-Private, keep-alive\r\n"
            + "X-Private: 1\r\nKeep-Alive: 300\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: websocket\r\n"
            + "Trailer: X-Checksum\r\nVia: 1.0 earlier\r\nX-Kept: yes\r\nExpect: 100-continue\r\n\r\n");
        string received = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        foreach (string name in new[] { "Connection", "X-Private", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade", "Trailer", "Expect" })
        {
            Assert.DoesNotMatch($"(?im)^{name}:", received);
        }

        Assert.Matches("(?m)^Host: example.com\r$", received);
        Assert.Matches("(?m)^X-Kept: yes\r$", received);
        Assert.Equal(["1.0 earlier", "1.1 test-proxy"], Regex.Matches(received, "(?m)^Via: (.*)\r$").Select(m => m.Groups[1].Value)); // the list, in order
        Assert.Matches("(?m)^Cache-Status: test-proxy; fwd=uri-miss; fwd-status=200; detail=no-store\r$", response);
    }

    [Fact]
    public async Task An_HTTP_1_0_request_is_forwarded_with_Via_1_0_and_answered_in_HTTP_1_1()
    {
        string response = await RawAsync("GET /headers HTTP/1.0\r\nHost: example.com\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response);
        Assert.Matches("(?m)^Via: 1.0 test-proxy\r$", response[response.IndexOf("\r\n\r\n", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task Max_Forwards_counts_down_on_OPTIONS_and_TRACE_and_the_last_hop_answers_itself()
    {
        string forwarded = await RawAsync("OPTIONS /headers HTTP/1.1\r\nHost: example.com\r\nMax-Forwards: 5\r\n\r\n");
        Assert.Matches("(?m)^Max-Forwards: 4\r$", forwarded[forwarded.IndexOf("\r\n\r\n", StringComparison.Ordinal)..]);
        Assert.Equal(1, Origin.Hits("/headers"));

        string options = await RawAsync("OPTIONS /headers HTTP/1.1\r\nHost: example.com\r\nMax-Forwards: 0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", options);
        Assert.Matches("(?m)^Via: 1.1 test-proxy\r$", options);
        Assert.Matches("(?m)^Cache-Status: test-proxy; fwd=method\r$", options);

        string trace = await RawAsync("TRACE /t HTTP/1.1\r\nHost: example.com\r\nMax-Forwards: 0\r\nX-Kept: yes\r\nAuthorization: secret\r\n\r\n");
        Assert.Matches("(?m)^Content-Type: message/http\r$", trace);
        Assert.EndsWith("\r\n\r\nTRACE /t HTTP/1.1\r\nHost: example.com\r\nMax-Forwards: 0\r\nX-Kept: yes\r\n\r\n", trace);
        Assert.Equal(1, Origin.TotalHits); // neither reached the origin
    }

    [Fact]
    public async Task Errors_are_502_for_a_refused_connection_or_a_malformed_response_and_504_for_a_slow_origin()
    {
        await UseRawUpstreamAsync(head => head.Contains("/garbage", StringComparison.Ordinal) ? "HTTP/1.1 200OK\r\nContent-Length: 2\r\n\r\nhi" : null);
        Reply garbage = await GetAsync("/garbage");
        Assert.Equal(502, garbage.Status);
        Assert.Equal("test-proxy; fwd=uri-miss", garbage.CacheStatus);
        Assert.Equal("1.1 test-proxy", garbage.Field("Via"));

        int closedPort = HttpGen.Tests.Server.ExternalTools.FreePort();
        await StartProxyAsync(new HttpOrigin("127.0.0.1", closedPort));
        Reply refused = await GetAsync("/x");
        Assert.Equal(502, refused.Status);
        Assert.Contains("bad gateway", refused.Body);
        Assert.Equal("test-proxy; fwd=uri-miss", refused.CacheStatus);

        await StartProxyAsync(new HttpOrigin("127.0.0.1", Origin.Port), upstreamTimeout: TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Reply slow = await GetAsync("/slow?delay=10000");
        Assert.Equal(504, slow.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.Equal("test-proxy; fwd=uri-miss", slow.CacheStatus);

        // The proxy still works after each of them.
        Assert.Equal(200, (await GetAsync("/fine")).Status);
    }
}
