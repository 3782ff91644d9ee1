using HttpGen.Caching;
using HttpGen.Parsing;

namespace HttpGen.Client;

/// <summary>
/// A response whose head has arrived, and the reader of its body. Dispose it (after reading the body, or not) to give
/// the connection back to the pool; until then the connection serves no other request. With a cache
/// (<see cref="HttpGenClientOptions.Cache"/>) it may instead be a response served from the store
/// (<see cref="IsFromCache"/>): the same members, over a pooled response object and the stored body.
/// </summary>
/// <typeparam name="TResponse">The generated response type.</typeparam>
/// <remarks>
/// <para>
/// A small handle onto the connection: the head (<see cref="Head"/>) and the buffers are the connection's, reused by
/// its next exchange, so neither the head nor memory returned by <see cref="ReadAllAsync"/> may be used after
/// <see cref="DisposeAsync"/>. Using the handle after that throws <see cref="ObjectDisposedException"/>; disposing it
/// again does nothing. Not thread-safe: one read at a time.
/// </para>
/// <para>
/// Disposing with body bytes unread reads and discards up to <see cref="HttpGenClientOptions.MaxDrainSize"/> of them
/// (<see cref="DisposeAsync"/> only; <see cref="Dispose"/> discards only what is already buffered) so that the
/// connection can be reused; a longer rest closes the connection instead.
/// </para>
/// <para>
/// A response from the cache has its own response object (the stored head, with the <c>Age</c> and
/// <c>Cache-Status</c> the cache adds, parsed into a pooled <typeparamref name="TResponse"/>) and reads its body from
/// the stored bytes: <see cref="ReadAllAsync"/> returns them without a copy. It is valid until disposal, like any
/// response; it has no connection to take over and no trailers.
/// </para>
/// </remarks>
public readonly struct HttpGenResponse<TResponse> : IDisposable, IAsyncDisposable
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly ClientConnection<TResponse>? _connection;
    private readonly CachedExchange<TResponse>? _stored;
    private readonly int _version;

    internal HttpGenResponse(ClientConnection<TResponse> connection, int version)
    {
        _connection = connection;
        _version = version;
    }

    internal HttpGenResponse(CachedExchange<TResponse> stored, int version)
    {
        _stored = stored;
        _version = version;
    }

    private ClientConnection<TResponse> Connection =>
        _connection is { } c && c.Version == _version
            ? c
            : throw new ObjectDisposedException(nameof(HttpGenResponse<TResponse>), "The response was disposed: its connection has moved on.");

    private CachedExchange<TResponse> Stored =>
        _stored is { } s && s.Version == _version
            ? s
            : throw new ObjectDisposedException(nameof(HttpGenResponse<TResponse>), "The response was disposed: it went back to the cache's pool.");

    /// <summary>The connection of a response from the network, for the cache (no version check).</summary>
    internal ClientConnection<TResponse>? NetworkConnection => _connection;

    /// <summary>The parsed head: status, headers (through the generated properties), framing. Valid until disposal.</summary>
    public TResponse Head => _stored is null ? Connection.Response : Stored.Response;

    /// <summary>The status code of the final response (1xx interim responses are skipped).</summary>
    public int StatusCode => TResponse.State(Head).StatusCode;

    /// <summary>How the body is delimited (RFC 9112 §6.3): none (HEAD, 1xx, 204, 304), Content-Length, chunked, or until close.</summary>
    public BodyFraming BodyFraming => TResponse.State(Head).Framing;

    /// <summary>The origin that answered (for a response from the cache: the origin it was asked of).</summary>
    public HttpOrigin Origin => _stored is null ? Connection.Origin : Stored.Origin;

    /// <summary>Whether the response was served from the client's cache, without a network exchange (or after a 304 validated it).</summary>
    public bool IsFromCache => _stored is not null;

    /// <summary>
    /// What the client's cache did (RFC 9211 parameters: hit, forward reason, stored, ...); the default without a
    /// cache. A response from the cache also carries it as its <c>Cache-Status</c> field.
    /// </summary>
    public CacheStatus CacheStatus => _stored is null ? Connection.CacheStatus : Stored.Status;

    /// <summary>True once the whole body has been read (at once for a response without a body).</summary>
    public bool IsBodyComplete => _stored is null ? Connection.Body.IsComplete : Stored.IsBodyComplete;

    /// <summary>Body bytes read so far (decoded, for a chunked body).</summary>
    public long BodyBytesRead => _stored is null ? Connection.Body.BytesRead : Stored.BodyBytesRead;

    /// <summary>
    /// The trailer fields that ended a chunked body, once the body has been read to its end (<see cref="IsBodyComplete"/>);
    /// empty before that and for other framings. Walks them without allocating; valid until disposal. Their number and
    /// size are limited by <see cref="HttpGenClientOptions.ChunkedOptions"/> (32 fields, 8 KiB by default), and
    /// Content-Length, Transfer-Encoding and Host among them make the body malformed.
    /// </summary>
    /// <returns>An enumerator for <c>foreach</c>.</returns>
    public HeaderFieldEnumerator EnumerateTrailers() => _stored is null ? Connection.Body.EnumerateTrailers() : default;

    /// <summary>
    /// Reads the next body bytes into <paramref name="destination"/>. Returns 0 at the end of the body (or for an empty
    /// destination). Completes synchronously when bytes are already buffered.
    /// </summary>
    /// <param name="destination">Where to put them.</param>
    /// <param name="cancellationToken">Cancels the read; that ends the exchange and closes the connection.</param>
    /// <returns>The number of bytes read.</returns>
    /// <exception cref="HttpGenClientException">The body is malformed (<see cref="HttpResponseException"/>), cut short,
    /// too large, or the request timed out.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
        _stored is null ? Connection.Body.ReadAsync(destination, cancellationToken) : Stored.ReadAsync(destination);

    /// <summary>
    /// Reads the rest of the body into <paramref name="destination"/>, which must be large enough: a longer body fails
    /// with <see cref="HttpClientErrorKind.ResponseBodyTooLarge"/> (and closes the connection).
    /// </summary>
    /// <param name="destination">Where to put the body.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body length read.</returns>
    public ValueTask<int> ReadToEndAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
        _stored is null ? Connection.Body.ReadToEndAsync(destination, cancellationToken) : Stored.ReadToEndAsync(destination);

    /// <summary>
    /// Reads the rest of the body whole into a pooled buffer (a view of the receive buffer when it is all there
    /// already), up to <see cref="HttpGenClientOptions.MaxResponseBodySize"/>. The memory is valid until the response
    /// is disposed, and then goes back to the pool. For a response from the cache, the stored bytes themselves.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body.</returns>
    public ValueTask<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _stored is null ? Connection.Body.ReadAllAsync(cancellationToken) : Stored.ReadAllAsync();

    /// <summary>
    /// Takes the connection over after a <c>101 Switching Protocols</c> response (to
    /// <see cref="HttpGenClient{TRequest, TResponse}.SendUpgradeAsync"/>) or a 2xx response to <c>CONNECT</c>: returns a
    /// duplex stream that speaks the new protocol, whose first bytes are any that arrived right after the response head.
    /// The connection leaves the pool for good and the client's timeouts no longer apply to it; dispose the stream to
    /// close it. This response is then disposed (using it throws <see cref="ObjectDisposedException"/>). A response of
    /// any other status that is disposed without this simply closes its connection, as before.
    /// </summary>
    /// <returns>The connection as a stream (over TLS for an <c>https</c> origin).</returns>
    /// <exception cref="InvalidOperationException">The status is not 101, nor 2xx to CONNECT; or the response is from the cache.</exception>
    public Stream TakeOverConnection() => _stored is null
        ? Connection.TakeOver()
        : throw new InvalidOperationException("A response from the cache has no connection to take over.");

    /// <summary>Gives the connection back to the pool, draining a short unread body, or closes it.</summary>
    /// <returns>A task that completes when the connection is back (or closed).</returns>
    public ValueTask DisposeAsync()
    {
        if (_connection is { } c && c.Version == _version)
        {
            return c.DisposeResponseAsync();
        }

        Dispose();
        return default;
    }

    /// <summary>Gives the connection back to the pool when the body was read (or is all buffered), otherwise closes it.</summary>
    public void Dispose()
    {
        if (_connection is { } c && c.Version == _version)
        {
            c.DisposeResponse();
        }
        else if (_stored is { } s && s.Version == _version)
        {
            s.Return();
        }
    }
}
