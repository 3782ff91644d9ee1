using HttpGen.Caching;
using HttpGen.Client;

namespace CachingProxy;

/// <summary>How the proxy runs: where it forwards, under which name, with which cache and upstream limits.</summary>
public sealed class ProxyOptions
{
    /// <summary>The origin every request goes to on a miss.</summary>
    public required HttpOrigin Upstream { get; init; }

    /// <summary>
    /// The proxy's name: its <c>Via</c> pseudonym (<c>Via: 1.1 name</c>, RFC 9110 §7.6.3) and, for the default cache,
    /// the cache name in <c>Cache-Status</c>. A token. Default <c>httpgen-proxy</c>.
    /// </summary>
    public string Name { get; init; } = "httpgen-proxy";

    /// <summary>The shared cache; null (the default) for a 256 MiB memory cache named <see cref="Name"/>.</summary>
    public HttpCache? Cache { get; init; }

    /// <summary>
    /// How long the upstream may take to start its response (connect, send, response head), and then to send each
    /// further piece of its body: 504 before the head, a cut connection after. Default 30 s.
    /// </summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for a connect to the upstream. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most connections open to the upstream at once (keep-alive, reused). Default 256.</summary>
    public int MaxUpstreamConnections { get; init; } = 256;

    /// <summary>Creates the cache the proxy uses: <see cref="Cache"/>, or a shared 256 MiB one.</summary>
    internal HttpCache CreateCache()
    {
        HttpCache cache = Cache ?? new HttpCache(new HttpCacheOptions { Shared = true, Name = Name, Capacity = 256L * 1024 * 1024 });
        return cache.IsShared ? cache : throw new ArgumentException("A proxy's cache is shared: create it with HttpCacheOptions.Shared = true.", nameof(Cache));
    }

    /// <summary>The upstream client's options: a pool sized for a proxy, no limit on body size, timeouts kept by the proxy.</summary>
    internal HttpGenClientOptions CreateClientOptions() => new()
    {
        MaxConnectionsPerHost = MaxUpstreamConnections,
        ConnectTimeout = ConnectTimeout,
        RequestTimeout = Timeout.InfiniteTimeSpan,
        QueueTimeout = UpstreamTimeout,
        MaxResponseBodySize = long.MaxValue,
        ReceiveBufferSize = 16 * 1024,
    };
}
