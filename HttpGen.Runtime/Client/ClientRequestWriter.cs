using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using HttpGen.Chunked;
using HttpGen.Formatting;
using HttpGen.Transport;

namespace HttpGen.Client;

/// <summary>
/// Writes the request of the exchange in progress on one connection: the head (the generated serializer's, with the
/// framing set from the content, plus the client's own lines: Host when missing, <c>Trailer</c>, <c>Upgrade</c>), then
/// the body: bytes, or a streamed body through <see cref="HttpRequestBodyWriter"/> (raw up to a declared length, or
/// chunked with optional trailer fields). Small writes gather in the connection's send buffer.
/// </summary>
internal sealed class ClientRequestWriter<TResponse> : IRequestBodySink
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private const int MaxBufferedBody = 16 * 1024;
    private const int MaxSendBuffer = 1024 * 1024;

    private readonly ClientConnection<TResponse> _connection;
    private readonly ConnectionIO _io;
    private HttpRequestBodyWriter? _writer;
    private bool _writing;
    private bool _chunked;
    private long _limit;
    private long _written;

    // The trailer fields added by the body writer, as field lines, sent after the last chunk.
    private string? _declaredTrailers;
    private byte[]? _trailers;
    private int _trailersLength;

    public ClientRequestWriter(ClientConnection<TResponse> connection, ConnectionIO io)
    {
        _connection = connection;
        _io = io;
    }

    long IRequestBodySink.RequestBodyWritten => _written;

    /// <summary>
    /// Writes the head into the send buffer, after setting the request's framing from <paramref name="content"/>; with
    /// <paramref name="upgrade"/>, asks for that protocol (<c>Upgrade</c> and <c>Connection: upgrade</c>);
    /// <paramref name="extraFields"/> (whole lines, from the cache: its conditional fields) go before the blank line.
    /// </summary>
    public void WriteHead<TRequest>(TRequest request, RequestMethod method, HttpRequestContent content, string? upgrade, ReadOnlySpan<byte> extraFields)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        // The framing follows the content, whatever was set before.
        _chunked = false;
        _limit = 0;
        _written = 0;
        _declaredTrailers = content.Trailers;
        _trailersLength = 0;
        SetFraming(request, method, content);
        if (content.IsPresent)
        {
            _chunked = content.DeclaredLength < 0;
            _limit = Math.Max(0, content.DeclaredLength);
        }

        _io.OutLength = 0;
        if (_io.Out.Length == 0)
        {
            _io.GetOutSpan(4096);
        }

        int length;
        while (!TryFormatHead(request, _io.Out, _connection.Origin, out length))
        {
            if (_io.Out.Length >= MaxSendBuffer)
            {
                throw new InvalidOperationException($"The request head is longer than {MaxSendBuffer} bytes.");
            }

            _io.GetOutSpan(_io.Out.Length * 2);
        }

        _io.OutLength = length;
        if (_declaredTrailers is null && upgrade is null && extraFields.IsEmpty)
        {
            return;
        }

        // The client's own lines go before the blank line that ends the head. Both values were validated (and are
        // strings, so they cannot change since); the cache's fields are its own.
        _io.OutLength -= 2;
        if (_declaredTrailers is not null)
        {
            AppendLine("Trailer: "u8, _declaredTrailers);
        }

        if (upgrade is not null)
        {
            AppendLine("Upgrade: "u8, upgrade);
            _io.AppendOut("Connection: upgrade\r\n"u8);
        }

        _io.AppendOut(extraFields);
        _io.AppendOut("\r\n"u8);
    }

    /// <summary>Writes a head formatted earlier (a background revalidation's: no body) into the send buffer.</summary>
    public void WriteRawHead(ReadOnlySpan<byte> head)
    {
        _chunked = false;
        _limit = 0;
        _written = 0;
        _declaredTrailers = null;
        _trailersLength = 0;
        _io.OutLength = 0;
        _io.AppendOut(head);
    }

    /// <summary>Sets the request's framing from its content: Content-Length, chunked, or none (0 for POST, PUT, PATCH).</summary>
    public static void SetFraming(IHttpRequestHead request, RequestMethod method, HttpRequestContent content) =>
        request.BodyFraming = !content.IsPresent
            ? method is RequestMethod.Post or RequestMethod.Put or RequestMethod.Patch ? new BodyFraming(BodyKind.ContentLength, 0) : default
            : content.DeclaredLength >= 0 ? new BodyFraming(BodyKind.ContentLength, content.DeclaredLength) : new BodyFraming(BodyKind.Chunked, 0);

    /// <summary>
    /// Formats the request head into <paramref name="destination"/>; false when it does not fit. A request without
    /// Host gets the origin's added to its extra headers, once (set Host to avoid this path).
    /// </summary>
    public static bool TryFormatHead<TRequest>(TRequest request, Span<byte> destination, HttpOrigin origin, out int length)
        where TRequest : class, IHttpRequestHead<TRequest>
    {
        while (true)
        {
            try
            {
                return TRequest.Format(request, destination, out length);
            }
            catch (InvalidOperationException) when (!request.ExtraHeaders.ContainsHost)
            {
                request.ExtraHeaders.Add("Host"u8, origin.HostHeader.Span);
            }
        }
    }

    private void AppendLine(ReadOnlySpan<byte> nameColonSpace, string value)
    {
        _io.AppendOut(nameColonSpace);
        Span<byte> span = _io.GetOutSpan(value.Length + 2);
        int n = Encoding.ASCII.GetBytes(value, span);
        span[n] = (byte)'\r';
        span[n + 1] = (byte)'\n';
        _io.OutLength += n + 2;
    }

    /// <summary>Sends the head and the body.</summary>
    public ValueTask SendAsync(HttpRequestContent content)
    {
        if (content.Writer is { } write)
        {
            return SendStreamedAsync(write);
        }

        ReadOnlyMemory<byte> body = content.Bytes;
        if (body.Length <= MaxBufferedBody)
        {
            _io.AppendOut(body.Span);
            return _io.FlushAsync(_connection.ExchangeToken);
        }

        return SendLargeAsync(body);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendLargeAsync(ReadOnlyMemory<byte> body)
    {
        await _io.FlushAsync(_connection.ExchangeToken).ConfigureAwait(false);
        await _io.Transport.SendAsync(body, _connection.ExchangeToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendStreamedAsync(Func<HttpRequestBodyWriter, CancellationToken, ValueTask> write)
    {
        _writing = true;
        _writer ??= new HttpRequestBodyWriter(this);
        try
        {
            await write(_writer, _connection.ExchangeToken).ConfigureAwait(false);
        }
        finally
        {
            _writing = false;
        }

        if (!_chunked && _written != _limit)
        {
            _connection.MarkBroken();
            throw new InvalidOperationException($"The body writer wrote {_written} bytes of a declared Content-Length of {_limit}.");
        }

        if (_chunked)
        {
            _io.AppendOut("0\r\n"u8);
            _io.AppendOut(_trailers.AsSpan(0, _trailersLength));
            _io.AppendOut("\r\n"u8);
        }

        await _io.FlushAsync(_connection.ExchangeToken).ConfigureAwait(false);
    }

    /// <summary>Returns the trailer buffer when the exchange ends.</summary>
    public void End()
    {
        if (_trailers is not null)
        {
            ArrayPool<byte>.Shared.Return(_trailers);
            _trailers = null;
        }

        _trailersLength = 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The body writer's side

    private void ThrowIfNotWriting()
    {
        if (!_writing)
        {
            throw new InvalidOperationException("A request body writer can only be used inside its content callback, before it completes.");
        }
    }

    ValueTask IRequestBodySink.WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfNotWriting();
        if (data.IsEmpty)
        {
            return default;
        }

        if (!_chunked && _written + data.Length > _limit)
        {
            throw new InvalidOperationException($"The body writer wrote more than the declared Content-Length of {_limit}.");
        }

        _written += data.Length;
        int framing = _chunked ? ChunkedEncoder.MaxChunkHeaderLength + 2 : 0;
        if (_io.OutLength + data.Length + framing <= _io.Out.Length)
        {
            if (_chunked)
            {
                ChunkedEncoder.TryWriteChunk(_io.Out.AsSpan(_io.OutLength), data.Span, out int written);
                _io.OutLength += written;
            }
            else
            {
                _io.AppendOut(data.Span);
            }

            return _io.OutLength >= _io.Out.Length / 2 ? WithCallerToken(_io.FlushAsync(_connection.ExchangeToken), cancellationToken) : default;
        }

        return WriteLargeAsync(data, cancellationToken);
    }

    ValueTask IRequestBodySink.FlushBodyAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotWriting();
        return WithCallerToken(_io.FlushAsync(_connection.ExchangeToken), cancellationToken);
    }

    void IRequestBodySink.AddTrailer(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        ThrowIfNotWriting();
        if (_declaredTrailers is null)
        {
            throw new InvalidOperationException("Trailer fields need a chunked body declared with its trailer names (HttpRequestContent.FromWriter(write, trailers: ...)).");
        }

        if (!ClientHeadLists.Contains(_declaredTrailers, name))
        {
            throw new InvalidOperationException($"'{Encoding.Latin1.GetString(name)}' is not among the declared trailer fields ({_declaredTrailers}).");
        }

        // Validated here, then copied: the caller's memory can change afterwards without reaching the wire.
        HeaderValidation.ValidateValue(value, nameof(value));
        int needed = _trailersLength + name.Length + value.Length + 4;
        if (_trailers is null || _trailers.Length < needed)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 256));
            _trailers.AsSpan(0, _trailersLength).CopyTo(bigger);
            if (_trailers is not null)
            {
                ArrayPool<byte>.Shared.Return(_trailers);
            }

            _trailers = bigger;
        }

        Span<byte> line = _trailers.AsSpan(_trailersLength);
        name.CopyTo(line);
        line[name.Length] = (byte)':';
        line[name.Length + 1] = (byte)' ';
        value.CopyTo(line[(name.Length + 2)..]);
        line[name.Length + 2 + value.Length] = (byte)'\r';
        line[name.Length + 3 + value.Length] = (byte)'\n';
        _trailersLength = needed;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteLargeAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = _connection.LinkCallerToken(cancellationToken);
        try
        {
            if (_chunked)
            {
                ChunkedEncoder.TryWriteChunkHeader(_io.GetOutSpan(ChunkedEncoder.MaxChunkHeaderLength), data.Length, out int written);
                _io.OutLength += written;
            }

            await _io.FlushAsync(_connection.ExchangeToken).ConfigureAwait(false);
            await _io.Transport.SendAsync(data, _connection.ExchangeToken).ConfigureAwait(false);
            if (_chunked)
            {
                _io.AppendOut("\r\n"u8);
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WithCallerToken(ValueTask task, CancellationToken cancellationToken)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        CancellationTokenRegistration registration = _connection.LinkCallerToken(cancellationToken);
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            registration.Dispose();
        }
    }
}

/// <summary>Checks of the protocol and trailer-name lists the client writes into a request head.</summary>
internal static class ClientHeadLists
{
    /// <summary>
    /// Throws unless <paramref name="names"/> is a comma-separated list of field names (tokens) that may be sent as
    /// trailers: not Content-Length, Transfer-Encoding or Host, which would change the framing or the routing.
    /// </summary>
    public static void Validate(string names, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(names, paramName);
        foreach (Range range in names.AsSpan().Split(','))
        {
            ReadOnlySpan<char> name = names.AsSpan()[range].Trim(' ');
            if (name.IsEmpty || name.ContainsAnyExcept(TokenChars))
            {
                throw new ArgumentException($"'{names}' is not a comma-separated list of field names.", paramName);
            }

            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{name} cannot be sent as a trailer field.", paramName);
            }
        }
    }

    /// <summary>
    /// Throws unless <paramref name="protocols"/> is an <c>Upgrade</c> value: a comma-separated list of
    /// <c>name[/version]</c> tokens (RFC 9110 §7.8).
    /// </summary>
    public static void ValidateProtocols(string protocols, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(protocols, paramName);
        foreach (Range range in protocols.AsSpan().Split(','))
        {
            ReadOnlySpan<char> protocol = protocols.AsSpan()[range].Trim(' ');
            int slash = protocol.IndexOf('/');
            ReadOnlySpan<char> name = slash < 0 ? protocol : protocol[..slash];
            ReadOnlySpan<char> version = slash < 0 ? "x" : protocol[(slash + 1)..];
            if (name.IsEmpty || version.IsEmpty || name.ContainsAnyExcept(TokenChars) || version.ContainsAnyExcept(TokenChars))
            {
                throw new ArgumentException($"'{protocols}' is not a list of protocols (name or name/version tokens).", paramName);
            }
        }
    }

    /// <summary>Whether the declared list holds <paramref name="name"/> (ASCII case ignored).</summary>
    public static bool Contains(string declared, ReadOnlySpan<byte> name)
    {
        foreach (Range range in declared.AsSpan().Split(','))
        {
            if (Ascii.EqualsIgnoreCase(name, declared.AsSpan()[range].Trim(' ')))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}
