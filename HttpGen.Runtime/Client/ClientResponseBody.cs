using System.Buffers;
using System.Runtime.CompilerServices;
using HttpGen.Chunked;
using HttpGen.Transport;

namespace HttpGen.Client;

/// <summary>
/// The body of the response in progress on one connection, in its three framings (RFC 9112 §6.3): Content-Length,
/// chunked (decoded with a <see cref="ChunkedDecoder"/> kept for the connection's life, trailers included), and read
/// until the connection closes. Reads are served from the connection's receive buffer first; Content-Length and
/// close-delimited bodies are then received straight into the caller's memory. Also drains an unread rest so that the
/// connection can be reused. Any failure marks the connection broken.
/// </summary>
internal sealed class ClientResponseBody<TResponse>
    where TResponse : class, IHttpResponseHead<TResponse>
{
    private readonly ClientConnection<TResponse> _connection;
    private readonly ConnectionIO _io;
    private readonly ClientSettings _settings;
    private ChunkedDecoder? _decoder;
    private byte[]? _buffer; // ReadAllAsync's pooled buffer, returned when the exchange ends
    private BodyKind _kind;
    private long _remaining;
    private long _read;
    private bool _done;
    private Caching.PendingCacheEntry? _capture; // the cache's entry, given the body as the caller reads it

    public ClientResponseBody(ClientConnection<TResponse> connection, ConnectionIO io, ClientSettings settings)
    {
        _connection = connection;
        _io = io;
        _settings = settings;
    }

    /// <summary>True once the whole body (trailers included) has been read; at once for a response without a body.</summary>
    public bool IsComplete => _done;

    /// <summary>Body bytes read so far (decoded, for a chunked body).</summary>
    public long BytesRead => _read;

    /// <summary>Forgets the previous exchange's body: nothing is complete until a head says how the body is framed.</summary>
    public void Reset()
    {
        _kind = BodyKind.None;
        _remaining = 0;
        _read = 0;
        _done = false;
    }

    /// <summary>Starts reading a body framed as <paramref name="framing"/>; a declared length over the limit is an error.</summary>
    public void Start(BodyFraming framing)
    {
        _kind = framing.Kind;
        switch (framing.Kind)
        {
            case BodyKind.None:
                _done = true;
                break;
            case BodyKind.ContentLength:
                if (framing.ContentLength > _settings.MaxResponseBodySize)
                {
                    _connection.MarkBroken();
                    throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response from {_connection.Origin} declares a body of {framing.ContentLength} bytes, more than the limit of {_settings.MaxResponseBodySize}.");
                }

                _remaining = framing.ContentLength;
                _done = _remaining == 0;
                break;
            case BodyKind.Chunked:
                _decoder ??= new ChunkedDecoder(_settings.ChunkedOptions);
                _decoder.Reset();
                break;
        }
    }

    /// <summary>
    /// Gives the body to <paramref name="entry"/> as the caller reads it; once the caller has read it all, the entry is
    /// completed (stored). A body the caller does not read to its end (drained on disposal, or abandoned) is not stored.
    /// </summary>
    public void StartCapture(Caching.PendingCacheEntry entry)
    {
        _capture = entry;
        if (_done && _read == 0)
        {
            FinishCapture();
        }
    }

    /// <summary>Returns the pooled buffer of <see cref="ReadAllAsync"/>, if any. Called when the exchange ends.</summary>
    public void End()
    {
        if (_capture is not null)
        {
            // The caller read it all, but the end was seen by a drain or an end check that took no body byte.
            if (_done && _capture.AppendedLength == _read && !_connection.IsBroken)
            {
                FinishCapture();
            }
            else
            {
                _capture.Abandon();
                _capture = null;
            }
        }

        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    /// <summary>
    /// The trailer fields of a chunked body, once it has been read to its end (empty before, and for other framings).
    /// They live in the decoder, which keeps them until the connection's next exchange.
    /// </summary>
    public HeaderFieldEnumerator EnumerateTrailers() =>
        _kind == BodyKind.Chunked && _done ? _decoder!.EnumerateTrailers() : default;

    /// <summary>Reads body bytes into <paramref name="destination"/>; 0 at the end. Completes synchronously from buffered bytes.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        _capture is null ? ReadCoreAsync(destination, cancellationToken) : ReadCapturingAsync(destination, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadCapturingAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int n = await ReadCoreAsync(destination, cancellationToken).ConfigureAwait(false);
        Capture(destination.Span[..n]);
        return n;
    }

    // Body bytes the caller took: to the cache's entry, which is stored once the body is complete.
    private void Capture(ReadOnlySpan<byte> data)
    {
        if (_capture is null)
        {
            return;
        }

        if (!_capture.Append(data))
        {
            _capture = null; // too large after all (a body of unknown length): it goes on unstored
        }
        else if (_done)
        {
            FinishCapture();
        }
    }

    private void FinishCapture()
    {
        Caching.PendingCacheEntry entry = _capture!;
        _capture = null;
        entry.Complete();
    }

    private ValueTask<int> ReadCoreAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (_done || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        _connection.ThrowIfBroken();
        if (_io.End > _io.Start)
        {
            try
            {
                int n = ReadBuffered(destination.Span);
                if (n >= 0)
                {
                    return new ValueTask<int>(n);
                }
            }
            catch
            {
                _connection.MarkBroken();
                throw;
            }
        }

        return ReadSlowAsync(destination, cancellationToken);
    }

    /// <summary>Serves a read from buffered bytes: the count (0 only at the end), or -1 when more must be received.</summary>
    private int ReadBuffered(Span<byte> destination)
    {
        switch (_kind)
        {
            case BodyKind.ContentLength:
            {
                int n = (int)Math.Min(Math.Min(_io.End - _io.Start, _remaining), destination.Length);
                _io.In.AsSpan(_io.Start, n).CopyTo(destination);
                _io.Consume(n);
                return CountLengthDelimited(n);
            }

            case BodyKind.Chunked:
            {
                OperationStatus status = _decoder!.Decode(_io.BufferedSpan, destination, out int consumed, out int written);
                _io.Consume(consumed);
                CountBody(written);
                if (status == OperationStatus.InvalidData)
                {
                    throw ChunkedError();
                }

                if (status == OperationStatus.Done)
                {
                    _done = true;
                    return written;
                }

                return written > 0 ? written : -1;
            }

            default:
            {
                int n = Math.Min(_io.End - _io.Start, destination.Length);
                _io.In.AsSpan(_io.Start, n).CopyTo(destination);
                _io.Consume(n);
                CountBody(n);
                return n;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = _connection.LinkCallerToken(cancellationToken);
        try
        {
            while (true)
            {
                if (_kind == BodyKind.Chunked)
                {
                    // The decoder consumed everything buffered: receive more after it.
                    _io.TryMakeRoom();
                    int received = await _connection.ReceiveAsync(_io.In.AsMemory(_io.End)).ConfigureAwait(false);
                    if (received == 0)
                    {
                        throw _connection.Closed(null, $"in the middle of the chunked body, after {_read} bytes");
                    }

                    _io.End += received;

                    int n = ReadBuffered(destination.Span);
                    if (n >= 0)
                    {
                        return n;
                    }

                    continue;
                }

                // Content-Length and close-delimited bodies are received straight into the caller's memory.
                Memory<byte> into = _kind == BodyKind.ContentLength && _remaining < destination.Length
                    ? destination[..(int)_remaining]
                    : destination;
                int count = await _connection.ReceiveAsync(into).ConfigureAwait(false);
                if (count == 0)
                {
                    if (_kind == BodyKind.ReadToClose)
                    {
                        _done = true;
                        return 0;
                    }

                    throw _connection.Closed(null, $"in the middle of the body, after {_read} of {_read + _remaining} bytes");
                }

                if (_kind == BodyKind.ContentLength)
                {
                    return CountLengthDelimited(count);
                }

                CountBody(count);
                return count;
            }
        }
        catch (Exception e)
        {
            throw Fail(e, cancellationToken);
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>
    /// Reads and discards the rest of the body, up to <paramref name="limit"/> bytes of it. True when the body ended
    /// within the limit; false (and the connection is not reusable) otherwise.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> DiscardAsync(long limit, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = _connection.LinkCallerToken(cancellationToken);
        try
        {
            long discarded = 0;
            while (!_done)
            {
                if (_io.End > _io.Start)
                {
                    discarded += DiscardBuffered();
                    if (_done)
                    {
                        break;
                    }
                }

                if (discarded > limit || (_kind == BodyKind.ContentLength && discarded + _remaining > limit))
                {
                    return false;
                }

                _io.TryMakeRoom();
                int received = await _connection.ReceiveAsync(_io.In.AsMemory(_io.End)).ConfigureAwait(false);
                if (received == 0)
                {
                    if (_kind == BodyKind.ReadToClose)
                    {
                        _done = true;
                        break;
                    }

                    throw _connection.Closed(null, $"in the middle of the body, after {_read} bytes");
                }

                _io.End += received;
            }

            return discarded <= limit;
        }
        catch (Exception e)
        {
            throw Fail(e, cancellationToken);
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>Discards body bytes that are already buffered, without receiving. Returns how many body bytes went.</summary>
    public long DiscardBuffered()
    {
        switch (_kind)
        {
            case BodyKind.ContentLength:
            {
                int n = (int)Math.Min(_io.End - _io.Start, _remaining);
                _io.Consume(n);
                return CountLengthDelimited(n);
            }

            case BodyKind.Chunked:
            {
                long before = _decoder!.DecodedLength;
                OperationStatus status;
                do
                {
                    status = _decoder.Read(_io.BufferedSpan, out int consumed, out _);
                    _io.Consume(consumed);
                }
                while (status == OperationStatus.NeedMoreData && _io.End > _io.Start);

                long n = _decoder.DecodedLength - before;
                CountBody(n);
                if (status == OperationStatus.InvalidData)
                {
                    throw ChunkedError();
                }

                _done = status == OperationStatus.Done;
                return n;
            }

            case BodyKind.ReadToClose:
            {
                int n = _io.End - _io.Start;
                _io.Consume(n);
                CountBody(n);
                return n;
            }

            default:
                return 0;
        }
    }

    /// <summary>Reads the whole body into a pooled buffer (or a view of the receive buffer) valid until the exchange ends.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        _connection.ThrowIfBroken();
        if (_kind == BodyKind.ContentLength && _remaining <= _io.End - _io.Start)
        {
            // All of it is here: hand out a view of the receive buffer, which nothing touches until the exchange ends.
            var view = new ReadOnlyMemory<byte>(_io.In, _io.Start, (int)_remaining);
            DiscardBuffered();
            Capture(view.Span);
            return view;
        }

        int capacity = _kind == BodyKind.ContentLength
            ? (int)Math.Min(_remaining, Array.MaxLength)
            : (int)Math.Min(Math.Max(4096, (_io.End - _io.Start) * 2L), Math.Min(_settings.MaxResponseBodySize + 1, Array.MaxLength));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 1));
        _buffer = buffer;
        int total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (_kind == BodyKind.ContentLength || buffer.Length >= Array.MaxLength)
                {
                    break;
                }

                byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, Array.MaxLength));
                buffer.AsSpan(0, total).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                _buffer = buffer = bigger;
            }

            int n = await ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return new ReadOnlyMemory<byte>(buffer, 0, total);
    }

    /// <summary>Reads the rest of the body into <paramref name="destination"/>; a body that does not fit is an error.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadToEndAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        int total = 0;
        while (!_done)
        {
            if (total == destination.Length)
            {
                // Full: the body must end right here (a chunked body may still have its last chunk to come).
                if (!await DiscardAsync(0, cancellationToken).ConfigureAwait(false))
                {
                    _connection.MarkBroken();
                    throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response body from {_connection.Origin} is longer than the {destination.Length}-byte buffer given for it.");
                }

                break;
            }

            int n = await ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    // Body bytes of a Content-Length body taken: the body is done when none remain.
    private int CountLengthDelimited(int count)
    {
        _read += count;
        _remaining -= count;
        _done = _remaining == 0;
        return count;
    }

    private void CountBody(long count)
    {
        _read += count;
        if (_read > _settings.MaxResponseBodySize)
        {
            _connection.MarkBroken();
            throw new HttpGenClientException(HttpClientErrorKind.ResponseBodyTooLarge, $"The response body from {_connection.Origin} is longer than the limit of {_settings.MaxResponseBodySize} bytes.");
        }
    }

    private HttpResponseException ChunkedError()
    {
        _connection.MarkBroken();
        ParseError error = _decoder!.Error;
        return new HttpResponseException(error, true, $"The chunked response body from {_connection.Origin} is malformed: {error.Reason} ({error.Kind} at offset {error.Offset} of the body).");
    }

    // A failed read: the connection is broken, and the error is what the caller should see (MapException).
    private Exception Fail(Exception e, CancellationToken cancellationToken)
    {
        _connection.MarkBroken();
        Exception mapped = _connection.MapException(e, cancellationToken);
        if (ReferenceEquals(mapped, e))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }

        return mapped;
    }
}
