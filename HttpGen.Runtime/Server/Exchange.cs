namespace HttpGen.Server;

/// <summary>
/// What one request needs besides the socket: the request and response messages and the body reader and writer.
/// A connection holds one only while it has a request in progress or has just finished one; a connection that has
/// been idle for a while gives it back to the server's <see cref="ExchangePool{TRequest, TResponse}"/>, so that ten
/// thousand idle keep-alive connections do not hold ten thousand sets of them.
/// </summary>
internal sealed class Exchange<TRequest, TResponse>
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    public Exchange(ParserOptions parserOptions, Chunked.ChunkedDecoderOptions chunkedOptions)
    {
        Request.Options = parserOptions;
        Body = new HttpRequestBody(chunkedOptions);
    }

    public TRequest Request { get; } = TRequest.Create();

    public TResponse Response { get; } = TResponse.Create();

    public HttpRequestBody Body { get; }

    public HttpResponseBody Output { get; } = new();
}

/// <summary>
/// A bounded stack of spare <see cref="Exchange{TRequest, TResponse}"/>s, shared by a server's connections. A short
/// lock guards it: it is taken when an idle connection's exchange is reclaimed and when a connection starts a request
/// without one, not on every request. Beyond its capacity, spares are left to the garbage collector.
/// </summary>
internal sealed class ExchangePool<TRequest, TResponse>
    where TRequest : class, IHttpRequestHead<TRequest>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly Lock _lock = new();
    private readonly Exchange<TRequest, TResponse>[] _spares;
    private readonly ParserOptions _parserOptions;
    private readonly Chunked.ChunkedDecoderOptions _chunkedOptions;
    private int _count;

    public ExchangePool(ParserOptions parserOptions, long maxRequestBodySize, int capacity)
    {
        _parserOptions = parserOptions;

        // A chunked request body: as large as a declared one may be, with trailer fields held to the head's limits.
        _chunkedOptions = new Chunked.ChunkedDecoderOptions
        {
            MaxBodySize = maxRequestBodySize,
            MaxTrailerCount = parserOptions.MaxHeaderCount,
            MaxTrailerSectionLength = parserOptions.MaxHeaderBlockLength,
        };
        _spares = new Exchange<TRequest, TResponse>[capacity];
    }

    /// <summary>A clean exchange: a spare, or a new one.</summary>
    public Exchange<TRequest, TResponse> Rent()
    {
        lock (_lock)
        {
            if (_count > 0)
            {
                Exchange<TRequest, TResponse> spare = _spares[--_count];
                _spares[_count] = null!;
                return spare;
            }
        }

        return new Exchange<TRequest, TResponse>(_parserOptions, _chunkedOptions);
    }

    /// <summary>Takes back an exchange whose request was cleared and whose buffers were released.</summary>
    public void Return(Exchange<TRequest, TResponse> exchange)
    {
        TResponse.Clear(exchange.Response); // drop what the last response referenced
        lock (_lock)
        {
            if (_count < _spares.Length)
            {
                _spares[_count++] = exchange;
            }
        }
    }
}
