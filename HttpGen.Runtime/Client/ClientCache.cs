using System.Buffers;
using System.Runtime.CompilerServices;
using HttpGen.Caching;

namespace HttpGen.Client;

/// <summary>
/// The client's private cache in front of the network (<see cref="HttpGenClientOptions.Cache"/>): the lookup before a
/// connection is taken, the answer from the store, the conditional request for a stale response, the store of a
/// response as its body is read, and the background revalidation of stale-while-revalidate.
/// </summary>
internal sealed class ClientCache<TRequest, TResponse>
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly HttpCache _cache;
    private readonly CachedExchangePool<TResponse> _exchanges = new();

    public ClientCache(HttpCache cache) => _cache = cache;

    /// <summary>
    /// Looks the request up and answers it from the store when the cache can (synchronously, without touching the
    /// pool's connections), or sends it through the network: conditional when a stale response is to be validated.
    /// </summary>
    public ValueTask<HttpGenResponse<TResponse>> SendAsync(ConnectionPool<TResponse> pool, TRequest request, HttpRequestContent content, long timeoutMs, CancellationToken cancellationToken)
    {
        RequestMethod method = HttpGenClient<TRequest, TResponse>.EffectiveMethod(request.Method);
        CachedExchange<TResponse> exchange = _exchanges.Rent(pool.Origin);
        CacheResult lookup;
        try
        {
            exchange.FormatRequest(request, method, content);
            lookup = _cache.Lookup(exchange.Request);
        }
        catch
        {
            exchange.Return();
            throw;
        }

        Diagnostics.ClientMetrics.CacheLookup(lookup.Action, lookup.RevalidateInBackground, pool.HostTag, pool.PortTag);
        if (lookup.Action is CacheAction.ServeStored or CacheAction.ServeNotModified or CacheAction.ServeGatewayTimeout && exchange.TryServe(lookup, method))
        {
            if (lookup.RevalidateInBackground)
            {
                StartBackgroundRevalidation(pool, exchange, lookup, method, timeoutMs);
            }

            return new ValueTask<HttpGenResponse<TResponse>>(new HttpGenResponse<TResponse>(exchange, exchange.Version));
        }

        return SendThroughNetworkAsync(pool, request, content, exchange, lookup, method, timeoutMs, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<HttpGenResponse<TResponse>> SendThroughNetworkAsync(ConnectionPool<TResponse> pool, TRequest request, HttpRequestContent content,
        CachedExchange<TResponse> exchange, CacheResult lookup, RequestMethod method, long timeoutMs, CancellationToken cancellationToken)
    {
        bool served = false;
        try
        {
            bool retried = false;
            while (true)
            {
                ReadOnlyMemory<byte> conditional = lookup.Action == CacheAction.SendConditional ? exchange.ConditionalFields(lookup) : default;
                DateTimeOffset sent = _cache.Now;
                HttpGenResponse<TResponse> response;
                try
                {
                    response = await HttpGenClient<TRequest, TResponse>.SendCoreAsync(pool, request, content, null, conditional, default, timeoutMs, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpGenClientException e) when (e.Kind != HttpClientErrorKind.ResponseBodyTooLarge)
                {
                    // The origin could not answer: a stale response where stale-if-error allows it (RFC 5861 §4).
                    CacheResult failed = _cache.HandleFailure(exchange.Request, lookup);
                    if (failed.Action == CacheAction.ServeStored && exchange.TryServe(failed, method))
                    {
                        served = true;
                        return new HttpGenResponse<TResponse>(exchange, exchange.Version);
                    }

                    throw;
                }

                ClientConnection<TResponse> connection = response.NetworkConnection!;
                CacheResult answer;
                PendingCacheEntry? pending;
                try
                {
                    answer = _cache.HandleResponseHead(exchange.Request, lookup, connection.ReceivedHead, sent, _cache.Now, out pending);
                }
                catch
                {
                    await response.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                if (answer.Action == CacheAction.ServeStored && exchange.TryServe(answer, method))
                {
                    // Validated by a 304 (the stored headers updated), or stale-if-error after a 5xx.
                    await response.DisposeAsync().ConfigureAwait(false);
                    served = true;
                    return new HttpGenResponse<TResponse>(exchange, exchange.Version);
                }

                if (answer.Action == CacheAction.Send && !retried)
                {
                    // A 304 that names no stored response: the request goes again without the conditional fields.
                    await response.DisposeAsync().ConfigureAwait(false);
                    Diagnostics.ClientMetrics.CacheLookup(CacheAction.Send, false, pool.HostTag, pool.PortTag);
                    lookup = answer;
                    retried = true;
                    continue;
                }

                connection.CacheStatus = answer.Status;
                if (pending is not null)
                {
                    connection.Body.StartCapture(pending);
                }

                return response;
            }
        }
        finally
        {
            if (!served)
            {
                exchange.Return();
            }
        }
    }

    // stale-while-revalidate (RFC 5861 §3): the stale response was served; the conditional request goes out on its
    // own, at most one per key at a time (the cache keeps count), and its answer updates (or replaces) what is stored.
    private void StartBackgroundRevalidation(ConnectionPool<TResponse> pool, CachedExchange<TResponse> exchange, in CacheResult lookup, RequestMethod method, long timeoutMs)
    {
        if (!_cache.TryBeginBackgroundRevalidation(lookup, out BackgroundRevalidation? revalidation))
        {
            return;
        }

        // The caller may reuse its request object at once: the revalidation sends a copy of the formatted head.
        ReadOnlySpan<byte> requestHead = exchange.RequestHead;
        ReadOnlyMemory<byte> fields = exchange.ConditionalFields(lookup);
        byte[] head = new byte[requestHead.Length + fields.Length];
        requestHead[..^2].CopyTo(head);
        fields.Span.CopyTo(head.AsSpan(requestHead.Length - 2));
        "\r\n"u8.CopyTo(head.AsSpan(head.Length - 2));
        _ = RevalidateAsync(pool, head, revalidation, lookup, method, timeoutMs);
    }

    private async Task RevalidateAsync(ConnectionPool<TResponse> pool, byte[] head, BackgroundRevalidation revalidation, CacheResult lookup, RequestMethod method, long timeoutMs)
    {
        await Task.Yield(); // off the caller's path
        try
        {
            DateTimeOffset sent = _cache.Now;
            HttpGenResponse<TResponse> response = await HttpGenClient<TRequest, TResponse>.SendCoreAsync(pool, null, default, null, head, method, timeoutMs, default).ConfigureAwait(false);
            try
            {
                ClientConnection<TResponse> connection = response.NetworkConnection!;
                CacheRequest request = CachedExchange<TResponse>.RequestLayout.Read(head).View(head, pool.Origin);
                _cache.HandleResponseHead(request, lookup, connection.ReceivedHead, sent, _cache.Now, out PendingCacheEntry? pending);
                if (pending is not null)
                {
                    // A new response (200): read its body through the cache's capture, which stores it at the end.
                    connection.Body.StartCapture(pending);
                    byte[] scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
                    try
                    {
                        while (await response.ReadAsync(scratch).ConfigureAwait(false) > 0)
                        {
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(scratch);
                    }
                }
            }
            finally
            {
                await response.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The stale response stays as it is; a later request will validate it (or serve it stale if allowed).
        }
        finally
        {
            revalidation.Dispose();
        }
    }
}
