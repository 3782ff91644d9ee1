using HttpGen.Caching;
using HttpGen.Client;

namespace CachingProxy;

/// <summary>stale-while-revalidate (RFC 5861 §3): the stale response was served; its validation runs on its own.</summary>
public sealed partial class ProxyHandler
{
    /// <summary>Most background revalidations in flight at once; a stale hit beyond it starts none.</summary>
    private const int MaxRevalidations = 64;

    private readonly Lock _revalidationLock = new();
    private readonly List<byte[]> _revalidating = []; // primary keys: one revalidation per key at a time

    /// <summary>Background revalidations in flight.</summary>
    public int Revalidations
    {
        get
        {
            lock (_revalidationLock)
            {
                return _revalidating.Count;
            }
        }
    }

    private void StartRevalidation(ProxyRequest request, in CacheResult lookup)
    {
        byte[]? key = TryBeginRevalidation(lookup.Response!.PrimaryKey);
        if (key is null)
        {
            return;
        }

        // Its own state: it outlives the request, whose head bytes the server reuses.
        var forwarding = new Forwarding();
        forwarding.Parts.Copy(request, _defaultAuthority);
        forwarding.Prepare(lookup, _via11);
        _ = RevalidateAsync(forwarding, lookup, key);
    }

    private byte[]? TryBeginRevalidation(ReadOnlySpan<byte> key)
    {
        lock (_revalidationLock)
        {
            if (_revalidating.Count >= MaxRevalidations)
            {
                return null;
            }

            foreach (byte[] other in _revalidating)
            {
                if (key.SequenceEqual(other))
                {
                    return null;
                }
            }

            byte[] copy = key.ToArray();
            _revalidating.Add(copy);
            return copy;
        }
    }

    private async Task RevalidateAsync(Forwarding forwarding, CacheResult lookup, byte[] key)
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
            lock (_revalidationLock)
            {
                _revalidating.Remove(key);
            }

            forwarding.Dispose();
        }
    }
}
