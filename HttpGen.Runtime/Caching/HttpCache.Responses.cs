namespace HttpGen.Caching;

/// <summary>The cache's handling of the origin's answers: storing, updating after validation, invalidating, stale-if-error.</summary>
public sealed partial class HttpCache
{
    private CacheResult StoreResponse(in CacheRequest request, in CacheResult lookup, ReadOnlySpan<byte> key, ReadOnlySpan<byte> head, in ResponseFacts response,
        in RequestFacts facts, CacheStatus status, long requestTicks, long responseTicks, out PendingCacheEntry? pending)
    {
        pending = null;
        CacheStatusDetail detail = CachePolicy.CheckStorable(facts, response, IsShared);
        long ttl = 0;
        if (detail == CacheStatusDetail.None && response.ContentLength > _maxEntrySize)
        {
            detail = CacheStatusDetail.TooLarge;
        }

        if (detail == CacheStatusDetail.None)
        {
            long date = response.HasDate ? response.DateTicks : responseTicks;
            long initialAge = CachePolicy.CorrectedInitialAge(StoredFieldFilter.AgeValue(response.Fields), date, requestTicks, responseTicks);
            long lifetime = CachePolicy.FreshnessLifetime(response, date, IsShared, HeuristicFraction, MaxHeuristicTicks);
            bool validator = response.HasETag || response.HasLastModified;
            if (CachePolicy.RetainUntil(responseTicks, initialAge, lifetime, response.Control, IsShared, validator, StaleRetentionTicks) <= responseTicks)
            {
                detail = CacheStatusDetail.Stale;
            }
            else
            {
                ttl = lifetime - initialAge;
                byte[] secondary = CachePolicy.SecondaryKey(response.Fields, request.HeaderBlock);
                pending = new PendingCacheEntry(this, key.ToArray(), secondary, head.ToArray(), response.ContentLength, requestTicks, responseTicks, _maxEntrySize);
            }
        }

        if (pending is null && lookup.Response is { } superseded && response.Status is >= 200 and < 400 and not 206 && !facts.HasRange)
        {
            _store.Remove(superseded); // a newer full response for the same request exists, and may not be stored
        }

        return Origin(request.IsHead, status with { Stored = pending is not null, TimeToLive = pending is null ? null : Seconds(ttl), Detail = detail });
    }

    // RFC 9111 §4.3.4: the stored responses a 304 selects by its validators are updated; the request is then answered
    // from the one that matches it, if the cache asked for the validation; a client's own conditional gets the 304.
    // Beyond §4.3.4: a 304 without validators to a validation the cache asked for (If-Modified-Since from one stored
    // response's Last-Modified) selects that response.
    private CacheResult NotModified(in CacheRequest request, in CacheResult lookup, ReadOnlySpan<byte> key, in ResponseFacts response, bool isHead,
        CacheStatus status, long requestTicks, long responseTicks)
    {
        ReadOnlySpan<CachedResponse> stored = _store.Get(key).Span;
        bool hasTag = response.TryGetETag(out EntityTag tag);
        bool cacheAsked = lookup.Action == CacheAction.SendConditional || lookup.RevalidateInBackground;
        CachedResponse? serve = null, selectedForOther = null;
        bool selectedAny = false;
        foreach (CachedResponse candidate in stored)
        {
            bool selected = hasTag && !tag.IsWeak ? candidate.HasETag && candidate.ETag.StrongEquals(tag)
                : hasTag ? candidate.HasETag && candidate.ETag.WeakEquals(tag) && !selectedAny
                : response.HasLastModified ? candidate.HasLastModified && candidate.LastModifiedTicks == response.LastModifiedTicks && !selectedAny
                : (stored.Length == 1 && !candidate.HasValidator) || (cacheAsked && ReferenceEquals(candidate, lookup.Response));
            if (!selected)
            {
                continue;
            }

            selectedAny = true;
            CachedResponse updated = candidate.Update(this, response.Fields, candidate.SecondaryKey, requestTicks, responseTicks);
            Put(updated);
            if (serve is null && CachePolicy.MatchesSecondaryKey(updated.SecondaryKey, request.HeaderBlock))
            {
                serve = updated;
            }

            selectedForOther ??= updated;
        }

        if (!cacheAsked)
        {
            return Origin(isHead, status);
        }

        if (serve is null && selectedForOther is not null)
        {
            // The origin chose a variant stored for other requests: keep it for this one's secondary key too.
            FieldScan.TryReadStatusLine(selectedForOther.Head.Span, out _, out _, out ReadOnlySpan<byte> fields);
            byte[] secondary = CachePolicy.SecondaryKey(fields, request.HeaderBlock);
            serve = selectedForOther.Update(this, default, secondary, requestTicks, responseTicks);
            Put(serve);
        }

        return serve is null
            ? new CacheResult(this, CacheAction.Send, lookup.Response, default, isHead, 0, status, false)
            : Stored(serve, CacheAction.ServeStored, isHead, responseTicks, status);
    }

    // RFC 9111 §4.3.5: a 200 to HEAD updates the stored GET responses it could have been chosen for, when its
    // validators and Content-Length agree with them; those that disagree are stale, and dropped.
    private void FreshenWithHead(in CacheRequest request, ReadOnlySpan<byte> key, ReadOnlySpan<byte> head, in ResponseFacts response, long requestTicks, long responseTicks)
    {
        foreach (CachedResponse candidate in _store.Get(key).Span)
        {
            if (!CachePolicy.MatchesSecondaryKey(candidate.SecondaryKey, request.HeaderBlock))
            {
                continue;
            }

            bool agrees = (!response.HasETag || candidate.RawETag.SequenceEqual(response.ETag))
                && (!response.HasLastModified || candidate.LastModifiedTicks == response.LastModifiedTicks)
                && (response.ContentLength < 0 || response.ContentLength == candidate.Body.Length);
            if (agrees)
            {
                Put(candidate.Update(this, response.Fields, candidate.SecondaryKey, requestTicks, responseTicks));
            }
            else
            {
                _store.Remove(candidate);
            }
        }
    }

    private CachedResponse? StaleIfError(CachedResponse? stored, in RequestFacts facts, long now)
    {
        if (stored is null || !CachePolicy.MayServeStale(stored.Control, IsShared))
        {
            return null;
        }

        long window = Math.Max(stored.Control.StaleIfErrorSeconds, facts.Control.StaleIfErrorSeconds);
        long staleness = CachePolicy.CurrentAge(stored.CorrectedInitialAge, stored.ResponseTicks, now) - stored.Lifetime;
        return window >= 0 && staleness <= window * TimeSpan.TicksPerSecond ? stored : null;
    }

    // RFC 9111 §4.4: the target URI, and the Location and Content-Location URIs of the same origin.
    private void Invalidate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> location, ReadOnlySpan<byte> contentLocation)
    {
        _store.RemoveAll(key);
        InvalidateSameOrigin(key, location);
        InvalidateSameOrigin(key, contentLocation);
    }

    private void InvalidateSameOrigin(ReadOnlySpan<byte> key, ReadOnlySpan<byte> reference)
    {
        Span<byte> other = stackalloc byte[1024];
        int length = reference.IsEmpty ? -1 : CacheKey.Resolve(key, reference, other);
        if (length > 0 && CacheKey.Origin(other[..length]).SequenceEqual(CacheKey.Origin(key)))
        {
            _store.RemoveAll(other[..length]);
        }
    }
}
