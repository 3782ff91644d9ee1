using System.Buffers;
using HttpGen.Formatting;

namespace HttpGen.Caching;

/// <summary>
/// An HTTP cache (RFC 9111) over raw message bytes, private (one client's) or shared (a proxy's): it decides whether a
/// request can be answered from storage, which conditional request validates a stored response, what to store of a
/// response and how a 304 updates what is stored, and it says what it did in a Cache-Status value (RFC 9211). It is
/// independent of message types: requests are <see cref="CacheRequest"/> views, responses are heads as received.
/// Thread-safe: share one instance.
/// </summary>
/// <remarks>
/// <para>The exchange, for each request:</para>
/// <list type="number">
/// <item><see cref="Lookup"/>. On <see cref="CacheAction.ServeStored"/>, <see cref="CacheAction.ServeNotModified"/> or
/// <see cref="CacheAction.ServeGatewayTimeout"/> answer from the result (<see cref="CacheResult.TryWriteHead"/>,
/// <see cref="CacheResult.Body"/>) and stop. A fresh hit allocates nothing.</item>
/// <item>Otherwise send the request (adding <see cref="CacheResult.TryWriteConditionalFields"/> for
/// <see cref="CacheAction.SendConditional"/>), noting <see cref="Now"/> before sending and when the response head arrives.</item>
/// <item>Give the response to <see cref="HandleResponse"/> (or <see cref="HandleResponseHead"/> and then
/// <see cref="PendingCacheEntry.Complete()"/> once a streamed body is complete), or report a failure to reach the origin to
/// <see cref="HandleFailure"/>, and act on the new result: serve the stored response (validated, or stale on error),
/// pass on the origin's response with the result's Cache-Status, or (rarely) send the request again unconditionally.</item>
/// </list>
/// </remarks>
public sealed partial class HttpCache
{
    private readonly IHttpCacheStore _store;
    private readonly TimeProvider _time;
    private readonly long _maxEntrySize;
    private readonly long _sweepIntervalTicks;
    private readonly int _maxBackgroundRevalidations;
    private long _nextSweepTicks;
    private long _hits, _misses, _validations, _stores;

    /// <summary>Creates a cache.</summary>
    /// <param name="options">How it behaves (read once); default: private, 64 MiB in memory.</param>
    /// <param name="store">Where responses are kept; default: a <see cref="MemoryHttpCacheStore"/> of <see cref="HttpCacheOptions.Capacity"/>.</param>
    /// <param name="timeProvider">The clock; default <see cref="TimeProvider.System"/>.</param>
    public HttpCache(HttpCacheOptions? options = null, IHttpCacheStore? store = null, TimeProvider? timeProvider = null)
    {
        options ??= new HttpCacheOptions();
        IsShared = options.Shared;
        EncodedName = CacheStatus.EncodeName(options.Name);
        _store = store ?? new MemoryHttpCacheStore(options.Capacity, options.MaxResponsesPerKey);
        _time = timeProvider ?? TimeProvider.System;
        _maxEntrySize = options.MaxEntrySize;
        HeuristicFraction = options.HeuristicFraction;
        MaxHeuristicTicks = options.MaxHeuristicLifetime.Ticks;
        StaleRetentionTicks = options.StaleRetention.Ticks;
        _sweepIntervalTicks = options.SweepInterval.Ticks;
        _maxBackgroundRevalidations = options.MaxBackgroundRevalidations;
        _nextSweepTicks = Now.UtcTicks + _sweepIntervalTicks;
    }

    /// <summary>Whether the cache is shared (see <see cref="HttpCacheOptions.Shared"/>).</summary>
    public bool IsShared { get; }

    /// <summary>The store.</summary>
    public IHttpCacheStore Store => _store;

    /// <summary>The current time by the cache's clock: note it when a request is sent and when its response arrives.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Requests answered from storage (including 304s the cache generated and validated responses).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Requests that had to go to the origin without a stored response to validate.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Conditional requests the cache asked for (validations, including background ones).</summary>
    public long Validations => Interlocked.Read(ref _validations);

    /// <summary>Responses stored (new or updated).</summary>
    public long Stores => Interlocked.Read(ref _stores);

    internal byte[] EncodedName { get; }

    internal double HeuristicFraction { get; }

    internal long MaxHeuristicTicks { get; }

    internal long StaleRetentionTicks { get; }

    /// <summary>Decides how to answer a request: from storage, by validating, or by forwarding it.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision.</returns>
    public CacheResult Lookup(in CacheRequest request)
    {
        long now = Now.UtcTicks;
        bool isHead = request.IsHead;
        if (!request.IsGet && !isHead)
        {
            return Count(Forward(CacheAction.Send, null, default, isHead, CacheForwardReason.Method));
        }

        RequestFacts facts = RequestFacts.Read(request.HeaderBlock);
        byte[]? rented = null;
        Span<byte> key = KeyBuffer(request, stackalloc byte[512], ref rented);
        try
        {
            if (key.IsEmpty)
            {
                return Count(Forward(CacheAction.Send, null, default, isHead, CacheForwardReason.Bypass, CacheStatusDetail.TooLarge));
            }

            ReadOnlyMemory<CachedResponse> stored = _store.Get(key);
            if (stored.IsEmpty)
            {
                return Count(Miss(facts, isHead, CacheForwardReason.UriMiss, default));
            }

            CachedResponse? selected = Select(stored.Span, request.HeaderBlock, now, out bool anyLive);
            return Count(selected is not null ? Decide(request, facts, selected, isHead, now)
                : anyLive ? Miss(facts, isHead, CacheForwardReason.VaryMiss, stored)
                : Miss(facts, isHead, CacheForwardReason.UriMiss, default));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Takes the origin's response to a request the cache let through: stores it or updates stored responses with it,
    /// invalidates after unsafe methods, and decides what to answer.
    /// </summary>
    /// <param name="request">The request, as given to <see cref="Lookup"/>.</param>
    /// <param name="lookup">The result of <see cref="Lookup"/> (or an earlier result whose action led to this request).</param>
    /// <param name="responseHead">The response head as received (status line, fields, blank line), validated by a parser.</param>
    /// <param name="body">The complete body, decoded from any transfer coding (copied when stored).</param>
    /// <param name="requestTime">When the request was sent (<see cref="Now"/>).</param>
    /// <param name="responseTime">When the response head arrived (<see cref="Now"/>).</param>
    /// <returns>What to answer.</returns>
    public CacheResult HandleResponse(in CacheRequest request, in CacheResult lookup, ReadOnlySpan<byte> responseHead, ReadOnlySpan<byte> body, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        CacheResult result = HandleResponseHead(request, lookup, responseHead, requestTime, responseTime, out PendingCacheEntry? pending);
        if (pending is not null && !pending.Complete(body))
        {
            CacheStatusDetail why = body.Length > pending.MaxBodyLength ? CacheStatusDetail.TooLarge : CacheStatusDetail.Incomplete;
            result = result with { Status = result.Status with { Stored = false, TimeToLive = null, Detail = why } };
        }

        return result;
    }

    /// <summary>
    /// As <see cref="HandleResponse"/>, for a response whose body is still to come: when the response is to be stored,
    /// <paramref name="pending"/> takes the body once it is complete (the Cache-Status then says <c>stored</c> already).
    /// </summary>
    /// <param name="request">The request, as given to <see cref="Lookup"/>.</param>
    /// <param name="lookup">The result of <see cref="Lookup"/>.</param>
    /// <param name="responseHead">The response head as received (copied when it is to be stored).</param>
    /// <param name="requestTime">When the request was sent.</param>
    /// <param name="responseTime">When the response head arrived.</param>
    /// <param name="pending">Set when the response is to be stored: complete it with the body, or drop it.</param>
    /// <returns>What to answer.</returns>
    public CacheResult HandleResponseHead(in CacheRequest request, in CacheResult lookup, ReadOnlySpan<byte> responseHead, DateTimeOffset requestTime, DateTimeOffset responseTime, out PendingCacheEntry? pending)
    {
        pending = null;
        long requestTicks = requestTime.UtcTicks, responseTicks = responseTime.UtcTicks;
        bool isHead = request.IsHead;
        CacheForwardReason reason = lookup.Status.Forward == CacheForwardReason.None ? CacheForwardReason.Stale : lookup.Status.Forward;
        if (!ResponseFacts.TryRead(responseHead, responseTime, out ResponseFacts response))
        {
            return Forward(CacheAction.ServeOriginResponse, null, default, isHead, reason);
        }

        var status = new CacheStatus { Forward = reason, ForwardStatus = response.Status };
        byte[]? rented = null;
        Span<byte> key = KeyBuffer(request, stackalloc byte[512], ref rented);
        try
        {
            if (key.IsEmpty)
            {
                return Origin(isHead, status with { Detail = CacheStatusDetail.TooLarge });
            }

            if (!request.IsSafe)
            {
                if (response.Status is >= 200 and < 400)
                {
                    Invalidate(key, response.Location, response.ContentLocation);
                }

                return Origin(isHead, status);
            }

            if (!request.IsGet && !isHead)
            {
                return Origin(isHead, status);
            }

            if (response.Status == 304)
            {
                return NotModified(request, lookup, key, response, isHead, status, requestTicks, responseTicks);
            }

            if (isHead)
            {
                if (response.Status == 200)
                {
                    FreshenWithHead(request, key, responseHead, response, requestTicks, responseTicks);
                }

                return Origin(isHead, status);
            }

            RequestFacts facts = RequestFacts.Read(request.HeaderBlock);
            if (response.Status is 500 or 502 or 503 or 504 && StaleIfError(lookup.Response, facts, responseTicks) is { } stale)
            {
                return Stored(stale, CacheAction.ServeStored, isHead, responseTicks, status with { Detail = CacheStatusDetail.StaleIfError });
            }

            return StoreResponse(request, lookup, key, responseHead, response, facts, status, requestTicks, responseTicks, out pending);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decides what to answer when the origin could not be reached (connection refused, timeout): a stale stored
    /// response where stale-if-error allows it (RFC 5861 §4), otherwise 504 (which RFC 9111 §5.2.2.2 requires for a
    /// stale response with must-revalidate).
    /// </summary>
    /// <param name="request">The request, as given to <see cref="Lookup"/>.</param>
    /// <param name="lookup">The result of <see cref="Lookup"/>.</param>
    /// <returns>Serve the stale response, or 504.</returns>
    public CacheResult HandleFailure(in CacheRequest request, in CacheResult lookup)
    {
        long now = Now.UtcTicks;
        CacheForwardReason reason = lookup.Status.Forward == CacheForwardReason.None ? CacheForwardReason.Stale : lookup.Status.Forward;
        var status = new CacheStatus { Forward = reason };
        if (request.IsGet || request.IsHead)
        {
            RequestFacts facts = RequestFacts.Read(request.HeaderBlock);
            if (StaleIfError(lookup.Response, facts, now) is { } stale)
            {
                return Stored(stale, CacheAction.ServeStored, request.IsHead, now, status with { Detail = CacheStatusDetail.StaleIfError });
            }
        }

        return new CacheResult(this, CacheAction.ServeGatewayTimeout, lookup.Response, default, request.IsHead, 0, status, false);
    }

    /// <summary>Drops every stored response past its <see cref="CachedResponse.RetainUntil"/> now.</summary>
    /// <returns>How many were dropped.</returns>
    public int RemoveExpired() => _store.RemoveExpired(Now);

    internal void Put(CachedResponse response)
    {
        _store.Put(response);
        Interlocked.Increment(ref _stores);
        long now = response.ResponseTicks;
        long next = Volatile.Read(ref _nextSweepTicks);
        if (now >= next && Interlocked.CompareExchange(ref _nextSweepTicks, now + _sweepIntervalTicks, next) == next)
        {
            _store.RemoveExpired(Now);
        }
    }

    // --- Lookup ---

    // RFC 9111 §4: of the stored responses that match (§4.1), the most recent by Date; §4.1: one with a Vary field
    // before one without (a default response that omitted Vary). Responses of no more use are dropped when met.
    private CachedResponse? Select(ReadOnlySpan<CachedResponse> stored, ReadOnlySpan<byte> requestFields, long now, out bool anyLive)
    {
        anyLive = false;
        CachedResponse? best = null;
        foreach (CachedResponse candidate in stored)
        {
            if (candidate.RetainUntilTicks < now)
            {
                _store.Remove(candidate);
                continue;
            }

            anyLive = true;
            if (CachePolicy.MatchesSecondaryKey(candidate.SecondaryKey, requestFields) && (best is null || IsPreferred(candidate, best)))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static bool IsPreferred(CachedResponse candidate, CachedResponse best)
    {
        bool candidateVaries = !candidate.SecondaryKey.IsEmpty, bestVaries = !best.SecondaryKey.IsEmpty;
        return candidateVaries != bestVaries ? candidateVaries : candidate.DateTicks > best.DateTicks;
    }

    private CacheResult Decide(in CacheRequest request, in RequestFacts facts, CachedResponse selected, bool isHead, long now)
    {
        CacheControl rq = facts.Control, rs = selected.Control;
        long age = CachePolicy.CurrentAge(selected.CorrectedInitialAge, selected.ResponseTicks, now);
        long remaining = selected.Lifetime - age;
        CacheForwardReason reason = CacheForwardReason.None;
        CacheStatusDetail detail = CacheStatusDetail.None;
        bool background = false;
        if (facts.HasOriginOnlyCondition || facts.HasRange)
        {
            return ForwardAsIs(facts, selected, isHead, CacheForwardReason.Request);
        }

        if (facts.NoCache || (rq.MaxAgeSeconds >= 0 && age > rq.MaxAgeSeconds * TimeSpan.TicksPerSecond))
        {
            reason = CacheForwardReason.Request;
        }
        else if (rs.NoCache && !rs.IsNoCacheQualified)
        {
            reason = CacheForwardReason.Stale;
        }
        else if (remaining > 0)
        {
            reason = rq.MinFreshSeconds >= 0 && remaining < rq.MinFreshSeconds * TimeSpan.TicksPerSecond ? CacheForwardReason.Request : CacheForwardReason.None;
        }
        else
        {
            long staleness = -remaining;
            bool mayServeStale = CachePolicy.MayServeStale(rs, IsShared) && rq.MinFreshSeconds < 0;
            if (mayServeStale && rq.MaxStaleSeconds >= 0 && (rq.MaxStaleSeconds == long.MaxValue || staleness <= rq.MaxStaleSeconds * TimeSpan.TicksPerSecond))
            {
                detail = CacheStatusDetail.MaxStale;
            }
            else if (mayServeStale && rs.StaleWhileRevalidateSeconds >= 0 && staleness <= rs.StaleWhileRevalidateSeconds * TimeSpan.TicksPerSecond)
            {
                detail = CacheStatusDetail.StaleWhileRevalidate;
                background = true;
            }
            else
            {
                reason = CacheForwardReason.Stale;
            }
        }

        if (reason != CacheForwardReason.None)
        {
            return facts.IsConditional || !selected.HasValidator || rq.OnlyIfCached
                ? ForwardAsIs(facts, selected, isHead, reason)
                : Forward(CacheAction.SendConditional, selected, default, isHead, reason);
        }

        var status = new CacheStatus { Hit = true, TimeToLive = Seconds(remaining), Detail = detail };
        if (facts.HasIfNoneMatch || facts.HasIfModifiedSince)
        {
            Condition condition = Evaluate(request.HeaderBlock, facts, selected, now);
            if (condition == Condition.Unusable)
            {
                return ForwardAsIs(facts, selected, isHead, CacheForwardReason.Request);
            }

            if (condition == Condition.NotModified)
            {
                return new CacheResult(this, CacheAction.ServeNotModified, selected, default, isHead, Seconds(age), status, background);
            }
        }

        return new CacheResult(this, CacheAction.ServeStored, selected, default, isHead, Seconds(age), status, background);
    }

    private CacheResult Miss(in RequestFacts facts, bool isHead, CacheForwardReason reason, ReadOnlyMemory<CachedResponse> candidates)
    {
        if (facts.Control.OnlyIfCached)
        {
            return GatewayTimeout(null, isHead);
        }

        // On a vary miss, the stored variants' tags let the origin answer 304 and name the one to use (RFC 9111 §4.1).
        bool anyTag = false;
        foreach (CachedResponse r in candidates.Span)
        {
            anyTag |= r.HasETag;
        }

        return anyTag && !facts.IsConditional
            ? Forward(CacheAction.SendConditional, null, candidates, isHead, reason)
            : Forward(CacheAction.Send, null, default, isHead, reason);
    }

    private CacheResult ForwardAsIs(in RequestFacts facts, CachedResponse selected, bool isHead, CacheForwardReason reason) =>
        facts.Control.OnlyIfCached ? GatewayTimeout(selected, isHead) : Forward(CacheAction.Send, selected, default, isHead, reason);

    private CacheResult GatewayTimeout(CachedResponse? selected, bool isHead) =>
        new(this, CacheAction.ServeGatewayTimeout, selected, default, isHead, 0, new CacheStatus { Detail = CacheStatusDetail.OnlyIfCached }, false);

    private CacheResult Forward(CacheAction action, CachedResponse? selected, ReadOnlyMemory<CachedResponse> candidates, bool isHead, CacheForwardReason reason, CacheStatusDetail detail = CacheStatusDetail.None) =>
        new(this, action, selected, candidates, isHead, 0, new CacheStatus { Forward = reason, Detail = detail }, false);

    private CacheResult Count(CacheResult result)
    {
        switch (result.Action)
        {
            case CacheAction.ServeStored or CacheAction.ServeNotModified:
                Interlocked.Increment(ref _hits);
                if (result.RevalidateInBackground)
                {
                    Interlocked.Increment(ref _validations);
                }

                break;
            case CacheAction.SendConditional:
                Interlocked.Increment(ref _validations);
                break;
            case CacheAction.Send:
                Interlocked.Increment(ref _misses);
                break;
        }

        return result;
    }

    private enum Condition
    {
        Full,
        NotModified,
        Unusable,
    }

    // RFC 9111 §4.3.2: the request's own If-None-Match (weak comparison) or, without it, If-Modified-Since, against the
    // stored response's validators (Last-Modified, else Date).
    private static Condition Evaluate(ReadOnlySpan<byte> requestFields, in RequestFacts facts, CachedResponse stored, long now)
    {
        if (facts.HasIfNoneMatch)
        {
            EntityTag storedTag = stored.ETag;
            bool match = false;
            foreach (HeaderField field in new HeaderFieldEnumerator(requestFields))
            {
                if (!field.NameEquals("If-None-Match"u8))
                {
                    continue;
                }

                if (!EntityTagList.TryParse(field.Value, out EntityTagList list))
                {
                    return Condition.Unusable;
                }

                match |= list.IsAny || (stored.HasETag && list.ContainsWeakMatch(storedTag));
            }

            return match ? Condition.NotModified : Condition.Full;
        }

        if (!HttpDate.TryParse(facts.IfModifiedSince, new DateTimeOffset(now, TimeSpan.Zero), out DateTimeOffset since))
        {
            return Condition.Full; // an invalid date is ignored (RFC 9110 §13.1.3)
        }

        long modified = stored.HasLastModified ? stored.LastModifiedTicks : stored.DateTicks;
        return modified <= since.UtcTicks ? Condition.NotModified : Condition.Full;
    }

    private CacheResult Stored(CachedResponse response, CacheAction action, bool isHead, long now, CacheStatus status)
    {
        long age = CachePolicy.CurrentAge(response.CorrectedInitialAge, response.ResponseTicks, now);
        return new CacheResult(this, action, response, default, isHead, Seconds(age), status with { TimeToLive = Seconds(response.Lifetime - age) }, false);
    }

    private CacheResult Origin(bool isHead, CacheStatus status) => new(this, CacheAction.ServeOriginResponse, null, default, isHead, 0, status, false);

    private static long Seconds(long ticks) => ticks >= 0 ? ticks / TimeSpan.TicksPerSecond : -((-ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);

    private static Span<byte> KeyBuffer(in CacheRequest request, Span<byte> stack, ref byte[]? rented)
    {
        int length = CacheKey.Write(request.Scheme, request.Authority, request.PathAndQuery, stack);
        if (length >= 0)
        {
            return stack[..length];
        }

        int needed = request.Scheme.Length + request.Authority.Length + request.PathAndQuery.Length + 4;
        if (needed <= stack.Length || needed > CacheKey.MaxLength)
        {
            return default;
        }

        rented = ArrayPool<byte>.Shared.Rent(needed);
        length = CacheKey.Write(request.Scheme, request.Authority, request.PathAndQuery, rented);
        return length < 0 ? default : rented.AsSpan(0, length);
    }
}
