namespace HttpGen.Caching;

/// <summary>
/// A response the cache will store once its body is complete (from <see cref="HttpCache.HandleResponseHead"/>): hand
/// it the whole body with <see cref="Complete"/>, or drop it if the body never completes. Not thread-safe.
/// </summary>
public sealed class PendingCacheEntry
{
    private readonly HttpCache _cache;
    private readonly byte[] _key, _secondaryKey, _head;
    private readonly long _expectedLength, _requestTicks, _responseTicks;
    private readonly long _maxEntrySize;
    private bool _done;

    internal PendingCacheEntry(HttpCache cache, byte[] key, byte[] secondaryKey, byte[] head, long expectedLength, long requestTicks, long responseTicks, long maxEntrySize)
    {
        _cache = cache;
        _key = key;
        _secondaryKey = secondaryKey;
        _head = head;
        _expectedLength = expectedLength;
        _requestTicks = requestTicks;
        _responseTicks = responseTicks;
        _maxEntrySize = maxEntrySize;
    }

    /// <summary>The largest body that will be stored: keep reading the body into a buffer only up to this length.</summary>
    public long MaxBodyLength => _maxEntrySize;

    /// <summary>
    /// Stores the response with its complete body (copied). An incomplete body (shorter than the Content-Length the
    /// head announced, RFC 9111 §3.3) or one over the size limit is not stored.
    /// </summary>
    /// <param name="body">The whole body, decoded from any transfer coding.</param>
    /// <returns>True when stored.</returns>
    /// <exception cref="InvalidOperationException">Called a second time.</exception>
    public bool Complete(ReadOnlySpan<byte> body)
    {
        if (_done)
        {
            throw new InvalidOperationException("The entry was already completed.");
        }

        _done = true;
        if (body.Length > _maxEntrySize || (_expectedLength >= 0 && body.Length != _expectedLength))
        {
            return false;
        }

        _cache.Put(CachedResponse.Create(_cache, _key, _secondaryKey, _head, body.ToArray(), _requestTicks, _responseTicks));
        return true;
    }
}
