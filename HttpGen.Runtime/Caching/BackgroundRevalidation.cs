using System.Diagnostics.CodeAnalysis;

namespace HttpGen.Caching;

/// <summary>
/// A background revalidation in flight (stale-while-revalidate, RFC 5861 §3), from
/// <see cref="HttpCache.TryBeginBackgroundRevalidation"/>: while it is held, no other background revalidation of the
/// same URI starts. Dispose it when the revalidation is over (whatever its outcome).
/// </summary>
public sealed class BackgroundRevalidation : IDisposable
{
    private readonly HttpCache _cache;
    private int _ended;

    internal BackgroundRevalidation(HttpCache cache, byte[] key)
    {
        _cache = cache;
        Key = key;
    }

    internal byte[] Key { get; }

    /// <summary>Ends the revalidation: the URI may be revalidated again.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _cache.EndBackgroundRevalidation(this);
        }
    }
}

/// <summary>The cache's count of background revalidations, one per primary key at a time.</summary>
public sealed partial class HttpCache
{
    private readonly Lock _revalidationLock = new();
    private readonly List<BackgroundRevalidation> _revalidating = [];

    /// <summary>Background revalidations in flight (begun and not yet disposed).</summary>
    public int BackgroundRevalidations
    {
        get
        {
            lock (_revalidationLock)
            {
                return _revalidating.Count;
            }
        }
    }

    /// <summary>
    /// Claims the background revalidation that <paramref name="result"/> asks for
    /// (<see cref="CacheResult.RevalidateInBackground"/>): granted unless one for the same URI is already in flight, or
    /// <see cref="HttpCacheOptions.MaxBackgroundRevalidations"/> are. A caller that is not granted one just serves the
    /// stale response: the revalidation in flight will update it, or a later request will start another.
    /// </summary>
    /// <param name="result">A result of <see cref="Lookup"/> with <see cref="CacheResult.RevalidateInBackground"/>.</param>
    /// <param name="revalidation">The claim; dispose it when the revalidation is over.</param>
    /// <returns>True when the caller is to send the conditional request.</returns>
    public bool TryBeginBackgroundRevalidation(in CacheResult result, [NotNullWhen(true)] out BackgroundRevalidation? revalidation)
    {
        revalidation = null;
        if (!result.RevalidateInBackground || result.Response is not { } stale)
        {
            return false;
        }

        ReadOnlySpan<byte> key = stale.PrimaryKey;
        lock (_revalidationLock)
        {
            if (_revalidating.Count >= _maxBackgroundRevalidations)
            {
                return false;
            }

            foreach (BackgroundRevalidation other in _revalidating)
            {
                if (key.SequenceEqual(other.Key))
                {
                    return false;
                }
            }

            revalidation = new BackgroundRevalidation(this, key.ToArray());
            _revalidating.Add(revalidation);
            return true;
        }
    }

    internal void EndBackgroundRevalidation(BackgroundRevalidation revalidation)
    {
        lock (_revalidationLock)
        {
            _revalidating.Remove(revalidation);
        }
    }
}
