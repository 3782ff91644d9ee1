using System.Text;

namespace HttpGen.Caching;

/// <summary>Why a request went forward to the origin: the <c>fwd</c> parameter of Cache-Status (RFC 9211 §2.2).</summary>
public enum CacheForwardReason : byte
{
    /// <summary>Not forwarded (a hit), or nothing to say.</summary>
    None = 0,
    /// <summary><c>bypass</c>: the cache was configured not to handle this request.</summary>
    Bypass,
    /// <summary><c>method</c>: the method's semantics need the origin (anything but GET and HEAD).</summary>
    Method,
    /// <summary><c>uri-miss</c>: nothing stored for the target URI.</summary>
    UriMiss,
    /// <summary><c>vary-miss</c>: responses are stored for the URI, but none matches the request's Vary-named fields.</summary>
    VaryMiss,
    /// <summary><c>miss</c>: nothing usable stored.</summary>
    Miss,
    /// <summary><c>request</c>: a fresh response was selected, but the request's directives or conditions did not allow its use.</summary>
    Request,
    /// <summary><c>stale</c>: the selected response was stale, or must be validated.</summary>
    Stale,
    /// <summary><c>partial</c>: only part of the requested content was stored.</summary>
    Partial,
}

/// <summary>
/// Implementation detail of Cache-Status (its <c>detail</c> parameter, RFC 9211 §2.8): why a response was not stored,
/// or how a stale one was served.
/// </summary>
public enum CacheStatusDetail : byte
{
    /// <summary>No detail.</summary>
    None = 0,
    /// <summary><c>no-store</c>: the response has <c>no-store</c>.</summary>
    NoStore,
    /// <summary><c>request-no-store</c>: the request has <c>no-store</c>.</summary>
    RequestNoStore,
    /// <summary><c>private</c>: a shared cache does not store a <c>private</c> response.</summary>
    Private,
    /// <summary><c>authorization</c>: a shared cache does not store a response to a request with Authorization unless the response allows it.</summary>
    Authorization,
    /// <summary><c>status</c>: the status code is not one the cache stores (1xx, 206, 304) or understands.</summary>
    Status,
    /// <summary><c>must-understand</c>: the response has <c>must-understand</c> and a status code the cache does not understand.</summary>
    MustUnderstand,
    /// <summary><c>vary-star</c>: <c>Vary: *</c> never matches a later request.</summary>
    VaryStar,
    /// <summary><c>not-cacheable</c>: no explicit freshness, validator-worthy lifetime, or heuristically cacheable status.</summary>
    NotCacheable,
    /// <summary><c>too-large</c>: the body is over the cache's entry size limit, or the target URI too long (or unusable) for a key.</summary>
    TooLarge,
    /// <summary><c>stale</c>: the response would be stale on arrival with nothing to validate it by.</summary>
    Stale,
    /// <summary><c>stale-while-revalidate</c>: a stale response was served while it is revalidated (RFC 5861 §3).</summary>
    StaleWhileRevalidate,
    /// <summary><c>stale-if-error</c>: a stale response was served because the origin failed (RFC 5861 §4).</summary>
    StaleIfError,
    /// <summary><c>only-if-cached</c>: nothing usable was stored and the request forbade going to the origin.</summary>
    OnlyIfCached,
    /// <summary><c>max-stale</c>: a stale response was served because the request's <c>max-stale</c> allowed it.</summary>
    MaxStale,
    /// <summary><c>incomplete</c>: the body ended before the length the head announced (RFC 9111 §3.3).</summary>
    Incomplete,
}

/// <summary>
/// The value this cache adds to the <c>Cache-Status</c> response field (RFC 9211): whether it was a hit, why the request
/// went forward and what came back, the remaining freshness, whether the response was stored.
/// </summary>
public readonly record struct CacheStatus
{
    /// <summary><c>hit</c>: answered from the cache without going to the origin.</summary>
    public bool Hit { get; init; }

    /// <summary><c>fwd</c>: why the request went forward; <see cref="CacheForwardReason.None"/> when it did not.</summary>
    public CacheForwardReason Forward { get; init; }

    /// <summary><c>fwd-status</c>: the status code the origin answered the forwarded request with; 0 when none.</summary>
    public int ForwardStatus { get; init; }

    /// <summary><c>ttl</c>: the response's remaining freshness in seconds, negative when stale; null when not relevant.</summary>
    public long? TimeToLive { get; init; }

    /// <summary><c>stored</c>: the response was stored (or is being stored as its body arrives).</summary>
    public bool Stored { get; init; }

    /// <summary><c>collapsed</c>: the request was collapsed with another one going forward (set by a caller that collapses).</summary>
    public bool Collapsed { get; init; }

    /// <summary><c>detail</c>: why a response was not stored, or how a stale one was served.</summary>
    public CacheStatusDetail Detail { get; init; }

    /// <summary>Writes the list member: the cache's name, then its parameters, for instance <c>HttpGen; hit; ttl=376</c>.</summary>
    /// <param name="cacheName">The cache's identifier, already encoded as a token or a quoted string.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The length written; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TryFormat(ReadOnlySpan<byte> cacheName, Span<byte> destination, out int bytesWritten)
    {
        var w = new ByteAppender(destination);
        w.Append(cacheName);
        if (Hit)
        {
            w.Append("; hit"u8);
        }

        if (Forward != CacheForwardReason.None)
        {
            w.Append("; fwd="u8);
            w.Append(ForwardToken(Forward));
        }

        if (ForwardStatus != 0)
        {
            w.Append("; fwd-status="u8);
            w.Number(ForwardStatus);
        }

        if (TimeToLive is { } ttl)
        {
            w.Append("; ttl="u8);
            w.Number(ttl);
        }

        if (Stored)
        {
            w.Append("; stored"u8);
        }

        if (Collapsed)
        {
            w.Append("; collapsed"u8);
        }

        if (Detail != CacheStatusDetail.None)
        {
            w.Append("; detail="u8);
            w.Append(DetailToken(Detail));
        }

        return w.Finish(out bytesWritten);
    }

    /// <summary>The value with the cache name <c>HttpGen</c> (allocates; for logs and tests).</summary>
    /// <returns>The formatted list member.</returns>
    public override string ToString()
    {
        Span<byte> buffer = stackalloc byte[256];
        return TryFormat("HttpGen"u8, buffer, out int written) ? Encoding.ASCII.GetString(buffer[..written]) : string.Empty;
    }

    /// <summary>Encodes a cache name as an sf-token when it is one (RFC 8941 §3.3.4), otherwise as an sf-string.</summary>
    /// <param name="name">The name: printable ASCII.</param>
    /// <returns>The encoded name.</returns>
    /// <exception cref="ArgumentException">The name is empty or not printable ASCII.</exception>
    internal static byte[] EncodeName(string name)
    {
        bool printable = !string.IsNullOrEmpty(name);
        bool token = printable && (char.IsAsciiLetter(name[0]) || name[0] == '*');
        foreach (char c in name ?? string.Empty)
        {
            printable &= c is >= ' ' and <= '~';
            token &= char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~:/".Contains(c);
        }

        if (!printable)
        {
            throw new ArgumentException("The cache name must be non-empty printable ASCII.", nameof(name));
        }

        if (token)
        {
            return Encoding.ASCII.GetBytes(name!);
        }

        var escaped = new StringBuilder("\"");
        foreach (char c in name!)
        {
            if (c is '"' or '\\')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return Encoding.ASCII.GetBytes(escaped.Append('"').ToString());
    }

    private static ReadOnlySpan<byte> ForwardToken(CacheForwardReason reason) => reason switch
    {
        CacheForwardReason.Bypass => "bypass"u8,
        CacheForwardReason.Method => "method"u8,
        CacheForwardReason.UriMiss => "uri-miss"u8,
        CacheForwardReason.VaryMiss => "vary-miss"u8,
        CacheForwardReason.Miss => "miss"u8,
        CacheForwardReason.Request => "request"u8,
        CacheForwardReason.Stale => "stale"u8,
        _ => "partial"u8,
    };

    private static ReadOnlySpan<byte> DetailToken(CacheStatusDetail detail) => detail switch
    {
        CacheStatusDetail.NoStore => "no-store"u8,
        CacheStatusDetail.RequestNoStore => "request-no-store"u8,
        CacheStatusDetail.Private => "private"u8,
        CacheStatusDetail.Authorization => "authorization"u8,
        CacheStatusDetail.Status => "status"u8,
        CacheStatusDetail.MustUnderstand => "must-understand"u8,
        CacheStatusDetail.VaryStar => "vary-star"u8,
        CacheStatusDetail.NotCacheable => "not-cacheable"u8,
        CacheStatusDetail.TooLarge => "too-large"u8,
        CacheStatusDetail.Stale => "stale"u8,
        CacheStatusDetail.StaleWhileRevalidate => "stale-while-revalidate"u8,
        CacheStatusDetail.StaleIfError => "stale-if-error"u8,
        CacheStatusDetail.OnlyIfCached => "only-if-cached"u8,
        CacheStatusDetail.MaxStale => "max-stale"u8,
        _ => "incomplete"u8,
    };
}
