using HttpGen.Caching;
using HttpGen.Client;

namespace CachingProxy;

/// <summary>stale-while-revalidate (RFC 5861 §3): the stale response was served; its validation runs on its own.</summary>
public sealed partial class ProxyHandler
{
    private void StartRevalidation(ProxyRequest request, in CacheResult lookup)
    {
        // One per URI at a time, and a bounded number in all: the cache keeps count.
        if (!_cache.TryBeginBackgroundRevalidation(lookup, out BackgroundRevalidation? revalidation))
        {
            return;
        }

        // Its own state: it outlives the request, whose head bytes the server reuses.
        var forwarding = new Forwarding();
        forwarding.Parts.Copy(request, _defaultAuthority);
        forwarding.Prepare(lookup, _via11);
        _ = RevalidateAsync(forwarding, lookup, revalidation);
    }

    private async Task RevalidateAsync(Forwarding forwarding, CacheResult lookup, BackgroundRevalidation revalidation)
    {
        await Task.Yield(); // off the request's path
        try
        {
            forwarding.Arm(_options.UpstreamTimeout);
            DateTimeOffset sent = _cache.Now;
            Interlocked.Increment(ref _forwarded);
            HttpGenResponse<UpstreamResponse> upstream = await _client.SendAsync(_options.Upstream, forwarding.Upstream, default, Timeout.InfiniteTimeSpan, forwarding.Token).ConfigureAwait(false);
            try
            {
                forwarding.Disarm();
                HandleResponseHead(forwarding, lookup, upstream.Head, sent, out PendingCacheEntry? pending);
                if (pending is not null)
                {
                    await StreamBodyAsync(forwarding, upstream, null, pending, default).ConfigureAwait(false);
                }
            }
            finally
            {
                await upstream.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The stale response stays; a later request validates it, or serves it stale where allowed.
        }
        finally
        {
            revalidation.Dispose();
            forwarding.Dispose();
        }
    }
}
