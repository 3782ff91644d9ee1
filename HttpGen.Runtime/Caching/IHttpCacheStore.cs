namespace HttpGen.Caching;

/// <summary>
/// Where an <see cref="HttpCache"/> keeps its responses. Responses are grouped by primary key (the target URI); a key
/// may hold several responses that differ by secondary key (the request fields their Vary names). The cache decides
/// what to store and what a stored response is good for; the store only keeps them, bounded by whatever it likes.
/// </summary>
/// <remarks>
/// Implementations must be safe for concurrent use. <see cref="CachedResponse"/> is immutable, so a store may hand out
/// the same instance to any number of readers; dropping it from the store must not invalidate it for them.
/// </remarks>
public interface IHttpCacheStore
{
    /// <summary>Responses stored for a primary key, most recently stored first, and marks them as recently used.</summary>
    /// <param name="primaryKey">The key (see <see cref="CachedResponse.PrimaryKey"/>).</param>
    /// <returns>A snapshot that stays as it is while the store changes; empty when none. Must not allocate per call in
    /// a store meant for fast hits.</returns>
    ReadOnlyMemory<CachedResponse> Get(ReadOnlySpan<byte> primaryKey);

    /// <summary>
    /// Stores a response under its primary key, replacing a stored one with the same secondary key (byte for byte).
    /// A store may refuse it (too large) or evict others to make room.
    /// </summary>
    /// <param name="response">The response.</param>
    void Put(CachedResponse response);

    /// <summary>Removes one stored response, if it is still stored (compared by reference).</summary>
    /// <param name="response">The response.</param>
    /// <returns>True when it was removed.</returns>
    bool Remove(CachedResponse response);

    /// <summary>Removes every response stored under a primary key (invalidation, RFC 9111 §4.4).</summary>
    /// <param name="primaryKey">The key.</param>
    /// <returns>How many were removed.</returns>
    int RemoveAll(ReadOnlySpan<byte> primaryKey);

    /// <summary>Removes every response whose <see cref="CachedResponse.RetainUntil"/> is before <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>How many were removed.</returns>
    int RemoveExpired(DateTimeOffset now);

    /// <summary>How many responses are stored.</summary>
    int Count { get; }

    /// <summary>The bytes the stored responses hold (<see cref="CachedResponse.Size"/> summed).</summary>
    long Size { get; }
}
