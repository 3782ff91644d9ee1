using System.Buffers;

namespace HttpGen;

/// <summary>What every generated message type offers: parsing, writing, framing. Implemented by generated code.</summary>
public interface IHttpMessageHead
{
    /// <summary>Limits and switches for parsing.</summary>
    ParserOptions Options { get; set; }

    /// <summary>Parses a head that starts at the first byte of <paramref name="source"/>.</summary>
    /// <param name="source">The head bytes.</param>
    /// <param name="bytesConsumed">On Done, the head's length through the blank line.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    OperationStatus TryParse(ReadOnlyMemory<byte> source, out int bytesConsumed);

    /// <summary>Parses a head that may span segments.</summary>
    /// <param name="source">The head bytes.</param>
    /// <param name="bytesConsumed">On Done, the head's length through the blank line.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    OperationStatus TryParse(in ReadOnlySequence<byte> source, out int bytesConsumed);

    /// <summary>Forgets everything parsed or set, keeping buffers.</summary>
    void Reset();

    /// <summary>Writes the head into <paramref name="destination"/>.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    bool TryFormat(Span<byte> destination, out int bytesWritten);

    /// <summary>Writes the head into <paramref name="writer"/>.</summary>
    /// <param name="writer">Where to write.</param>
    void WriteTo(IBufferWriter<byte> writer);

    /// <summary>The version of a parsed message.</summary>
    ProtocolVersion Version { get; }

    /// <summary>How the body is delimited: parsed, or set before writing.</summary>
    BodyFraming BodyFraming { get; set; }

    /// <summary>Whether the connection stays open after this message: parsed, or set before writing.</summary>
    bool KeepAlive { get; set; }

    /// <summary>The error after a parse returned InvalidData.</summary>
    ParseError Error { get; }

    /// <summary>Headers to write besides the declared ones.</summary>
    HeaderList ExtraHeaders { get; }
}

/// <summary>A generated <c>[HttpRequest]</c> type.</summary>
public interface IHttpRequestHead : IHttpMessageHead
{
    /// <summary>The method.</summary>
    RequestMethod Method { get; set; }

    /// <summary>The method bytes.</summary>
    ReadOnlySpan<byte> RawMethod { get; set; }

    /// <summary>The request-target bytes.</summary>
    ReadOnlySpan<byte> Target { get; set; }

    /// <summary>The target's path.</summary>
    ReadOnlySpan<byte> Path { get; }

    /// <summary>The target's query, without '?'.</summary>
    ReadOnlySpan<byte> Query { get; }
}

/// <summary>A generated <c>[HttpResponse]</c> type.</summary>
public interface IHttpResponseHead : IHttpMessageHead
{
    /// <summary>The status code.</summary>
    int StatusCode { get; set; }

    /// <summary>The reason phrase.</summary>
    ReadOnlySpan<byte> ReasonPhrase { get; set; }

    /// <summary>The method of the request this response answers (HEAD and CONNECT change the framing).</summary>
    RequestMethod RequestMethod { get; set; }
}

/// <summary>
/// Static entry points of a generated request type, for runtime code that is generic over it (the server): calls
/// through static abstract members go straight to the generated methods, with no virtual dispatch per request.
/// </summary>
/// <typeparam name="TSelf">The generated type.</typeparam>
public interface IHttpRequestHead<TSelf> : IHttpRequestHead
    where TSelf : class, IHttpRequestHead<TSelf>
{
    /// <summary>Creates an instance.</summary>
    /// <returns>A new message.</returns>
    static abstract TSelf Create();

    /// <summary>Parses a head into <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="source">The head bytes.</param>
    /// <param name="bytesConsumed">On Done, the head's length.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    static abstract OperationStatus Parse(TSelf message, in ReadOnlySequence<byte> source, out int bytesConsumed);

    /// <summary>Writes the head of <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when the destination is too small.</returns>
    static abstract bool Format(TSelf message, Span<byte> destination, out int bytesWritten);

    /// <summary>Forgets everything parsed or set.</summary>
    /// <param name="message">The message.</param>
    static abstract void Clear(TSelf message);

    /// <summary>The parse state: method, version, framing, keep-alive, error.</summary>
    /// <param name="message">The message.</param>
    /// <returns>A reference to the state inside <paramref name="message"/>.</returns>
    static abstract ref Parsing.RequestHeadParser State(TSelf message);
}

/// <summary>Static entry points of a generated response type, for runtime code that is generic over it.</summary>
/// <typeparam name="TSelf">The generated type.</typeparam>
public interface IHttpResponseHead<TSelf> : IHttpResponseHead
    where TSelf : class, IHttpResponseHead<TSelf>
{
    /// <summary>Creates an instance.</summary>
    /// <returns>A new message.</returns>
    static abstract TSelf Create();

    /// <summary>Parses a head into <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="source">The head bytes.</param>
    /// <param name="bytesConsumed">On Done, the head's length.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    static abstract OperationStatus Parse(TSelf message, in ReadOnlySequence<byte> source, out int bytesConsumed);

    /// <summary>Writes the head of <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when the destination is too small.</returns>
    static abstract bool Format(TSelf message, Span<byte> destination, out int bytesWritten);

    /// <summary>Forgets everything parsed or set.</summary>
    /// <param name="message">The message.</param>
    static abstract void Clear(TSelf message);

    /// <summary>The head state: status, framing, keep-alive, error.</summary>
    /// <param name="message">The message.</param>
    /// <returns>A reference to the state inside <paramref name="message"/>.</returns>
    static abstract ref Parsing.ResponseHeadParser State(TSelf message);
}
