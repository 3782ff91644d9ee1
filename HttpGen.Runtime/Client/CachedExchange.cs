using System.Buffers;
using HttpGen.Caching;

namespace HttpGen.Client;

/// <summary>
/// The cache's side of one request through a client with a cache: the request head formatted for the lookup (and the
/// <see cref="CacheRequest"/> view over it), and, when the cache answers, the response served from the store: the head
/// the cache wrote (the stored head with Age and Cache-Status) parsed into a <typeparamref name="TResponse"/> of its
/// own, and the stored body, read from the entry's memory. Pooled by <see cref="ClientCache{TRequest, TResponse}"/>:
/// a fresh hit allocates nothing.
/// </summary>
internal sealed class CachedExchange<TResponse>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private const int MaxHeadLength = 1024 * 1024;

    private readonly CachedExchangePool<TResponse> _pool;
    private byte[] _request = new byte[1024];
    private byte[] _served = new byte[1024];
    private byte[] _conditional = new byte[256];
    private RequestLayout _layout;
    private CachedResponse? _entry; // holds the bytes the served head and body come from
    private ReadOnlyMemory<byte> _body;
    private int _position;

    public CachedExchange(CachedExchangePool<TResponse> pool) => _pool = pool;

    /// <summary>The response served from the store; its values are views into this exchange's own buffer.</summary>
    public TResponse Response { get; } = TResponse.Create();

    /// <summary>Bumped each time the exchange goes back to the pool: a response value from an older use is stale.</summary>
    public int Version { get; private set; }

    public HttpOrigin Origin { get; private set; } = null!;

    public CacheStatus Status { get; private set; }

    /// <summary>The request as the cache sees it; valid until the exchange is returned.</summary>
    public CacheRequest Request => _layout.View(_request, Origin);

    /// <summary>The formatted request head (for a background revalidation's copy).</summary>
    public ReadOnlySpan<byte> RequestHead => _request.AsSpan(0, _layout.Length);

    public bool IsBodyComplete => _position == _body.Length;

    public long BodyBytesRead => _position;

    public void Begin(HttpOrigin origin) => Origin = origin;

    /// <summary>Sets the request's framing from its content and formats its head for the lookup.</summary>
    public void FormatRequest<TRequest>(TRequest request, RequestMethod method, HttpRequestContent content)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        ClientRequestWriter<TResponse>.SetFraming(request, method, content);
        int length;
        while (!ClientRequestWriter<TResponse>.TryFormatHead(request, _request, Origin, out length))
        {
            if (_request.Length >= MaxHeadLength)
            {
                throw new InvalidOperationException($"The request head is longer than {MaxHeadLength} bytes.");
            }

            _request = new byte[_request.Length * 2];
        }

        _layout = RequestLayout.Read(_request.AsSpan(0, length));
    }

    /// <summary>The conditional fields of <paramref name="lookup"/> (for <see cref="CacheAction.SendConditional"/>), in this exchange's buffer.</summary>
    public ReadOnlyMemory<byte> ConditionalFields(in CacheResult lookup)
    {
        int length;
        while (!lookup.TryWriteConditionalFields(_conditional, out length))
        {
            _conditional = new byte[_conditional.Length * 2];
        }

        return _conditional.AsMemory(0, length);
    }

    /// <summary>
    /// Serves the cache's answer (<see cref="CacheAction.ServeStored"/>, <see cref="CacheAction.ServeNotModified"/>,
    /// <see cref="CacheAction.ServeGatewayTimeout"/>): writes its head and parses it into <see cref="Response"/>.
    /// False when the response type cannot take that head (its limits, or a header it rejects): go to the network then.
    /// </summary>
    public bool TryServe(in CacheResult result, RequestMethod method)
    {
        if (_served.Length < result.MaxHeadLength)
        {
            _served = new byte[Math.Max(result.MaxHeadLength, 2 * _served.Length)];
        }

        if (!result.TryWriteHead(_served, default, out int length))
        {
            return false;
        }

        TResponse.Clear(Response);
        TResponse.State(Response).RequestMethod = method;
        if (TResponse.Parse(Response, new ReadOnlySequence<byte>(_served, 0, length), out int consumed) != OperationStatus.Done || consumed != length)
        {
            TResponse.Clear(Response);
            return false;
        }

        _entry = result.Response;
        _body = result.Body;
        _position = 0;
        Status = result.Status;
        return true;
    }

    public ValueTask<int> ReadAsync(Memory<byte> destination)
    {
        int n = Math.Min(destination.Length, _body.Length - _position);
        _body.Span.Slice(_position, n).CopyTo(destination.Span);
        _position += n;
        return new ValueTask<int>(n);
    }

    public ValueTask<int> ReadToEndAsync(Memory<byte> destination)
    {
        int rest = _body.Length - _position;
        if (rest > destination.Length)
        {
            return ValueTask.FromException<int>(new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response body from the cache ({_body.Length} bytes) is longer than the {destination.Length}-byte buffer given for it."));
        }

        return ReadAsync(destination);
    }

    /// <summary>The rest of the stored body, as the entry's own memory (no copy).</summary>
    public ValueTask<ReadOnlyMemory<byte>> ReadAllAsync()
    {
        ReadOnlyMemory<byte> rest = _body[_position..];
        _position = _body.Length;
        return new ValueTask<ReadOnlyMemory<byte>>(rest);
    }

    /// <summary>Forgets the served response (its values become stale) and goes back to the pool.</summary>
    public void Return()
    {
        End();
        _pool.Return(this);
    }

    private void End()
    {
        Version++;
        TResponse.Clear(Response);
        _entry = null;
        _body = default;
        _position = 0;
        Status = default;
        Origin = null!;
    }

    /// <summary>Where the method, target and header block lie in a formatted request head.</summary>
    internal readonly struct RequestLayout
    {
        private readonly int _methodLength, _targetStart, _targetLength, _blockStart;

        private RequestLayout(int methodLength, int targetStart, int targetLength, int blockStart, int length)
        {
            _methodLength = methodLength;
            _targetStart = targetStart;
            _targetLength = targetLength;
            _blockStart = blockStart;
            Length = length;
        }

        public int Length { get; }

        /// <summary>Reads a head the generated serializer wrote: <c>METHOD SP target SP HTTP/1.1 CRLF</c>, fields, blank line.</summary>
        public static RequestLayout Read(ReadOnlySpan<byte> head)
        {
            int sp1 = head.IndexOf((byte)' ');
            int sp2 = sp1 + 1 + head[(sp1 + 1)..].IndexOf((byte)' ');
            int lf = head.IndexOf((byte)'\n');
            return new RequestLayout(sp1, sp1 + 1, sp2 - sp1 - 1, lf + 1, head.Length);
        }

        /// <summary>The request for the cache: the origin's scheme and authority, the target as the path and query.</summary>
        public CacheRequest View(ReadOnlySpan<byte> head, HttpOrigin origin) => new(
            head[.._methodLength],
            origin.IsHttps ? "https"u8 : "http"u8,
            origin.HostHeader.Span,
            head.Slice(_targetStart, _targetLength),
            head[_blockStart..Length]);
    }
}

/// <summary>Spare <see cref="CachedExchange{TResponse}"/>s of one client: a short lock over a bounded stack.</summary>
internal sealed class CachedExchangePool<TResponse>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly Lock _lock = new();
    private readonly CachedExchange<TResponse>[] _spares = new CachedExchange<TResponse>[64];
    private int _count;

    /// <summary>A spare exchange, or a new one, for a request to <paramref name="origin"/>.</summary>
    public CachedExchange<TResponse> Rent(HttpOrigin origin)
    {
        CachedExchange<TResponse>? exchange = null;
        lock (_lock)
        {
            if (_count > 0)
            {
                exchange = _spares[--_count];
                _spares[_count] = null!;
            }
        }

        exchange ??= new CachedExchange<TResponse>(this);
        exchange.Begin(origin);
        return exchange;
    }

    public void Return(CachedExchange<TResponse> exchange)
    {
        lock (_lock)
        {
            if (_count < _spares.Length)
            {
                _spares[_count++] = exchange;
            }
        }
    }
}
