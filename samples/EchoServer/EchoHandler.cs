using HttpGen;
using HttpGen.Server;

namespace EchoServer;

/// <summary>
/// The routes of the echo server. Fixed answers are written from pre-encoded bytes and complete synchronously, so a
/// keep-alive GET /plaintext allocates nothing.
/// </summary>
public sealed class EchoHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    private static readonly HeaderValue TextPlain = HeaderValue.Create("text/plain");
    private static readonly HeaderValue AllowRoot = HeaderValue.Create("GET, HEAD, POST, OPTIONS");
    private static readonly HeaderValue AllowPlaintext = HeaderValue.Create("GET, HEAD");
    private static readonly HeaderValue AllowEcho = HeaderValue.Create("POST");

    /// <inheritdoc/>
    public ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        ReadOnlySpan<byte> path = request.Path;
        RequestMethod method = request.Method;

        if (request.TargetForm == RequestTargetForm.Asterisk)
        {
            response.Allow = AllowRoot; // OPTIONS *
            return default;
        }

        if (path.SequenceEqual("/plaintext"u8))
        {
            if (method is RequestMethod.Get or RequestMethod.Head)
            {
                response.ContentType = TextPlain;
                responseBody.Write("Hello, World!"u8);
                return default;
            }

            return MethodNotAllowed(response, AllowPlaintext);
        }

        if (path.SequenceEqual("/"u8))
        {
            switch (method)
            {
                case RequestMethod.Get or RequestMethod.Head:
                    response.ContentType = TextPlain;
                    responseBody.Write("OK"u8);
                    return default;
                case RequestMethod.Options:
                    response.Allow = AllowRoot;
                    return default;
                case RequestMethod.Post or RequestMethod.Put:
                    return EchoBodyAsync(requestBody, response, responseBody, cancellationToken);
                default:
                    return MethodNotAllowed(response, AllowRoot);
            }
        }

        if (path.SequenceEqual("/echo"u8))
        {
            if (method != RequestMethod.Post)
            {
                return MethodNotAllowed(response, AllowEcho);
            }

            response.ContentType = TextPlain;
            foreach (HeaderField field in request.Headers)
            {
                responseBody.Write(field.Name);
                responseBody.Write(": "u8);
                responseBody.Write(field.Value);
                responseBody.Write("\n"u8);
            }

            return default;
        }

        response.StatusCode = 404;
        response.ContentType = TextPlain;
        responseBody.Write("Not Found\n"u8);
        return default;
    }

    private static ValueTask MethodNotAllowed(EchoResponse response, HeaderValue allow)
    {
        response.StatusCode = 405;
        response.Allow = allow;
        return default;
    }

    // POST / and PUT /: the body back, exactly as received (after de-chunking), with its length. A small body is
    // buffered and sent with the head; a large one is sent straight from the request buffer, never copied again.
    private static async ValueTask EchoBodyAsync(HttpRequestBody requestBody, EchoResponse response, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body = await requestBody.ReadAllAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        response.BodyFraming = new BodyFraming(BodyKind.ContentLength, body.Length);
        await responseBody.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
