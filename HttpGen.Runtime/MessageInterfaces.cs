using System.Buffers;

namespace HttpGen;

/// <summary>What every generated message type offers: parsing, writing, framing. Implemented by generated code.</summary>
public interface IHttpMessageHead
{
    /// <summary>
    /// Limits and switches for parsing. Defaults to the limits on the message attribute over <see cref="ParserOptions.Default"/>;
    /// <see cref="Reset"/> keeps it.
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    ParserOptions Options { get; set; }

    /// <summary>
    /// Parses a head (start line and header block) that starts at the first byte of <paramref name="source"/>.
    /// On <see cref="OperationStatus.NeedMoreData"/>, call again with the same bytes plus what arrived since;
    /// on <see cref="OperationStatus.InvalidData"/>, see <see cref="Error"/>.
    /// </summary>
    /// <param name="source">The head's bytes, from its first byte.</param>
    /// <param name="bytesConsumed">On <see cref="OperationStatus.Done"/>, the head's length through the blank line; otherwise 0.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    /// <exception cref="InvalidOperationException">The message was already parsed to completion or to an error, and not reset since.</exception>
    OperationStatus TryParse(ReadOnlyMemory<byte> source, out int bytesConsumed);

    /// <summary>Parses a head that may span several segments; see the <see cref="ReadOnlyMemory{T}"/> overload.</summary>
    /// <param name="source">The head's bytes, from its first byte.</param>
    /// <param name="bytesConsumed">On Done, the head's length through the blank line; otherwise 0.</param>
    /// <returns>Done, NeedMoreData or InvalidData.</returns>
    /// <exception cref="InvalidOperationException">The message was already parsed to completion or to an error, and not reset since.</exception>
    OperationStatus TryParse(in ReadOnlySequence<byte> source, out int bytesConsumed);

    /// <summary>Forgets everything parsed or set (but <see cref="Options"/>), so that the instance can take the next message. Keeps its buffers.</summary>
    void Reset();

    /// <summary>
    /// Writes the head: the start line (a request: GET and "/" unless set; a response: 200 unless set, then Date), the
    /// declared headers that are set, <see cref="ExtraHeaders"/>, then Content-Length or Transfer-Encoding from
    /// <see cref="BodyFraming"/> and Connection: close unless <see cref="KeepAlive"/>.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="InvalidOperationException">A request has no Host header set (HTTP/1.1 requires one), or a value's
    /// memory changed after it was set and now holds a control byte.</exception>
    bool TryFormat(Span<byte> destination, out int bytesWritten);

    /// <summary>Writes the head into <paramref name="writer"/>, asking it for more room until the head fits; see <see cref="TryFormat"/>.</summary>
    /// <param name="writer">Where to write.</param>
    /// <exception cref="InvalidOperationException">As for <see cref="TryFormat"/>.</exception>
    void WriteTo(IBufferWriter<byte> writer);

    /// <summary>The protocol version of the parsed message (messages are written as HTTP/1.1).</summary>
    ProtocolVersion Version { get; }

    /// <summary>How the body is delimited: parsed from Transfer-Encoding and Content-Length (whether or not the type declares them), or set before writing.</summary>
    BodyFraming BodyFraming { get; set; }

    /// <summary>Whether the connection stays open after this message (version and Connection, RFC 9112 §9.3), or set before writing.</summary>
    bool KeepAlive { get; set; }

    /// <summary>What was wrong after TryParse returned InvalidData: kind, status code and offset.</summary>
    ParseError Error { get; }

    /// <summary>Headers to write besides the declared ones; cleared by <see cref="Reset"/>.</summary>
    HeaderList ExtraHeaders { get; }
}

/// <summary>A generated <c>[HttpRequest]</c> type.</summary>
public interface IHttpRequestHead : IHttpMessageHead
{
    /// <summary>The request method: parsed, or set before writing.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to <see cref="RequestMethod.None"/>, <see cref="RequestMethod.Custom"/> or an undefined value: set <see cref="RawMethod"/> for a custom method.</exception>
    RequestMethod Method { get; set; }

    /// <summary>The method bytes as received, or set (a token, copied) for a custom method before writing.</summary>
    /// <exception cref="ArgumentException">Set to bytes that are not a token.</exception>
    ReadOnlySpan<byte> RawMethod { get; set; }

    /// <summary>The request-target bytes: parsed, or set before writing (copied; Path, Query and TargetForm follow it).</summary>
    /// <exception cref="ArgumentException">Set to bytes that are not a request-target.</exception>
    ReadOnlySpan<byte> Target { get; set; }

    /// <summary>The form of the request-target.</summary>
    RequestTargetForm TargetForm { get; }

    /// <summary>The target's path ("/" for an absolute-form target without one).</summary>
    ReadOnlySpan<byte> Path { get; }

    /// <summary>The target's query, without the '?'; empty when there is none.</summary>
    ReadOnlySpan<byte> Query { get; }
}

/// <summary>A generated <c>[HttpResponse]</c> type.</summary>
public interface IHttpResponseHead : IHttpMessageHead
{
    /// <summary>The status code: parsed, or set before writing (three digits, 100-999; the reason phrase follows it).</summary>
    int StatusCode { get; set; }

    /// <summary>The reason phrase: parsed, set (copied), or the standard one for <see cref="StatusCode"/>.</summary>
    /// <exception cref="ArgumentException">Set to bytes that cannot be a reason phrase.</exception>
    ReadOnlySpan<byte> ReasonPhrase { get; set; }

    /// <summary>The method of the request this response answers: set it before parsing, since HEAD and CONNECT change the framing.</summary>
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
