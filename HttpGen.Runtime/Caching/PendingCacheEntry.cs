namespace HttpGen.Caching;

/// <summary>
/// A response the cache will store once its body is complete (from <see cref="HttpCache.HandleResponseHead"/>). Either
/// hand it the body piece by piece as it streams to its reader (<see cref="Append"/>, then <see cref="Complete()"/>),
/// or whole (<see cref="Complete(ReadOnlySpan{byte})"/>); drop it (or <see cref="Abandon"/> it) if the body never
/// completes. Not thread-safe: one streamer.
/// </summary>
public sealed class PendingCacheEntry
{
    private const int FirstBufferSize = 4096;

    private readonly HttpCache _cache;
    private readonly byte[] _key, _secondaryKey, _head;
    private readonly long _expectedLength, _requestTicks, _responseTicks;
    private readonly long _maxEntrySize;
    private byte[]? _buffer; // the appended body, owned: it becomes the stored body
    private int _length;
    private bool _done;
    private bool _abandoned;

    internal PendingCacheEntry(HttpCache cache, byte[] key, byte[] secondaryKey, byte[] head, long expectedLength, long requestTicks, long responseTicks, long maxEntrySize)
    {
        _cache = cache;
        _key = key;
        _secondaryKey = secondaryKey;
        _head = head;
        _expectedLength = expectedLength;
        _requestTicks = requestTicks;
        _responseTicks = responseTicks;
        _maxEntrySize = maxEntrySize;
    }

    /// <summary>The largest body that will be stored: keep reading the body into a buffer only up to this length.</summary>
    public long MaxBodyLength => _maxEntrySize;

    /// <summary>The body length announced by the head (Content-Length), or -1 when it is not known in advance.</summary>
    public long ExpectedLength => _expectedLength;

    /// <summary>Body bytes appended so far.</summary>
    public long AppendedLength => _length;

    /// <summary>
    /// Whether the entry will not be stored any more: abandoned, completed, or its body outgrew
    /// <see cref="MaxBodyLength"/> or the announced length. Appending then does nothing.
    /// </summary>
    public bool IsClosed => _done || _abandoned;

    /// <summary>
    /// Appends the next bytes of the body (decoded from any transfer coding), as they stream to the response's reader.
    /// The bytes are copied into the entry's own buffer, which becomes the stored body. Past
    /// <see cref="MaxBodyLength"/> or the announced Content-Length the entry gives up: its buffer is dropped and later
    /// calls do nothing.
    /// </summary>
    /// <param name="data">The next body bytes.</param>
    /// <returns>False once the entry has given up (or was completed or abandoned).</returns>
    public bool Append(ReadOnlySpan<byte> data)
    {
        if (_done || _abandoned)
        {
            return false;
        }

        long total = (long)_length + data.Length;
        if (total > _maxEntrySize || (_expectedLength >= 0 && total > _expectedLength) || total > Array.MaxLength)
        {
            Abandon();
            return false;
        }

        if (_buffer is null || _buffer.Length < total)
        {
            long size = _expectedLength >= 0 ? _expectedLength : Math.Min(Math.Max(total, Math.Max(FirstBufferSize, 2L * (_buffer?.Length ?? 0))), Math.Min(_maxEntrySize, Array.MaxLength));
            var bigger = new byte[size];
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length = (int)total;
        return true;
    }

    /// <summary>
    /// Stores the response with the body appended so far, which must be the whole body: a body shorter than the
    /// Content-Length the head announced (RFC 9111 §3.3), or one the entry gave up on, is not stored.
    /// </summary>
    /// <returns>True when stored.</returns>
    /// <exception cref="InvalidOperationException">Called after the entry was completed.</exception>
    public bool Complete()
    {
        ThrowIfDone();
        _done = true;
        byte[]? buffer = _buffer;
        _buffer = null;
        if (_abandoned || (_expectedLength >= 0 && _length != _expectedLength))
        {
            return false;
        }

        // An announced length was allocated exactly; a grown buffer is trimmed so that the store holds no slack.
        byte[] body = buffer is null ? [] : buffer.Length == _length ? buffer : buffer.AsSpan(0, _length).ToArray();
        _cache.Put(CachedResponse.Create(_cache, _key, _secondaryKey, _head, body, _requestTicks, _responseTicks));
        return true;
    }

    /// <summary>
    /// Stores the response with its complete body (copied). An incomplete body (shorter than the Content-Length the
    /// head announced, RFC 9111 §3.3) or one over the size limit is not stored.
    /// </summary>
    /// <param name="body">The whole body, decoded from any transfer coding.</param>
    /// <returns>True when stored.</returns>
    /// <exception cref="InvalidOperationException">Called after the entry was completed, or after bytes were appended.</exception>
    public bool Complete(ReadOnlySpan<byte> body)
    {
        ThrowIfDone();
        if (_length > 0)
        {
            throw new InvalidOperationException("The body was appended piece by piece: complete it with Complete().");
        }

        _done = true;
        if (_abandoned || body.Length > _maxEntrySize || (_expectedLength >= 0 && body.Length != _expectedLength))
        {
            return false;
        }

        _cache.Put(CachedResponse.Create(_cache, _key, _secondaryKey, _head, body.ToArray(), _requestTicks, _responseTicks));
        return true;
    }

    /// <summary>Gives up on the entry (the body will not be read to its end): nothing is stored, the buffer is dropped.</summary>
    public void Abandon()
    {
        _abandoned = true;
        _buffer = null;
    }

    private void ThrowIfDone()
    {
        if (_done)
        {
            throw new InvalidOperationException("The entry was already completed.");
        }
    }
}
