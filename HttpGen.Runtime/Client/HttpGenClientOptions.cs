using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using HttpGen.Caching;
using HttpGen.Chunked;

namespace HttpGen.Client;

/// <summary>
/// Limits and timeouts for <see cref="HttpGenClient{TRequest, TResponse}"/>. The client reads them once, when it is
/// created; changing them afterwards has no effect on it. Timeouts accept <see cref="Timeout.InfiniteTimeSpan"/>.
/// </summary>
public sealed class HttpGenClientOptions
{
    /// <summary>Most connections open (or opening) at once to one origin; further requests wait in a FIFO queue. Default 6.</summary>
    public int MaxConnectionsPerHost { get; set => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least one connection is needed."); } = 6;

    /// <summary>
    /// Time allowed for one TCP connect attempt, per address. Also bounds the name lookup, and for <c>https</c> the TLS
    /// handshake (a separate allowance after the connect). Default 10 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set => field = Timeout(value); } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle connection is kept for reuse before it is closed. Default 60 s.</summary>
    public TimeSpan IdleTimeout { get; set => field = Timeout(value); } = TimeSpan.FromSeconds(60);

    /// <summary>How long a request may wait for a free connection when the origin has <see cref="MaxConnectionsPerHost"/> busy. Default 30 s.</summary>
    public TimeSpan QueueTimeout { get; set => field = Timeout(value); } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The default per-request timeout: the whole exchange, from the send call through queueing, connecting, sending and
    /// the response head to the end of reading the body. Each send can override it. Default 100 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set => field = Timeout(value); } = TimeSpan.FromSeconds(100);

    /// <summary>How long resolved addresses of a host name are reused; <see cref="TimeSpan.Zero"/> resolves every time. Default 30 s, at most 1 day.</summary>
    public TimeSpan DnsCacheTtl
    {
        get;
        set => field = value >= TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The DNS cache time must be between zero and one day.");
    } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body the client reads, whatever its framing. Default 64 MiB.</summary>
    public long MaxResponseBodySize { get; set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 64L * 1024 * 1024;

    /// <summary>Most unread body bytes that disposing a response reads and discards to keep its connection. Default 64 KiB.</summary>
    public long MaxDrainSize { get; set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value)); } = 64 * 1024;

    /// <summary>Initial size of each connection's receive buffer; it grows up to the response type's head limits. Default 4 KiB.</summary>
    public int ReceiveBufferSize { get; set => field = value >= 256 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "At least 256 bytes."); } = 4096;

    /// <summary>Limits for chunked response bodies (their <c>MaxBodySize</c> is further capped by <see cref="MaxResponseBodySize"/>). Default <see cref="ChunkedDecoderOptions.Default"/>.</summary>
    public ChunkedDecoderOptions ChunkedOptions { get; set => field = value ?? throw new ArgumentNullException(nameof(value)); } = ChunkedDecoderOptions.Default;

    /// <summary>
    /// Decides whether an <c>https</c> server's certificate is accepted. Null (the default): only when the platform's
    /// validation finds nothing wrong (a chain to a trusted root, within its dates, issued for the origin's host name).
    /// Otherwise called once per TLS handshake with the origin, the server's certificate, the chain built for it and the
    /// errors found (<see cref="SslPolicyErrors.RemoteCertificateNameMismatch"/> among them); return true to accept it.
    /// A rejected certificate fails the request with <see cref="HttpClientErrorKind.CertificateRejected"/>.
    /// </summary>
    public Func<HttpOrigin, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? ServerCertificateValidation { get; set; }

    /// <summary>
    /// Certificates, with their private keys, that the client may present when an <c>https</c> server asks for one
    /// (mutual TLS); the TLS layer picks one whose issuer the server accepts. Default none.
    /// </summary>
    public X509Certificate2Collection? ClientCertificates { get; set; }

    /// <summary>
    /// A private HTTP cache (RFC 9111) in front of the network, or null (the default) for none. With a cache, a request
    /// it can answer (a fresh stored response, a stale one where stale-while-revalidate or max-stale allow it, a 304
    /// to the request's own conditions) is answered without a name lookup, a connection or a socket call; a stale
    /// response with a validator is revalidated with a conditional request; responses that may be stored are stored
    /// as their bodies are read. One cache may serve several clients. See docs/cache.md.
    /// </summary>
    /// <exception cref="ArgumentException">The cache is shared (<see cref="HttpCacheOptions.Shared"/>): a client's cache is private.</exception>
    public HttpCache? Cache
    {
        get;
        set => field = value is { IsShared: true }
            ? throw new ArgumentException("A client's cache is private: create it with HttpCacheOptions.Shared = false.", nameof(value))
            : value;
    }

    /// <summary>
    /// On Linux (x86-64, arm64), whether plain <c>http</c> connections are driven by the client's own epoll loop: fewer
    /// system calls and thread hops per exchange than .NET's socket engine (no receive that finds nothing before each
    /// wait, no poll of an idle connection that a retryable request reuses). Default true; false, and every other
    /// system, uses .NET's sockets. <c>https</c> connections always use .NET's. The environment variable
    /// <c>HTTPGEN_CLIENT_EPOLL=0</c> turns it off for the whole process.
    /// </summary>
    public bool UseEpoll { get; set; } = true;

    private static TimeSpan Timeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == System.Threading.Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout must be positive or Timeout.InfiniteTimeSpan.");

    internal static long ToMilliseconds(TimeSpan value) =>
        value == System.Threading.Timeout.InfiniteTimeSpan ? long.MaxValue : (long)Math.Ceiling(value.TotalMilliseconds);
}
