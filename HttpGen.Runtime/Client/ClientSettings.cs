using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using HttpGen.Chunked;

namespace HttpGen.Client;

/// <summary>The options of one client, read once, plus what its pools share: the DNS cache and the counters.</summary>
internal sealed class ClientSettings
{
    public ClientSettings(HttpGenClientOptions options)
    {
        MaxConnectionsPerHost = options.MaxConnectionsPerHost;
        ConnectTimeoutMs = HttpGenClientOptions.ToMilliseconds(options.ConnectTimeout);
        IdleTimeoutMs = HttpGenClientOptions.ToMilliseconds(options.IdleTimeout);
        QueueTimeoutMs = HttpGenClientOptions.ToMilliseconds(options.QueueTimeout);
        RequestTimeout = options.RequestTimeout;
        MaxResponseBodySize = options.MaxResponseBodySize;
        MaxDrainSize = options.MaxDrainSize;
        ReceiveBufferSize = options.ReceiveBufferSize;
        ChunkedOptions = options.ChunkedOptions;
        Dns = new DnsCache(options.DnsCacheTtl);
        ServerCertificateValidation = options.ServerCertificateValidation;
        ClientCertificates = options.ClientCertificates is { Count: > 0 } certificates ? [.. certificates] : null;
        Cache = options.Cache;
        UseEpoll = options.UseEpoll;
    }

    public bool UseEpoll { get; }

    public Caching.HttpCache? Cache { get; }

    public Func<HttpOrigin, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; }

    public X509Certificate2Collection? ClientCertificates { get; }

    public int MaxConnectionsPerHost { get; }

    public long ConnectTimeoutMs { get; }

    public long IdleTimeoutMs { get; }

    public long QueueTimeoutMs { get; }

    public TimeSpan RequestTimeout { get; }

    public long MaxResponseBodySize { get; }

    public long MaxDrainSize { get; }

    public int ReceiveBufferSize { get; }

    public ChunkedDecoderOptions ChunkedOptions { get; }

    public DnsCache Dns { get; }

    public long ConnectionsOpened;

    public int OpenConnections;

    /// <summary>The time left until <paramref name="deadline"/> (a <see cref="Environment.TickCount64"/> value) in ms, at least 1; long.MaxValue for none.</summary>
    public static long Remaining(long deadline) =>
        deadline == long.MaxValue ? long.MaxValue : Math.Max(1, deadline - Environment.TickCount64);
}
