using System.Buffers;
using HttpGen.Transport;
using System.Runtime.CompilerServices;
using HttpGen.Chunked;

namespace HttpGen.Server;

/// <summary>
/// The body of the request being handled, streamed from the connection: Content-Length or chunked (decoded here, with
/// its trailer fields), never past its end, so the next pipelined request stays intact. One instance per connection,
/// reused.
/// </summary>
public sealed class HttpRequestBody
{
    private ConnectionIO? _io;
    private readonly ChunkedDecoderOptions _chunkedOptions;
    private ChunkedDecoder? _decoder; // created for the first chunked body
    private BodyKind _kind;
    private long _remaining;
    private long _maxSize;
    private TimeSpan _timeout;
    private MinDataRate? _minRate;
    private long _waitedMs;   // time spent waiting for body bytes, which the minimum rate is measured over
    private long _rateBytes;  // bytes those waits brought
    private bool _expectContinue;
    private byte[]? _whole;

    internal HttpRequestBody(ChunkedDecoderOptions chunkedOptions) => _chunkedOptions = chunkedOptions;

    /// <summary>How the body is delimited.</summary>
    public BodyKind Kind => _kind;

    /// <summary>The declared length, for a Content-Length body.</summary>
    public long? Length { get; private set; }

    /// <summary>Body bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Whether the whole body has been read (always true for a request without one).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>
    /// The trailer fields that ended a chunked body, once it has been read to its end (<see cref="IsComplete"/>); empty
    /// before that and for other framings. Walk them with <c>foreach (HeaderField field in body.EnumerateTrailers())</c>:
    /// no allocation, views valid until the handler returns. They are held to the request head's limits (as many fields
    /// as <see cref="ParserOptions.MaxHeaderCount"/>, as many bytes as <see cref="ParserOptions.MaxHeaderBlockLength"/>)
    /// and to the header field rules; Content-Length, Transfer-Encoding or Host among them make the body malformed (400).
    /// </summary>
    /// <returns>An enumerator over the trailer fields.</returns>
    public HeaderFieldEnumerator EnumerateTrailers() =>
        _kind == BodyKind.Chunked && IsComplete ? _decoder!.EnumerateTrailers() : default;

    /// <summary>Whether any of the body was asked for (an <c>Expect: 100-continue</c> client has then been told to send it).</summary>
    internal bool ReadStarted { get; private set; }

    internal interface IContinueSender
    {
        /// <summary>Sends <c>100 Continue</c>.</summary>
        ValueTask SendContinueAsync();
    }

    /// <summary>The connection, which sends <c>100 Continue</c> when the body is first read.</summary>
    internal IContinueSender? Connection;

    internal void Start(ConnectionIO io, BodyFraming framing, bool expectContinue, long maxSize, TimeSpan timeout, MinDataRate? minRate)
    {
        _io = io;
        _kind = framing.Kind;
        _maxSize = maxSize;
        _timeout = timeout;
        _minRate = minRate;
        _waitedMs = 0;
        _rateBytes = 0;
        _expectContinue = expectContinue;
        ReadStarted = false;
        BytesRead = 0;
        Length = framing.Kind == BodyKind.ContentLength ? framing.ContentLength : null;
        _remaining = framing.ContentLength;
        IsComplete = framing.Kind == BodyKind.None || (framing.Kind == BodyKind.ContentLength && framing.ContentLength == 0);
        if (framing.Kind == BodyKind.Chunked)
        {
            _decoder ??= new ChunkedDecoder(_chunkedOptions);
            _decoder.Reset();
        }
    }

    /// <summary>Reads body bytes into <paramref name="destination"/>; 0 means the body is complete.</summary>
    /// <param name="destination">Where to copy body bytes.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The number of bytes read.</returns>
    /// <exception cref="HttpBodyException">The body is malformed, too large, or the connection ended first.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (IsComplete || destination.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        // Fast path: bytes already received.
        if (_io!.Buffered > 0 && !(_expectContinue && !ReadStarted))
        {
            ReadStarted = true;
            int copied = CopyBuffered(destination.Span);
            if (copied > 0 || IsComplete)
            {
                return new ValueTask<int>(copied);
            }
        }

        return ReadSlowAsync(destination, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadSlowAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!ReadStarted)
        {
            ReadStarted = true;
            if (_expectContinue && Connection is not null)
            {
                await Connection.SendContinueAsync().ConfigureAwait(false); // RFC 9110 §10.1.1: only now is the client told to send
            }
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_io!.Buffered > 0)
            {
                int copied = CopyBuffered(destination.Span);
                if (copied > 0 || IsComplete)
                {
                    return copied;
                }
            }

            // Each read must make progress within the read timeout, and the body as a whole must keep up the minimum
            // rate over the time spent waiting for it: whichever comes first.
            long now = Environment.TickCount64;
            long deadline = ConnectionIO.DeadlineAfter(now, _timeout);
            bool rateBound = false;
            if (_minRate is { } rate)
            {
                long byRate = ConnectionIO.DeadlineAfter(now, rate.Allowance(_rateBytes) - TimeSpan.FromMilliseconds(_waitedMs));
                rateBound = byRate < deadline;
                deadline = Math.Min(deadline, byRate);
            }

            int received;
            try
            {
                received = await _io.ReceiveAsync(deadline).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new HttpBodyException(408, rateBound ? "The request body arrived more slowly than the minimum data rate." : "The request body did not arrive in time.");
            }

            _waitedMs += Environment.TickCount64 - now;
            _rateBytes += received;

            if (received == 0)
            {
                throw new HttpBodyException(400, "The connection closed before the request body was complete.");
            }
        }
    }

    // Takes what the receive buffer holds, never past the end of this body.
    private int CopyBuffered(Span<byte> destination)
    {
        ReadOnlySpan<byte> buffered = _io!.BufferedSpan;
        if (_kind == BodyKind.ContentLength)
        {
            int count = (int)Math.Min(Math.Min(buffered.Length, destination.Length), _remaining);
            buffered[..count].CopyTo(destination);
            _io.Consume(count);
            _remaining -= count;
            BytesRead += count;
            IsComplete = _remaining == 0;
            return count;
        }

        OperationStatus status = _decoder!.Decode(buffered, destination, out int consumed, out int written);
        _io.Consume(consumed);
        BytesRead += written;
        switch (status)
        {
            case OperationStatus.Done:
                IsComplete = true;
                break;
            case OperationStatus.InvalidData:
                ParseError error = _decoder!.Error;
                throw new HttpBodyException(error.StatusCode, "Malformed chunked body: " + error.Reason + " at offset " + error.Offset + ".");
        }

        return written;
    }

    /// <summary>
    /// Reads the whole body into a buffer owned by the connection (valid until the handler returns).
    /// </summary>
    /// <param name="maxBytes">The most bytes to accept; more is a 413.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The body.</returns>
    /// <exception cref="HttpBodyException">The body is malformed, larger than <paramref name="maxBytes"/>, or cut short.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAllAsync(long maxBytes = long.MaxValue, CancellationToken cancellationToken = default)
    {
        long limit = Math.Min(maxBytes, _maxSize);
        if (Length > limit)
        {
            throw new HttpBodyException(413, "The request body is larger than allowed.");
        }

        _whole ??= BufferPolicy.Rent(Math.Max(4096, (int)Math.Min(Length ?? 4096, 1 << 20)));
        int total = 0;
        while (true)
        {
            if (total == _whole.Length)
            {
                if (total >= limit)
                {
                    // Probe for one more byte: a body exactly at the limit is fine.
                    if (IsComplete)
                    {
                        break;
                    }

                    throw new HttpBodyException(413, "The request body is larger than allowed.");
                }

                byte[] bigger = BufferPolicy.Rent((int)Math.Min(Math.Max(_whole.Length * 2L, 4096), Math.Min(limit + 1, Array.MaxLength)));
                _whole.AsSpan(0, total).CopyTo(bigger);
                BufferPolicy.Return(_whole);
                _whole = bigger;
            }

            int read = await ReadAsync(_whole.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
            if (total > limit)
            {
                throw new HttpBodyException(413, "The request body is larger than allowed.");
            }
        }

        return _whole.AsMemory(0, total);
    }

    /// <summary>Returns the buffer of <see cref="ReadAllAsync"/> to the pool once the handler is done with it.</summary>
    internal void Release()
    {
        if (_whole is not null)
        {
            BufferPolicy.Return(_whole);
            _whole = null;
        }
    }

    /// <summary>Reads and discards the rest of the body, up to <paramref name="limit"/> bytes. False when it could not.</summary>
    internal async ValueTask<bool> DrainAsync(long limit)
    {
        if (IsComplete)
        {
            return true;
        }

        if (_kind == BodyKind.ContentLength && _remaining > limit)
        {
            return false;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            long drained = 0;
            while (!IsComplete && drained <= limit)
            {
                drained += await ReadAsync(scratch, CancellationToken.None).ConfigureAwait(false);
            }

            return IsComplete;
        }
        catch (HttpBodyException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
