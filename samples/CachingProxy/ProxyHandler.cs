using System.Buffers;
using System.Text;
using HttpGen;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Server;

namespace CachingProxy;

/// <summary>
/// A reverse proxy with a shared HTTP cache (RFC 9111) in front of one origin: the HttpGen server takes requests, the
/// cache answers what it can (fresh hits synchronously, from the stored bytes), and the rest goes to the origin through
/// the HttpGen client pool, streamed both ways, its response stored on the way back when it may be. Hop-by-hop fields
/// stay behind in both directions (RFC 9110 §7.6.1), <c>Via</c> is added, every response says what the cache did in
/// <c>Cache-Status</c> (RFC 9211), and an origin that cannot be reached, or answers garbage, is a 502, one too slow a
/// 504 (unless a stale response may be served, RFC 5861 §4).
/// </summary>
public sealed partial class ProxyHandler : IHttpHandler<ProxyRequest, ProxyResponse>, IAsyncDisposable
{
    private readonly ProxyOptions _options;
    private readonly HttpCache _cache;
    private readonly HttpGenClient<UpstreamRequest, UpstreamResponse> _client;
    private readonly byte[] _via11, _via10; // "1.1 name", "1.0 name"
    private readonly byte[] _defaultAuthority;
    private long _forwarded;

    /// <summary>Creates the handler and its upstream client.</summary>
    /// <param name="options">Where to forward, the cache, the limits.</param>
    public ProxyHandler(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Name.Length == 0 || !options.Name.All(c => c < 128 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c))))
        {
            throw new ArgumentException($"The proxy's name '{options.Name}' is not a token.", nameof(options));
        }

        _options = options;
        _cache = options.CreateCache();
        _client = new HttpGenClient<UpstreamRequest, UpstreamResponse>(options.CreateClientOptions());
        _via11 = Encoding.ASCII.GetBytes("1.1 " + options.Name);
        _via10 = Encoding.ASCII.GetBytes("1.0 " + options.Name);
        _defaultAuthority = options.Upstream.HostHeader.ToArray();
    }

    /// <summary>The shared cache.</summary>
    public HttpCache Cache => _cache;

    /// <summary>Requests sent to the origin so far (forwarded, validations, background revalidations).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Connections open to the origin now.</summary>
    public int UpstreamConnections => _client.OpenConnections;

    /// <inheritdoc/>
    public ValueTask HandleAsync(ProxyRequest request, ProxyResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        CacheResult lookup = _cache.Lookup(RequestParts.View(request, _defaultAuthority));
        if (lookup.Action is CacheAction.ServeStored or CacheAction.ServeNotModified or CacheAction.ServeGatewayTimeout)
        {
            if (lookup.RevalidateInBackground)
            {
                StartRevalidation(request, lookup);
            }

            return Serve(lookup, response, responseBody);
        }

        return ForwardAsync(request, response, requestBody, responseBody, lookup, cancellationToken);
    }

    /// <summary>
    /// Answers from the cache: the head it writes (stored head, Age, Cache-Status; or its 304 or 504) set on the
    /// response with Via, and the stored body. A small body is copied into the server's send buffer with the head;
    /// a large one is sent straight from the stored bytes.
    /// </summary>
    private ValueTask Serve(CacheResult result, ProxyResponse response, HttpResponseBody output)
    {
        byte[] head = ArrayPool<byte>.Shared.Rent(result.MaxHeadLength);
        try
        {
            result.TryWriteHead(head, default, out int length);
            long contentLength = Fields.ApplyHead(head.AsSpan(0, length), response);
            if (contentLength >= 0 && !ReasonPhrases.ForbidsBody(response.StatusCode))
            {
                response.BodyFraming = new BodyFraming(BodyKind.ContentLength, contentLength);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }

        response.ExtraHeaders.Add("Via"u8, _via11);
        ReadOnlyMemory<byte> body = result.Body;
        if (body.IsEmpty)
        {
            return default;
        }

        return output.WriteAsync(body);
    }

    /// <summary>The proxy's own answer when the origin could not give one: 502 or 504, with Via and Cache-Status.</summary>
    private void Fail(int status, string reason, in CacheResult result, ProxyResponse response, HttpResponseBody output)
    {
        response.StatusCode = status;
        response.ExtraHeaders.Add("Content-Type"u8, "text/plain; charset=utf-8"u8);
        response.ExtraHeaders.Add("Via"u8, _via11);
        AddCacheStatus(result, response);
        output.Write(Encoding.UTF8.GetBytes(reason + "\n"));
    }

    private static void AddCacheStatus(in CacheResult result, ProxyResponse response)
    {
        Span<byte> value = stackalloc byte[256];
        if (result.TryWriteCacheStatus(value, out int length))
        {
            response.ExtraHeaders.Add("Cache-Status"u8, value[..length]);
        }
    }

    /// <summary>Closes the upstream connections.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
