namespace HttpGen.Server;

/// <summary>
/// Handles one request: read the request (and, if it has one, its body), fill the response and write its body.
/// The server sends the response when the returned task completes.
/// </summary>
/// <typeparam name="TRequest">The generated request type.</typeparam>
/// <typeparam name="TResponse">The generated response type.</typeparam>
public interface IHttpHandler<in TRequest, in TResponse>
{
    /// <summary>Handles one request.</summary>
    /// <param name="request">The parsed request head; valid until the task completes.</param>
    /// <param name="response">The response head to fill (status 200 and no headers to begin with).</param>
    /// <param name="requestBody">The request body, streamed from the connection.</param>
    /// <param name="responseBody">Where the response body goes.</param>
    /// <param name="cancellationToken">Cancelled when the server stops or the connection is lost.</param>
    /// <returns>A task that completes when the response is ready.</returns>
    ValueTask HandleAsync(TRequest request, TResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken);
}

/// <summary>Adapts a delegate to <see cref="IHttpHandler{TRequest, TResponse}"/>.</summary>
/// <typeparam name="TRequest">The generated request type.</typeparam>
/// <typeparam name="TResponse">The generated response type.</typeparam>
public sealed class DelegateHandler<TRequest, TResponse> : IHttpHandler<TRequest, TResponse>
{
    private readonly Func<TRequest, TResponse, HttpRequestBody, HttpResponseBody, CancellationToken, ValueTask> _handler;

    /// <summary>Wraps <paramref name="handler"/>.</summary>
    /// <param name="handler">The request handler.</param>
    public DelegateHandler(Func<TRequest, TResponse, HttpRequestBody, HttpResponseBody, CancellationToken, ValueTask> handler) =>
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));

    /// <inheritdoc/>
    public ValueTask HandleAsync(TRequest request, TResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken) =>
        _handler(request, response, requestBody, responseBody, cancellationToken);
}
