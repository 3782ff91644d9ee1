using System.Text;
using HttpGen.Parsing;

namespace HttpGen.Caching;

/// <summary>The rules of RFC 9111 as pure functions of the parsed facts and times (ticks of <see cref="DateTimeOffset.UtcTicks"/>).</summary>
internal static class CachePolicy
{
    /// <summary>Status codes defined as heuristically cacheable (RFC 9110 §15.1).</summary>
    public static bool IsHeuristicallyCacheable(int status) =>
        status is 200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    /// <summary>
    /// Status codes whose caching requirements this cache conforms to, for <c>must-understand</c> (RFC 9111 §5.2.2.3):
    /// the final status codes of RFC 9110 §15 except 206 (partial content is not stored) and 304.
    /// </summary>
    public static bool IsUnderstood(int status) =>
        status is (>= 200 and <= 205) or (>= 300 and <= 303) or 305 or 307 or 308 or (>= 400 and <= 417) or 421 or 422 or 426 or (>= 500 and <= 505);

    /// <summary>Whether a response to a GET may be stored (RFC 9111 §3, §3.5, §5.2); the reason when not.</summary>
    public static CacheStatusDetail CheckStorable(in RequestFacts request, in ResponseFacts response, bool shared)
    {
        CacheControl cc = response.Control;
        int status = response.Status;
        bool understood = IsUnderstood(status);
        if (request.Control.NoStore)
        {
            return CacheStatusDetail.RequestNoStore;
        }

        if (status < 200 || status == 206 || status == 304)
        {
            return CacheStatusDetail.Status;
        }

        if (cc.MustUnderstand && !understood)
        {
            return CacheStatusDetail.MustUnderstand;
        }

        // A cache that understands the status code ignores no-store beside must-understand (RFC 9111 §5.2.2.3).
        if (cc.NoStore && !(cc.MustUnderstand && understood))
        {
            return CacheStatusDetail.NoStore;
        }

        if (shared && cc.Private && !cc.IsPrivateQualified)
        {
            return CacheStatusDetail.Private;
        }

        if (shared && request.HasAuthorization && !(cc.MustRevalidate || cc.Public || cc.SharedMaxAgeSeconds >= 0))
        {
            return CacheStatusDetail.Authorization;
        }

        if (response.VaryStar)
        {
            return CacheStatusDetail.VaryStar;
        }

        bool cacheable = cc.Public || (!shared && cc.Private) || response.HasExpires || cc.MaxAgeSeconds >= 0
            || (shared && cc.SharedMaxAgeSeconds >= 0) || IsHeuristicallyCacheable(status);
        return cacheable ? CacheStatusDetail.None : CacheStatusDetail.NotCacheable;
    }

    /// <summary>The freshness lifetime (RFC 9111 §4.2.1), with heuristic freshness only where §4.2.2 allows it.</summary>
    public static long FreshnessLifetime(in ResponseFacts response, long dateTicks, bool shared, double heuristicFraction, long maxHeuristicTicks)
    {
        CacheControl cc = response.Control;
        if (shared && cc.SharedMaxAgeSeconds >= 0)
        {
            return cc.SharedMaxAgeSeconds * TimeSpan.TicksPerSecond;
        }

        if (cc.MaxAgeSeconds >= 0)
        {
            return cc.MaxAgeSeconds * TimeSpan.TicksPerSecond;
        }

        if (response.HasExpires)
        {
            return response.ExpiresValid ? Math.Max(0, response.ExpiresTicks - dateTicks) : 0;
        }

        if (!(IsHeuristicallyCacheable(response.Status) || cc.Public) || !response.HasLastModified || response.LastModifiedTicks >= dateTicks)
        {
            return 0;
        }

        // A fraction of the time since Last-Modified, in whole seconds, capped.
        long heuristic = (long)((dateTicks - response.LastModifiedTicks) * heuristicFraction);
        return Math.Min(heuristic - heuristic % TimeSpan.TicksPerSecond, maxHeuristicTicks);
    }

    /// <summary>corrected_initial_age of RFC 9111 §4.2.3.</summary>
    public static long CorrectedInitialAge(long ageValueSeconds, long dateTicks, long requestTicks, long responseTicks)
    {
        long apparentAge = Math.Max(0, responseTicks - dateTicks);
        long responseDelay = Math.Max(0, responseTicks - requestTicks);
        long correctedAgeValue = Math.Max(0, ageValueSeconds) * TimeSpan.TicksPerSecond + responseDelay;
        return Math.Max(apparentAge, correctedAgeValue);
    }

    /// <summary>current_age of RFC 9111 §4.2.3: corrected_initial_age plus resident_time.</summary>
    public static long CurrentAge(long correctedInitialAge, long responseTicks, long nowTicks) =>
        correctedInitialAge + Math.Max(0, nowTicks - responseTicks);

    /// <summary>
    /// Whether the response's directives allow serving it stale at all (RFC 9111 §4.2.4): not with no-cache,
    /// must-revalidate, or in a shared cache proxy-revalidate or s-maxage (§5.2.2.10).
    /// </summary>
    public static bool MayServeStale(CacheControl cc, bool shared) =>
        !(cc.NoCache && !cc.IsNoCacheQualified) && !cc.MustRevalidate && !(shared && (cc.ProxyRevalidate || cc.SharedMaxAgeSeconds >= 0));

    /// <summary>
    /// The last moment a stored response is of use: when it becomes stale, plus the longest window in which it may
    /// still be served (stale-while-revalidate, stale-if-error, or <paramref name="staleRetention"/> for max-stale
    /// requests) or validated (<paramref name="staleRetention"/>, when it has a validator).
    /// </summary>
    public static long RetainUntil(long responseTicks, long correctedInitialAge, long lifetime, CacheControl cc, bool shared, bool hasValidator, long staleRetention)
    {
        long window = 0;
        if (MayServeStale(cc, shared))
        {
            window = Math.Max(staleRetention, Math.Max(cc.StaleWhileRevalidateSeconds, cc.StaleIfErrorSeconds) * TimeSpan.TicksPerSecond);
        }

        if (hasValidator)
        {
            window = Math.Max(window, staleRetention);
        }

        long staleAt = responseTicks + lifetime - correctedInitialAge;
        return staleAt > DateTimeOffset.MaxValue.UtcTicks - window ? DateTimeOffset.MaxValue.UtcTicks : staleAt + window;
    }

    /// <summary>
    /// The secondary key of a response (RFC 9111 §4.1): for each field the response's Vary names, in order, the
    /// request's value normalized, as lines <c>name ':' ('1' value | '0') LF</c> (name in lower case; '0' when the
    /// request lacks the field). Empty without Vary.
    /// </summary>
    public static byte[] SecondaryKey(ReadOnlySpan<byte> responseFields, ReadOnlySpan<byte> requestFields)
    {
        int size = 0;
        foreach (HeaderField vary in new HeaderFieldEnumerator(responseFields))
        {
            if (vary.NameEquals("Vary"u8))
            {
                ReadOnlySpan<byte> list = vary.Value;
                while (HeaderValueParsing.TryTakeListElement(ref list, out ReadOnlySpan<byte> name))
                {
                    size += name.Length + 3 + FieldScan.MaxNormalizedLength(requestFields, name);
                }
            }
        }

        if (size == 0)
        {
            return [];
        }

        var key = new byte[size];
        int at = 0;
        foreach (HeaderField vary in new HeaderFieldEnumerator(responseFields))
        {
            if (!vary.NameEquals("Vary"u8))
            {
                continue;
            }

            ReadOnlySpan<byte> list = vary.Value;
            while (HeaderValueParsing.TryTakeListElement(ref list, out ReadOnlySpan<byte> name))
            {
                Ascii.ToLower(name, key.AsSpan(at), out int written);
                at += written;
                key[at++] = (byte)':';
                int length = FieldScan.WriteNormalized(requestFields, name, key.AsSpan(at + 1));
                key[at++] = length < 0 ? (byte)'0' : (byte)'1';
                at += Math.Max(length, 0);
                key[at++] = (byte)'\n';
            }
        }

        return key.AsSpan(0, at).ToArray();
    }

    /// <summary>Whether a request's fields match a stored secondary key: every Vary-named field normalized-equal, or absent in both.</summary>
    public static bool MatchesSecondaryKey(ReadOnlySpan<byte> secondaryKey, ReadOnlySpan<byte> requestFields)
    {
        while (!secondaryKey.IsEmpty)
        {
            int colon = secondaryKey.IndexOf((byte)':');
            int lf = secondaryKey.IndexOf((byte)'\n');
            ReadOnlySpan<byte> name = secondaryKey[..colon];
            bool present = secondaryKey[colon + 1] == (byte)'1';
            if (!FieldScan.NormalizedEquals(requestFields, name, present, secondaryKey[(colon + 2)..lf]))
            {
                return false;
            }

            secondaryKey = secondaryKey[(lf + 1)..];
        }

        return true;
    }
}
