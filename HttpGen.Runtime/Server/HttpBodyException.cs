namespace HttpGen.Server;

/// <summary>
/// Thrown from a request-body read when the body is malformed, too large, or cut short. The server answers with
/// <see cref="StatusCode"/> (when the response has not started) and closes the connection.
/// </summary>
public sealed class HttpBodyException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The status code to answer with (400, 408 or 413).</param>
    /// <param name="message">What was wrong.</param>
    public HttpBodyException(int statusCode, string message) : base(message) => StatusCode = statusCode;

    /// <summary>The status code to answer with.</summary>
    public int StatusCode { get; }
}
