using System.Net;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Tests.Caching;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// The client's private cache against a real (raw socket) origin that counts connections and requests: what is
/// answered without the network, what is validated and how, what is stored and what is not.
/// </summary>
public sealed class ClientCacheTests : ClientCacheTestBase
{
    [Fact]
    public async Task A_fresh_hit_opens_no_connection_and_sends_nothing()
    {
        Script(_ => Ok("Cache-Control: max-age=60\r\n" + DateT0, "v1"));
        Answer first = await SendAsync("/a");
        Assert.False(first.FromCache);
        Assert.True(first.CacheStatus.Stored);
        int connections = Server.TotalConnections;
        long opened = Client.ConnectionsOpened;
        int idle = Client.GetIdleConnectionCount(Origin);

        At(25);
        for (int i = 0; i < 3; i++)
        {
            Answer hit = await SendAsync("/a");
            Assert.True(hit.FromCache);
            Assert.Equal((200, "v1"), (hit.Status, hit.Body));
            Assert.Equal("25", hit.Field("Age"));
            Assert.Equal("HttpGen; hit; ttl=35", hit.Field("Cache-Status"));
            Assert.Equal("Mon, 01 Jan 2024 00:00:00 GMT", hit.Field("Date"));
        }

        AssertOriginRequests(1);
        Assert.Equal(connections, Server.TotalConnections);
        Assert.Equal(opened, Client.ConnectionsOpened);
        Assert.Equal(idle, Client.GetIdleConnectionCount(Origin));
    }

    [Fact]
    public async Task A_fresh_hit_needs_no_name_lookup_and_no_reachable_origin()
    {
        // The stored response is for a host name that cannot be resolved (RFC 6761 .invalid): only the cache can answer.
        var origin = new HttpOrigin("cache-test.invalid", 8080);
        Assert.True(CacheRequest.TryParse("GET /doc HTTP/1.1\r\nHost: cache-test.invalid:8080\r\n\r\n"u8, "http"u8, out CacheRequest request));
        Cache.HandleResponse(request, Cache.Lookup(request), "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\n\r\n"u8, "stored"u8, Cache.Now, Cache.Now);

        var message = new ClientTestRequest { Target = "/doc"u8, Host = origin.HostHeader.Span };
        await using (HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(origin, message))
        {
            Assert.True(response.IsFromCache);
            Assert.Equal("stored", System.Text.Encoding.ASCII.GetString((await response.ReadAllAsync()).Span));
        }

        Assert.Equal(0, Client.ConnectionsOpened);
        Assert.Equal(0, Client.GetConnectionCount(origin));

        // A miss for the same host does need the network, and fails there.
        message.Target = "/other"u8;
        HttpGenClientException e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await Client.SendAsync(origin, message));
        Assert.Equal(HttpClientErrorKind.NameResolution, e.Kind);
    }

    [Fact]
    public async Task A_stale_response_with_an_ETag_is_revalidated_with_If_None_Match_and_a_304_serves_the_stored_body()
    {
        Script(head => head.Contains("If-None-Match: \"v1\"", StringComparison.Ordinal)
            ? Empty("304 Not Modified", "ETag: \"v1\"\r\nCache-Control: max-age=60\r\nX-Updated: yes\r\nDate: Mon, 01 Jan 2024 00:02:00 GMT\r\n")
            : Ok("ETag: \"v1\"\r\nCache-Control: max-age=60\r\n" + DateT0, "body-v1"));
        await SendAsync("/doc");

        At(120);
        Answer validated = await SendAsync("/doc");
        Assert.Contains("\r\nIf-None-Match: \"v1\"\r\n", Received[1]);
        Assert.True(validated.FromCache);
        Assert.Equal((200, "body-v1"), (validated.Status, validated.Body));
        Assert.Equal("yes", validated.Field("X-Updated")); // the stored headers were updated (RFC 9111 §4.3.4)
        Assert.Equal("HttpGen; fwd=stale; fwd-status=304; ttl=60", validated.Field("Cache-Status"));

        At(130);
        Answer fresh = await SendAsync("/doc");
        Assert.True(fresh.FromCache);
        Assert.Equal("10", fresh.Field("Age"));
        AssertOriginRequests(2);
    }

    [Fact]
    public async Task A_stale_response_with_Last_Modified_is_revalidated_with_If_Modified_Since()
    {
        const string lastModified = "Sun, 31 Dec 2023 00:00:00 GMT";
        Script(head => head.Contains("If-Modified-Since: " + lastModified, StringComparison.Ordinal)
            ? Empty("304 Not Modified", "Cache-Control: max-age=60\r\n" + DateNow)
            : Ok($"Last-Modified: {lastModified}\r\nCache-Control: max-age=10\r\n" + DateT0, "lm"));
        await SendAsync("/lm");

        At(20);
        Answer validated = await SendAsync("/lm");
        Assert.Contains("\r\nIf-Modified-Since: " + lastModified + "\r\n", Received[1]);
        Assert.DoesNotContain("If-None-Match", Received[1]);
        Assert.True(validated.FromCache);
        Assert.Equal("lm", validated.Body);
    }

    [Fact]
    public async Task A_200_to_the_revalidation_replaces_the_stored_response()
    {
        int version = 1;
        Script(_ => Ok($"ETag: \"v{version}\"\r\nCache-Control: max-age=60\r\n" + DateNow, "body-v" + version));
        await SendAsync("/doc");
        version = 2;

        At(120);
        Answer replaced = await SendAsync("/doc");
        Assert.False(replaced.FromCache);
        Assert.Equal("body-v2", replaced.Body);
        Assert.Equal(CacheForwardReason.Stale, replaced.CacheStatus.Forward);
        Assert.True(replaced.CacheStatus.Stored);

        At(130);
        Answer hit = await SendAsync("/doc");
        Assert.True(hit.FromCache);
        Assert.Equal("body-v2", hit.Body);
        AssertOriginRequests(2);
    }

    [Fact]
    public async Task Vary_keeps_one_response_per_variant_and_never_serves_one_to_another()
    {
        Script(head =>
        {
            string encoding = head.Contains("Accept-Encoding: br", StringComparison.Ordinal) ? "br" : "gzip";
            return Ok($"Vary: Accept-Encoding\r\nETag: \"{encoding}\"\r\nCache-Control: max-age=60\r\n" + DateT0, "in-" + encoding);
        });
        Assert.Equal("in-gzip", (await SendAsync("/v", "Accept-Encoding: gzip\r\n")).Body);

        Answer other = await SendAsync("/v", "Accept-Encoding: br\r\n");
        Assert.False(other.FromCache);
        Assert.Equal("in-br", other.Body);
        Assert.Equal(CacheForwardReason.VaryMiss, other.CacheStatus.Forward);
        Assert.Contains("\r\nIf-None-Match: \"gzip\"\r\n", Received[1]); // the stored variant's tag, for the origin to choose (§4.1)

        Assert.Equal("in-gzip", (await SendAsync("/v", "Accept-Encoding: gzip\r\n")).Body);
        Assert.Equal("in-br", (await SendAsync("/v", "Accept-Encoding: br\r\n")).Body);
        AssertOriginRequests(2);
    }

    [Fact]
    public async Task A_private_cache_stores_responses_to_requests_with_Authorization_and_private_responses()
    {
        // RFC 9111 §3.5 and §5.2.2.7 restrict shared caches only: a client's own cache keeps its user's responses.
        Script(head => Ok("Cache-Control: private, max-age=60\r\n" + DateT0, head.Contains("Authorization: Bearer a", StringComparison.Ordinal) ? "for-a" : "anonymous"));
        Assert.Equal("for-a", (await SendAsync("/me", "Authorization: Bearer a\r\n")).Body);
        Answer hit = await SendAsync("/me", "Authorization: Bearer a\r\n");
        Assert.True(hit.FromCache);
        Assert.Equal("for-a", hit.Body);
        AssertOriginRequests(1);
    }

    [Theory]
    [InlineData("Cache-Control: no-store, max-age=60\r\n", "", CacheStatusDetail.NoStore)]
    [InlineData("Cache-Control: max-age=60\r\n", "Cache-Control: no-store\r\n", CacheStatusDetail.RequestNoStore)]
    public async Task No_store_in_the_response_or_the_request_stores_nothing(string responseFields, string requestFields, CacheStatusDetail why)
    {
        Script(_ => Ok(responseFields + DateT0, "x"));
        Answer first = await SendAsync("/ns", requestFields);
        Assert.False(first.CacheStatus.Stored);
        Assert.Equal(why, first.CacheStatus.Detail);
        Assert.False((await SendAsync("/ns", requestFields)).FromCache);
        AssertOriginRequests(2);
        Assert.Equal(0, Cache.Store.Count);
    }

    [Fact]
    public async Task An_unsafe_method_invalidates_the_target_and_same_origin_Location_but_not_another_origin()
    {
        await using var other = new RawHttpServer();
        var otherOrigin = new HttpOrigin("127.0.0.1", other.Port);
        other.Respond = _ => Task.FromResult<string?>(Ok("Cache-Control: max-age=60\r\n" + DateT0, "other"));
        string otherLocation = $"http://127.0.0.1:{other.Port}/b";
        Script(head => head.StartsWith("POST", StringComparison.Ordinal)
            ? Empty("201 Created", $"Location: /b\r\nContent-Location: {otherLocation}\r\nContent-Length: 0\r\n")
            : Ok("Cache-Control: max-age=60\r\n" + DateT0, "here"));
        await SendAsync("/a");
        await SendAsync("/b");
        await using (HttpGenResponse<ClientTestResponse> r = await Client.SendAsync(otherOrigin, new ClientTestRequest { Target = "/b"u8, Host = otherOrigin.HostHeader.Span }))
        {
            await r.ReadAllAsync();
        }

        Assert.True((await SendAsync("/a")).FromCache);
        await SendAsync("/a", method: RequestMethod.Post, content: "form"u8.ToArray());

        Assert.False((await SendAsync("/a")).FromCache); // the target
        Assert.False((await SendAsync("/b")).FromCache); // Location, same origin
        await using (HttpGenResponse<ClientTestResponse> r = await Client.SendAsync(otherOrigin, new ClientTestRequest { Target = "/b"u8, Host = otherOrigin.HostHeader.Span }))
        {
            Assert.True(r.IsFromCache); // Content-Location of another origin: left alone (RFC 9111 §4.4)
        }

        Assert.Equal(1, other.Requests);
    }

    [Fact]
    public async Task Stale_while_revalidate_serves_stale_at_once_and_revalidates_once_in_the_background()
    {
        var answerRevalidation = new TaskCompletionSource();
        Server.Respond = async head =>
        {
            if (!head.Contains("If-None-Match", StringComparison.Ordinal))
            {
                return Ok("ETag: \"s1\"\r\nCache-Control: max-age=10, stale-while-revalidate=60\r\n" + DateT0, "swr");
            }

            await answerRevalidation.Task; // held until the stale hits are done
            return Empty("304 Not Modified", "ETag: \"s1\"\r\nCache-Control: max-age=10, stale-while-revalidate=60\r\n" + DateNow);
        };
        await SendAsync("/swr");

        At(15);
        for (int i = 0; i < 5; i++)
        {
            Answer stale = await SendAsync("/swr");
            Assert.True(stale.FromCache);
            Assert.Equal("swr", stale.Body);
            Assert.Equal(CacheStatusDetail.StaleWhileRevalidate, stale.CacheStatus.Detail);
        }

        await WaitForServerRequestsAsync(2);
        answerRevalidation.SetResult();
        for (int i = 0; i < 500 && (await SendAsync("/swr")).CacheStatus.Detail == CacheStatusDetail.StaleWhileRevalidate; i++)
        {
            await Task.Delay(10);
        }

        Answer fresh = await SendAsync("/swr");
        Assert.True(fresh.FromCache);
        Assert.Equal(CacheStatusDetail.None, fresh.CacheStatus.Detail); // fresh again since the 304
        Assert.Equal(2, Server.Requests); // one background revalidation for all the stale hits
        Assert.Contains("\r\nIf-None-Match: \"s1\"\r\n", Received[1]);
    }

    [Fact]
    public async Task Stale_if_error_serves_the_stored_response_on_a_503_and_when_the_origin_is_down()
    {
        bool failing = false;
        Script(_ => failing
            ? Empty("503 Service Unavailable", "Content-Length: 0\r\n")
            : Ok("Cache-Control: max-age=10, stale-if-error=600\r\n" + DateT0, "kept"));
        await SendAsync("/e");
        failing = true;

        At(20);
        Answer on503 = await SendAsync("/e");
        Assert.True(on503.FromCache);
        Assert.Equal("kept", on503.Body);
        Assert.Equal((CacheStatusDetail.StaleIfError, 503), (on503.CacheStatus.Detail, on503.CacheStatus.ForwardStatus));

        await Server.DisposeAsync(); // connection refused from now on
        Answer down = await SendAsync("/e");
        Assert.True(down.FromCache);
        Assert.Equal(CacheStatusDetail.StaleIfError, down.CacheStatus.Detail);
    }

    [Fact]
    public async Task A_HEAD_request_is_answered_from_a_stored_GET()
    {
        Script(_ => Ok("Cache-Control: max-age=60\r\n" + DateT0, "0123456789"));
        await SendAsync("/h");
        await using HttpGenResponse<ClientTestResponse> head = await Client.SendAsync(Origin, Request("/h", RequestMethod.Head));
        Assert.True(head.IsFromCache);
        Assert.Equal(10, head.Head.ContentLength);
        Assert.Equal(BodyKind.None, head.BodyFraming.Kind);
        Assert.True(head.IsBodyComplete);
        AssertOriginRequests(1);
    }
}
