namespace HttpGen.Caching;

/// <summary>
/// How an <see cref="HttpCache"/> behaves. The cache reads them once, when it is created; changing them afterwards has
/// no effect on it.
/// </summary>
public sealed class HttpCacheOptions
{
    /// <summary>
    /// Whether the cache is shared (a proxy's, serving many users) rather than private (one client's). A shared cache
    /// does not store <c>private</c> responses nor responses to requests with Authorization unless they allow it, and
    /// honours <c>s-maxage</c> and <c>proxy-revalidate</c> (RFC 9111 §3, §3.5, §5.2.2). Default false.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>The cache's identifier in Cache-Status (RFC 9211 §2): printable ASCII. Default <c>HttpGen</c>.</summary>
    public string Name { get; set => field = value ?? throw new ArgumentNullException(nameof(value)); } = "HttpGen";

    /// <summary>
    /// The most bytes the default <see cref="MemoryHttpCacheStore"/> holds (used only when no store is given to the
    /// cache). Default 64 MiB.
    /// </summary>
    public long Capacity { get; set => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 64L * 1024 * 1024;

    /// <summary>The largest body stored; larger responses go through unstored. Default 8 MiB.</summary>
    public long MaxEntrySize { get; set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 8L * 1024 * 1024;

    /// <summary>
    /// The fraction of the time since Last-Modified used as a heuristic freshness lifetime, where RFC 9111 §4.2.2 allows
    /// one (no explicit expiration, and a heuristically cacheable status code or <c>public</c>). Default 0.1; 0 disables
    /// heuristic freshness.
    /// </summary>
    public double HeuristicFraction { get; set => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 0.1;

    /// <summary>The longest heuristic freshness lifetime. Default 1 day.</summary>
    public TimeSpan MaxHeuristicLifetime { get; set => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a stale response is kept past its freshness (and its stale-while-revalidate and stale-if-error windows)
    /// when it can still be of use: to be validated (it has an ETag or Last-Modified) or to be served to requests with
    /// <c>max-stale</c> (its directives allow serving it stale). After that it is dropped. Default 10 minutes.
    /// </summary>
    public TimeSpan StaleRetention { get; set => field = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = TimeSpan.FromMinutes(10);

    /// <summary>The most responses the default store keeps for one URI (Vary variants). Default 8.</summary>
    public int MaxResponsesPerKey { get; set => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 8;

    /// <summary>
    /// The most background revalidations (stale-while-revalidate) in flight at once, all URIs together, through
    /// <see cref="HttpCache.TryBeginBackgroundRevalidation"/>; one per URI in any case. Default 64.
    /// </summary>
    public int MaxBackgroundRevalidations { get; set => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 64;

    /// <summary>How often the cache asks its store to drop expired responses (on a write, at most this often). Default 30 s.</summary>
    public TimeSpan SweepInterval { get; set => field = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = TimeSpan.FromSeconds(30);
}
