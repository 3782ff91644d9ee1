using HttpGen.Caching;
using Xunit;

namespace HttpGen.Tests.Caching;

/// <summary>
/// The conformance table: one row per rule of RFC 9111 (and RFC 5861, RFC 9211 in every row's Cache-Status), each a
/// sequence of requests on a controlled clock with the origin's answers and the expected outcome of every step (see
/// <see cref="CacheScenario"/> for how an outcome reads). Rows run in a private cache unless marked shared.
/// </summary>
public class CacheConformanceTests
{
    private const string Miss60 = "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=60; stored";
    private const string Fresh60 = "200\nCache-Control: max-age=60";
    private const string V1 = "304\nETag: \"v1\"";

    private sealed record Row(bool Shared, CacheStep[] Steps);

    private static readonly Dictionary<string, Row> Rows = new()
    {
        // --- §3 Storing responses ---
        ["§3 a GET 200 with max-age is stored, then answered fresh with its Age"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(10, "GET /a", null, "hit 200 #0 age=10 | HttpGen; hit; ttl=50")),
        ["§3 a response to POST is not stored"] = Private(
            new(0, "POST /a", Fresh60, "send (HttpGen; fwd=method) > 200 > origin | HttpGen; fwd=method; fwd-status=200"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§3 a 206 partial response is not stored"] = Private(
            new(0, "GET /a\nRange: bytes=0-1", "206\nCache-Control: max-age=60\nContent-Range: bytes 0-1/10",
                "send (HttpGen; fwd=uri-miss) > 206 > origin | HttpGen; fwd=uri-miss; fwd-status=206; detail=status"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§5.2.2.5 a no-store response is not stored"] = Private(
            new(0, "GET /a", "200\nCache-Control: no-store, max-age=60", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; detail=no-store"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§5.2.1.5 the response to a no-store request is not stored"] = Private(
            new(0, "GET /a\nCache-Control: no-store", Fresh60, "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; detail=request-no-store"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§5.2.1.5 a no-store request may still be answered from storage"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(5, "GET /a\nCache-Control: no-store", null, "hit 200 #0 age=5 | HttpGen; hit; ttl=55")),
        ["§5.2.2.7 a shared cache does not store a private response"] = Shared(
            new(0, "GET /a", "200\nCache-Control: private, max-age=60", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; detail=private"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§5.2.2.7 a private cache stores a private response"] = Private(
            new(0, "GET /a", "200\nCache-Control: private, max-age=60", Miss60),
            new(1, "GET /a", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59")),
        ["§3.5 a shared cache does not store the response to a request with Authorization"] = Shared(
            new(0, "GET /a\nAuthorization: Basic eDp5", Fresh60, "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; detail=authorization"),
            new(1, "GET /a", Fresh60, Miss60)),
        ["§3.5 public, s-maxage or must-revalidate let a shared cache store it"] = Shared(
            new(0, "GET /a\nAuthorization: Basic eDp5", "200\nCache-Control: public, max-age=60", Miss60),
            new(0, "GET /b\nAuthorization: Basic eDp5", "200\nCache-Control: s-maxage=60", Miss60),
            new(0, "GET /c\nAuthorization: Basic eDp5", "200\nCache-Control: must-revalidate, max-age=60", Miss60),
            new(10, "GET /a", null, "hit 200 #0 age=10 | HttpGen; hit; ttl=50")),
        ["§3.5 a private cache stores the response to a request with Authorization"] = Private(
            new(0, "GET /a\nAuthorization: Basic eDp5", Fresh60, Miss60),
            new(1, "GET /a\nAuthorization: Basic eDp5", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59")),
        ["§5.2.2.3 must-understand with an understood status overrides no-store"] = Shared(
            new(0, "GET /a", "200\nCache-Control: must-understand, no-store, max-age=60", Miss60),
            new(1, "GET /a", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59")),
        ["§5.2.2.3 must-understand with a status the cache does not understand is not stored"] = Shared(
            new CacheStep(0, "GET /a", "299\nCache-Control: must-understand, no-store, max-age=60",
                "send (HttpGen; fwd=uri-miss) > 299 > origin | HttpGen; fwd=uri-miss; fwd-status=299; detail=must-understand")),
        ["§3 heuristically cacheable statuses (RFC 9110 §15.1) are stored; others need explicit freshness"] = Private(
            new(0, "GET /a", "404\nLast-Modified: T-1000", "send (HttpGen; fwd=uri-miss) > 404 > origin | HttpGen; fwd=uri-miss; fwd-status=404; ttl=100; stored"),
            new(0, "GET /b", "302\nLocation: /x", "send (HttpGen; fwd=uri-miss) > 302 > origin | HttpGen; fwd=uri-miss; fwd-status=302; detail=not-cacheable"),
            new(0, "GET /c", "302\nLocation: /x\nCache-Control: max-age=60", "send (HttpGen; fwd=uri-miss) > 302 > origin | HttpGen; fwd=uri-miss; fwd-status=302; ttl=60; stored"),
            new(50, "GET /a", null, "hit 404 #0 age=50 | HttpGen; hit; ttl=50")),
        ["§4.1 a response with Vary: * is not stored"] = Private(
            new CacheStep(0, "GET /a", "200\nCache-Control: max-age=60\nVary: *", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; detail=vary-star")),

        // --- §4.2 Freshness ---
        ["§4.2.1 s-maxage sets the freshness lifetime of a shared cache"] = Shared(
            new(0, "GET /a", "200\nCache-Control: s-maxage=10, max-age=100\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),
        ["§4.2.1 a private cache ignores s-maxage"] = Private(
            new(0, "GET /a", "200\nCache-Control: s-maxage=10, max-age=100\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=100; stored"),
            new(20, "GET /a", null, "hit 200 #0 age=20 | HttpGen; hit; ttl=80")),
        ["§4.2.1 max-age wins over Expires"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nExpires: T+100", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", Fresh60, "send (HttpGen; fwd=stale) > 200 > origin | HttpGen; fwd=stale; fwd-status=200; ttl=60; stored")),
        ["§4.2.1 Expires minus Date is the freshness lifetime"] = Private(
            new(0, "GET /a", "200\nExpires: T+30", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=30; stored"),
            new(20, "GET /a", null, "hit 200 #0 age=20 | HttpGen; hit; ttl=10"),
            new(40, "GET /a", "200\nExpires: T+100", "send (HttpGen; fwd=stale) > 200 > origin | HttpGen; fwd=stale; fwd-status=200; ttl=60; stored")),
        ["§4.2.1 Expires counts from Date, whose lag is Age"] = Private(
            new(0, "GET /a", "200\nDate: T-10\nExpires: T+20", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=20; stored"),
            new(5, "GET /a", null, "hit 200 #0 age=15 | HttpGen; hit; ttl=15")),
        ["§5.3 an invalid Expires means already expired"] = Private(
            new(0, "GET /a", "200\nExpires: 0\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=0; stored"),
            new(1, "GET /a", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=0")),
        ["§4.2.1 an invalid max-age makes the response stale"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=ten\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=0; stored"),
            new(1, "GET /a", "304\nETag: \"v1\"\nCache-Control: max-age=30", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=30")),
        ["§1.2.2 a delta-seconds past 2^31 is read as 2^31"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=99999999999", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=2147483648; stored"),
            new(1000000, "GET /a", null, "hit 200 #0 age=1000000 | HttpGen; hit; ttl=2146483648")),
        ["§4.2.2 heuristic freshness: a tenth of the time since Last-Modified"] = Private(
            new(0, "GET /a", "200\nLast-Modified: T-1000", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=100; stored"),
            new(50, "GET /a", null, "hit 200 #0 age=50 | HttpGen; hit; ttl=50"),
            new(150, "GET /a", "304", "send If-Modified-Since: Sun, 31 Dec 2023 23:43:20 GMT (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=115")),
        ["§4.2.2 no heuristic for a status that is not heuristically cacheable, unless public"] = Private(
            new(0, "GET /a", "302\nLocation: /x\nLast-Modified: T-1000\nCache-Control: public", "send (HttpGen; fwd=uri-miss) > 302 > origin | HttpGen; fwd=uri-miss; fwd-status=302; ttl=100; stored"),
            new(0, "GET /b", "302\nLocation: /x\nLast-Modified: T-1000", "send (HttpGen; fwd=uri-miss) > 302 > origin | HttpGen; fwd=uri-miss; fwd-status=302; detail=not-cacheable")),
        ["§4.2.2 no heuristic when Expires is present"] = Private(
            new CacheStep(0, "GET /a", "200\nExpires: T-5\nLast-Modified: T-1000", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=0; stored")),
        ["§4.2.3 the Age received from upstream counts"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nAge: 30", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=30; stored"),
            new(10, "GET /a", null, "hit 200 #0 age=40 | HttpGen; hit; ttl=20")),
        ["§4.2.3 apparent age: response_time minus Date"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nDate: T-20", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=40; stored"),
            new(0, "GET /a", null, "hit 200 #0 age=20 | HttpGen; hit; ttl=40")),
        ["§4.2.3 response delay is added to the Age received"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nAge: 5\nDelay: 2", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=53; stored"),
            new(2, "GET /a", null, "hit 200 #0 age=7 | HttpGen; hit; ttl=53"),
            new(12, "GET /a", null, "hit 200 #0 age=17 | HttpGen; hit; ttl=43")),
        ["§4.2.3 corrected_initial_age is the larger of apparent age and corrected Age"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nDate: T-30\nAge: 5", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=30; stored"),
            new(10, "GET /a", null, "hit 200 #0 age=40 | HttpGen; hit; ttl=20")),
        ["§5.1 a list-valued Age uses its first member; an invalid Age is ignored"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nAge: 10, 20", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=50; stored"),
            new(0, "GET /b", "200\nCache-Control: max-age=60\nAge: ten", Miss60)),
        ["§4.2.4 a response that may not be served stale and has no validator is dropped once stale"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, must-revalidate", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(11, "GET /a", Fresh60, Miss60)),

        // --- §5.2.1 Request directives ---
        ["§5.2.1.1 request max-age below the age asks for validation"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nETag: \"v1\"", Miss60),
            new(10, "GET /a\nCache-Control: max-age=5", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=request) > 304 > hit 200 #0 age=0 | HttpGen; fwd=request; fwd-status=304; ttl=60")),
        ["§5.2.1.3 request min-fresh above the remaining freshness goes forward"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(45, "GET /a\nCache-Control: min-fresh=20", Fresh60, "send (HttpGen; fwd=request) > 200 > origin | HttpGen; fwd=request; fwd-status=200; ttl=60; stored"),
            new(46, "GET /a", null, "hit 200 #1 age=1 | HttpGen; hit; ttl=59")),
        ["§5.2.1.2 request max-stale allows that much staleness"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: max-stale=15", null, "hit 200 #0 age=20 | HttpGen; hit; ttl=-10; detail=max-stale"),
            new(30, "GET /a\nCache-Control: max-stale=15", "200\nCache-Control: max-age=10", "send (HttpGen; fwd=stale) > 200 > origin | HttpGen; fwd=stale; fwd-status=200; ttl=10; stored")),
        ["§5.2.1.2 max-stale without a value accepts any staleness"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(300, "GET /a\nCache-Control: max-stale", null, "hit 200 #0 age=300 | HttpGen; hit; ttl=-290; detail=max-stale")),
        ["§5.2.1.4 request no-cache validates a fresh response"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nETag: \"v1\"", Miss60),
            new(5, "GET /a\nCache-Control: no-cache", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=request) > 304 > hit 200 #0 age=0 | HttpGen; fwd=request; fwd-status=304; ttl=60")),
        ["§5.4 Pragma: no-cache counts only without Cache-Control"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nETag: \"v1\"", Miss60),
            new(5, "GET /a\nPragma: no-cache", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=request) > 304 > hit 200 #0 age=0 | HttpGen; fwd=request; fwd-status=304; ttl=60"),
            new(6, "GET /a\nPragma: no-cache\nCache-Control: max-age=3600", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59")),
        ["§5.2.1.7 only-if-cached: 504 unless a stored response may be used"] = Private(
            new(0, "GET /a\nCache-Control: only-if-cached", null, "504 | HttpGen; detail=only-if-cached"),
            new(0, "GET /a", "200\nCache-Control: max-age=10", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(5, "GET /a\nCache-Control: only-if-cached", null, "hit 200 #1 age=5 | HttpGen; hit; ttl=5"),
            new(20, "GET /a\nCache-Control: only-if-cached", null, "504 | HttpGen; detail=only-if-cached")),

        // --- §5.2.2 Response directives ---
        ["§5.2.2.4 a no-cache response is stored and validated before each use"] = Private(
            new(0, "GET /a", "200\nCache-Control: no-cache, max-age=60\nETag: \"v1\"", Miss60),
            new(5, "GET /a", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=60")),
        ["§5.2.2.2 must-revalidate: stale is never served, even with max-stale"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, must-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: max-stale", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),
        ["§5.2.2.2 must-revalidate: 504 when the origin cannot be reached"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, must-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "fail", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > fail > 504 | HttpGen; fwd=stale")),
        ["§5.2.2.8 proxy-revalidate binds a shared cache"] = Shared(
            new(0, "GET /a", "200\nCache-Control: max-age=10, proxy-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: max-stale", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),
        ["§5.2.2.8 proxy-revalidate does not bind a private cache"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, proxy-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: max-stale", null, "hit 200 #0 age=20 | HttpGen; hit; ttl=-10; detail=max-stale")),
        ["§5.2.2.10 s-maxage implies proxy-revalidate in a shared cache"] = Shared(
            new(0, "GET /a", "200\nCache-Control: s-maxage=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: max-stale", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),

        ["§5.2 directives are read from every Cache-Control line of the request and the response"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nCache-Control: must-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nCache-Control: no-transform\nCache-Control: max-stale", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10"),
            new(25, "GET /a\nCache-Control: no-transform\nCache-Control: max-age=2", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=request) > 304 > hit 200 #0 age=0 | HttpGen; fwd=request; fwd-status=304; ttl=10")),

        // --- §4.3 Validation ---
        ["§4.3.1 validation sends If-None-Match, and If-Modified-Since from Last-Modified"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"\nLast-Modified: T-100", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(0, "GET /b", "200\nCache-Control: max-age=10\nLast-Modified: T-100", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", V1, "send If-None-Match: \"v1\"; If-Modified-Since: Sun, 31 Dec 2023 23:58:20 GMT (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10"),
            new(20, "GET /b", "304\nLast-Modified: T-100", "send If-Modified-Since: Sun, 31 Dec 2023 23:58:20 GMT (HttpGen; fwd=stale) > 304 > hit 200 #1 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),
        ["§4.3.3 a full response to a validation replaces the stored one"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v2\"", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 200 > origin | HttpGen; fwd=stale; fwd-status=200; ttl=10; stored"),
            new(25, "GET /a", null, "hit 200 #1 age=5 | HttpGen; hit; ttl=5")),
        ["§4.3.4 a 304 updates the stored header fields and freshness"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "304\nETag: \"v1\"\nCache-Control: max-age=100", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=100"),
            new(70, "GET /a", null, "hit 200 #0 age=50 | HttpGen; hit; ttl=50")),
        ["§4.3.4 a 304 with another strong tag updates nothing: the request is sent again unconditionally"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "304\nETag: \"v2\"\n||\n200\nCache-Control: max-age=10\nETag: \"v2\"",
                "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > send (HttpGen; fwd=stale; fwd-status=304) > 200 > origin | HttpGen; fwd=stale; fwd-status=200; ttl=10; stored")),
        ["§4.3.4 §4.1 on a vary miss, the 304's tag selects the stored variant to use"] = Private(
            new(0, "GET /a\nAccept-Language: en", "200\nCache-Control: max-age=10\nVary: Accept-Language\nETag: \"en\"\nBody: hello",
                "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(0, "GET /a\nAccept-Language: de", "200\nCache-Control: max-age=10\nVary: Accept-Language\nETag: \"de\"\nBody: hallo",
                "send If-None-Match: \"en\" (HttpGen; fwd=vary-miss) > 200 > origin | HttpGen; fwd=vary-miss; fwd-status=200; ttl=10; stored"),
            new(1, "GET /a\nAccept-Language: fr", "304\nETag: \"en\"\nCache-Control: max-age=10",
                "send If-None-Match: \"de\", \"en\" (HttpGen; fwd=vary-miss) > 304 > hit 200 hello age=0 | HttpGen; fwd=vary-miss; fwd-status=304; ttl=10"),
            new(2, "GET /a\nAccept-Language: fr", null, "hit 200 hello age=1 | HttpGen; hit; ttl=9"),
            new(2, "GET /a\nAccept-Language: de", null, "hit 200 hallo age=2 | HttpGen; hit; ttl=8")),
        ["§4.3.2 the cache answers a client's conditional request from a fresh response"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nETag: \"v1\"\nLast-Modified: T-100", Miss60),
            new(5, "GET /a\nIf-None-Match: \"v1\"", null, "304 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-None-Match: \"v0\", W/\"v1\"", null, "304 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-None-Match: \"v0\"", null, "hit 200 #0 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-None-Match: *", null, "304 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-Modified-Since: T-50", null, "304 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-Modified-Since: T-200", null, "hit 200 #0 age=5 | HttpGen; hit; ttl=55"),
            new(5, "GET /a\nIf-None-Match: \"v0\"\nIf-Modified-Since: T-50", null, "hit 200 #0 age=5 | HttpGen; hit; ttl=55")),
        ["§4.3.2 a client's conditional request for a stale response goes as it is, and its 304 freshens"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a\nIf-None-Match: \"v1\"", V1, "send (HttpGen; fwd=stale) > 304 > origin | HttpGen; fwd=stale; fwd-status=304"),
            new(21, "GET /a", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=9")),
        ["§4.3.2 If-Match, If-Unmodified-Since, If-Range and Range go to the origin"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=60\nETag: \"v1\"", Miss60),
            new(1, "GET /a\nIf-Match: \"v1\"", "200", "send (HttpGen; fwd=request) > 200 > origin | HttpGen; fwd=request; fwd-status=200; ttl=0; stored"),
            new(1, "GET /b", Fresh60, Miss60),
            new(2, "GET /b\nRange: bytes=0-1", "206\nContent-Range: bytes 0-1/2", "send (HttpGen; fwd=request) > 206 > origin | HttpGen; fwd=request; fwd-status=206; detail=status")),
        ["§4.3.5 HEAD is answered from a stored GET response"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(5, "HEAD /a", null, "hit-head 200 age=5 | HttpGen; hit; ttl=55")),
        ["§4.3.5 a HEAD response that agrees freshens the stored GET; one that differs makes it stale"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "HEAD /a", "200\nCache-Control: max-age=60\nETag: \"v1\"\nBody: #0", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 200 > origin | HttpGen; fwd=stale; fwd-status=200"),
            new(30, "GET /a", null, "hit 200 #0 age=10 | HttpGen; hit; ttl=50"),
            new(31, "HEAD /a\nCache-Control: no-cache", "200\nCache-Control: max-age=60\nETag: \"v2\"", "send If-None-Match: \"v1\" (HttpGen; fwd=request) > 200 > origin | HttpGen; fwd=request; fwd-status=200"),
            new(32, "GET /a", Fresh60, Miss60)),

        // --- §4.1 Vary ---
        ["§4.1 Vary: other values miss; white space and split lines are normalized; absent matches absent"] = Private(
            new(0, "GET /a\nAccept-Encoding: gzip, br", "200\nCache-Control: max-age=60\nVary: Accept-Encoding", Miss60),
            new(1, "GET /a\nAccept-Encoding: gzip,br", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59"),
            new(1, "GET /a\naccept-encoding: gzip\nAccept-Encoding:  br ", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=59"),
            new(1, "GET /a\nAccept-Encoding: br, gzip", "200\nCache-Control: max-age=60\nVary: Accept-Encoding",
                "send (HttpGen; fwd=vary-miss) > 200 > origin | HttpGen; fwd=vary-miss; fwd-status=200; ttl=60; stored"),
            new(1, "GET /a", "200\nCache-Control: max-age=60\nVary: Accept-Encoding",
                "send (HttpGen; fwd=vary-miss) > 200 > origin | HttpGen; fwd=vary-miss; fwd-status=200; ttl=60; stored"),
            new(2, "GET /a", null, "hit 200 #4 age=1 | HttpGen; hit; ttl=59"),
            new(2, "GET /a\nAccept-Encoding: br, gzip", null, "hit 200 #3 age=1 | HttpGen; hit; ttl=59"),
            new(2, "GET /a\nAccept-Encoding: gzip, br", null, "hit 200 #0 age=2 | HttpGen; hit; ttl=58")),

        ["§4 of several matching responses, the most recent by Date is used"] = Private(
            new(0, "GET /a\nAccept: x\nAccept-Language: en", "200\nCache-Control: max-age=60\nVary: Accept\nDate: T-5\nBody: first",
                "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=55; stored"),
            new(1, "GET /a\nAccept: y\nAccept-Language: en", "200\nCache-Control: max-age=60\nVary: Accept-Language\nDate: T-30\nBody: second",
                "send (HttpGen; fwd=vary-miss) > 200 > origin | HttpGen; fwd=vary-miss; fwd-status=200; ttl=29; stored"),
            new(2, "GET /a\nAccept: x\nAccept-Language: en", null, "hit 200 first age=7 | HttpGen; hit; ttl=53"),
            new(2, "GET /a\nAccept: z\nAccept-Language: en", null, "hit 200 second age=32 | HttpGen; hit; ttl=28")),
        ["§4.1 a response with Vary is preferred to a default response that omitted it"] = Private(
            new(0, "GET /a\nAccept: x", "200\nCache-Control: max-age=60\nVary: Accept\nBody: varied", Miss60),
            new(1, "GET /a\nAccept: y", "200\nCache-Control: max-age=60\nBody: plain",
                "send (HttpGen; fwd=vary-miss) > 200 > origin | HttpGen; fwd=vary-miss; fwd-status=200; ttl=60; stored"),
            new(2, "GET /a\nAccept: x", null, "hit 200 varied age=2 | HttpGen; hit; ttl=58"),
            new(2, "GET /a\nAccept: z", null, "hit 200 plain age=1 | HttpGen; hit; ttl=59")),

        // --- §4.4 Invalidation ---
        ["§4.4 a non-error response to POST invalidates the target URI"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(1, "POST /a", "200", "send (HttpGen; fwd=method) > 200 > origin | HttpGen; fwd=method; fwd-status=200"),
            new(2, "GET /a", Fresh60, Miss60)),
        ["§4.4 an error response to POST does not invalidate"] = Private(
            new(0, "GET /a", Fresh60, Miss60),
            new(1, "POST /a", "500", "send (HttpGen; fwd=method) > 500 > origin | HttpGen; fwd=method; fwd-status=500"),
            new(2, "GET /a", null, "hit 200 #0 age=2 | HttpGen; hit; ttl=58")),
        ["§4.4 Location and Content-Location of the same origin are invalidated, another origin's are not"] = Shared(
            new(0, "GET /b", Fresh60, Miss60),
            new(0, "GET /c", Fresh60, Miss60),
            new(0, "GET /d\nHost: other.example", Fresh60, Miss60),
            new(1, "PUT /a", "201\nLocation: /b\nContent-Location: http://other.example/d", "send (HttpGen; fwd=method) > 201 > origin | HttpGen; fwd=method; fwd-status=201"),
            new(2, "GET /b", Fresh60, Miss60),
            new(2, "GET /d\nHost: other.example", null, "hit 200 #2 age=2 | HttpGen; hit; ttl=58"),
            new(3, "DELETE /x/y", "204\nContent-Location: ../c", "send (HttpGen; fwd=method) > 204 > origin | HttpGen; fwd=method; fwd-status=204"),
            new(3, "GET /c", Fresh60, Miss60),
            new(4, "PATCH /x", "200\nContent-Location: c", "send (HttpGen; fwd=method) > 200 > origin | HttpGen; fwd=method; fwd-status=200"),
            new(4, "GET /c", Fresh60, Miss60)),

        // --- RFC 5861 ---
        ["RFC 5861 §3 stale-while-revalidate serves stale while it revalidates"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, stale-while-revalidate=30\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", V1, "hit 200 #0 age=20 | HttpGen; hit; ttl=-10; detail=stale-while-revalidate +bg If-None-Match: \"v1\" > 304"),
            new(21, "GET /a", null, "hit 200 #0 age=1 | HttpGen; hit; ttl=9"),
            new(61, "GET /a", V1, "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 304 > hit 200 #0 age=0 | HttpGen; fwd=stale; fwd-status=304; ttl=10")),
        ["RFC 5861 §4 stale-if-error serves stale on 5xx or failure within its window"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, stale-if-error=60", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "503", "send (HttpGen; fwd=stale) > 503 > hit 200 #0 age=20 | HttpGen; fwd=stale; fwd-status=503; ttl=-10; detail=stale-if-error"),
            new(30, "GET /a", "fail", "send (HttpGen; fwd=stale) > fail > hit 200 #0 age=30 | HttpGen; fwd=stale; ttl=-20; detail=stale-if-error"),
            new(100, "GET /a", "503", "send (HttpGen; fwd=stale) > 503 > origin | HttpGen; fwd=stale; fwd-status=503; detail=not-cacheable"),
            new(100, "GET /a\nCache-Control: stale-if-error=100", "503", "send (HttpGen; fwd=stale) > 503 > hit 200 #0 age=100 | HttpGen; fwd=stale; fwd-status=503; ttl=-90; detail=stale-if-error")),
        ["RFC 5861 §4 stale-if-error does not override must-revalidate"] = Private(
            new(0, "GET /a", "200\nCache-Control: max-age=10, stale-if-error=60, must-revalidate\nETag: \"v1\"", "send (HttpGen; fwd=uri-miss) > 200 > origin | HttpGen; fwd=uri-miss; fwd-status=200; ttl=10; stored"),
            new(20, "GET /a", "fail", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > fail > 504 | HttpGen; fwd=stale"),
            new(21, "GET /a", "503", "send If-None-Match: \"v1\" (HttpGen; fwd=stale) > 503 > origin | HttpGen; fwd=stale; fwd-status=503; detail=not-cacheable")),
    };

    public static TheoryData<string> Names => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Row_behaves_as_the_rfc_says(string name)
    {
        Row row = Rows[name];
        var clock = new ManualClock(CacheScenario.T0);
        var cache = new HttpCache(new HttpCacheOptions { Shared = row.Shared }, timeProvider: clock);
        List<string> outcomes = CacheScenario.Run(cache, clock, row.Steps);
        for (int i = 0; i < row.Steps.Length; i++)
        {
            Assert.True(row.Steps[i].Expect == outcomes[i], $"step {i} ({row.Steps[i].Request.Replace('\n', ' ')}):\n  expected {row.Steps[i].Expect}\n  actual   {outcomes[i]}");
        }
    }

    [Fact]
    public void Every_row_names_its_section()
    {
        Assert.All(Rows.Keys, name => Assert.Matches(@"^(§\d|RFC \d+ §\d)", name));
        Assert.True(Rows.Count >= 50, $"{Rows.Count} rows");
    }

    /// <summary>The worked example of docs/cache.md: each outcome line must appear there, word for word.</summary>
    [Fact]
    public void The_worked_example_of_the_docs_is_what_the_cache_does()
    {
        CacheStep[] steps =
        [
            new(0, "GET /news", "200\nCache-Control: max-age=60, stale-while-revalidate=30\nETag: \"a1\"\nBody: news-v1", ""),
            new(25, "GET /news", null, ""),
            new(25, "GET /news\nIf-None-Match: \"a1\"", null, ""),
            new(70, "GET /news", "304\nETag: \"a1\"", ""),
            new(75, "GET /news", null, ""),
            new(200, "GET /news", "200\nCache-Control: max-age=60, stale-while-revalidate=30\nETag: \"a2\"\nBody: news-v2", ""),
            new(210, "POST /news", "303\nLocation: /news", ""),
            new(211, "GET /news", "200\nCache-Control: max-age=60\nETag: \"a3\"\nBody: news-v3", ""),
        ];
        var clock = new ManualClock(CacheScenario.T0);
        var cache = new HttpCache(new HttpCacheOptions { Shared = true }, timeProvider: clock);
        string docs = File.ReadAllText(Path.Combine(HttpGen.Tests.Generator.DiagnosticTests.RepositoryRoot(), "docs", "cache.md"));
        foreach (string outcome in CacheScenario.Run(cache, clock, steps))
        {
            Assert.Contains(outcome, docs);
        }

        // The head written for the hit at t=25.
        clock.Time = CacheScenario.T0;
        cache = new HttpCache(new HttpCacheOptions { Shared = true }, timeProvider: clock);
        CacheScenario.Run(cache, clock, steps[..1]);
        clock.Time = CacheScenario.T0.AddSeconds(25);
        Assert.True(CacheRequest.TryParse("GET /news HTTP/1.1\r\nHost: example.com\r\n\r\n"u8, "http"u8, out CacheRequest request));
        CacheResult hit = cache.Lookup(request);
        var buffer = new byte[hit.MaxHeadLength];
        Assert.True(hit.TryWriteHead(buffer, default, out int written));
        Assert.Contains("```\n" + System.Text.Encoding.ASCII.GetString(buffer, 0, written).Replace("\r\n", "\n") + "```", docs);
    }

    private static Row Private(params CacheStep[] steps) => new(false, steps);

    private static Row Shared(params CacheStep[] steps) => new(true, steps);
}
