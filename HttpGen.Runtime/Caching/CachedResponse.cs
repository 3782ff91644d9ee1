using HttpGen.Formatting;

namespace HttpGen.Caching;

/// <summary>
/// One stored response: its keys, its head as it will be served, its body, and what the cache computed from them when
/// it was stored (RFC 9111 §4.2: freshness lifetime, corrected initial age). Immutable: an update after validation makes
/// a new one that shares the body, so a reader holding an instance can use it however long it likes, evicted or not.
/// </summary>
/// <remarks>
/// The stored head is the origin's status line (as <c>HTTP/1.1</c>) and header fields, minus what must not be stored
/// or forwarded (RFC 9111 §3.1: Connection and the fields it names, Keep-Alive, Proxy-Connection, TE,
/// Transfer-Encoding, Upgrade, the Proxy-Authenticate/-Authorization/-Authentication-Info fields, the fields named by a
/// qualified <c>no-cache</c>, and in a shared cache by a qualified <c>private</c>; also Trailer, since the body is
/// stored decoded, without trailer fields), minus Age (presented fresh on each
/// hit), with Content-Length set to the stored body's length and a Date added when the origin sent none (RFC 9110
/// §6.6.1). It ends with the blank line, ready to be parsed by a generated response type.
/// </remarks>
public sealed class CachedResponse
{
    /// <summary>Bytes counted per entry besides its key, head and body: the object and its bookkeeping.</summary>
    public const int Overhead = 256;

    private readonly byte[] _data; // primary key | secondary key | head
    private readonly int _keyLength, _secondaryLength;
    private readonly int _etagOffset, _etagLength, _lastModifiedOffset, _lastModifiedLength;

    internal readonly long RequestTicks, ResponseTicks, DateTicks, CorrectedInitialAge, Lifetime, RetainUntilTicks, LastModifiedTicks;
    internal readonly CacheControl Control;

    private CachedResponse(byte[] data, int keyLength, int secondaryLength, ReadOnlyMemory<byte> body, long ageValue, long requestTicks, long responseTicks, HttpCache cache)
    {
        _data = data;
        _keyLength = keyLength;
        _secondaryLength = secondaryLength;
        Body = body;
        RequestTicks = requestTicks;
        ResponseTicks = responseTicks;
        ReadOnlySpan<byte> head = Head.Span;
        if (!ResponseFacts.TryRead(head, new DateTimeOffset(responseTicks, TimeSpan.Zero), out ResponseFacts facts))
        {
            throw new InvalidOperationException("A stored head must have a status line.");
        }

        StatusCode = facts.Status;
        Control = facts.Control;
        DateTicks = facts.HasDate ? facts.DateTicks : responseTicks;
        _etagOffset = Offset(data, facts.ETag, facts.HasETag, out _etagLength);
        _lastModifiedOffset = Offset(data, facts.LastModified, facts.HasLastModified, out _lastModifiedLength);
        LastModifiedTicks = facts.LastModifiedTicks;
        CorrectedInitialAge = CachePolicy.CorrectedInitialAge(ageValue, DateTicks, requestTicks, responseTicks);
        Lifetime = CachePolicy.FreshnessLifetime(facts, DateTicks, cache.IsShared, cache.HeuristicFraction, cache.MaxHeuristicTicks);
        RetainUntilTicks = CachePolicy.RetainUntil(responseTicks, CorrectedInitialAge, Lifetime, Control, cache.IsShared, HasValidator, cache.StaleRetentionTicks);
    }

    /// <summary>The primary key: the normalized target URI (<c>http://host/path?query</c>).</summary>
    public ReadOnlySpan<byte> PrimaryKey => _data.AsSpan(0, _keyLength);

    /// <summary>The secondary key: the request's values of the fields named by Vary (RFC 9111 §4.1); empty without Vary.</summary>
    public ReadOnlySpan<byte> SecondaryKey => _data.AsSpan(_keyLength, _secondaryLength);

    /// <summary>The head to serve: status line and header fields, ending with the blank line (no Age).</summary>
    public ReadOnlyMemory<byte> Head => _data.AsMemory(_keyLength + _secondaryLength);

    /// <summary>The body, complete and decoded from any transfer coding. Never copied per hit.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The status code.</summary>
    public int StatusCode { get; }

    /// <summary>When the request that fetched (or last validated) this response was sent.</summary>
    public DateTimeOffset RequestTime => new(RequestTicks, TimeSpan.Zero);

    /// <summary>When its response arrived.</summary>
    public DateTimeOffset ResponseTime => new(ResponseTicks, TimeSpan.Zero);

    /// <summary>The response's Cache-Control directives.</summary>
    public CacheControl CacheControl => Control;

    /// <summary>The freshness lifetime (RFC 9111 §4.2.1), heuristic where allowed (§4.2.2).</summary>
    public TimeSpan FreshnessLifetime => new(Lifetime);

    /// <summary>The last moment this response can be of use (served or validated); stores may drop it after that.</summary>
    public DateTimeOffset RetainUntil => new(RetainUntilTicks, TimeSpan.Zero);

    /// <summary>The bytes it holds: key, head and body, plus <see cref="Overhead"/>.</summary>
    public long Size => _data.Length + Body.Length + Overhead;

    /// <summary>The entity tag, when the response has a valid one.</summary>
    public EntityTag ETag => _etagLength > 0 && EntityTag.TryParse(_data.AsSpan(_etagOffset, _etagLength), out EntityTag tag) ? tag : default;

    /// <summary>Whether the response has a valid entity tag.</summary>
    public bool HasETag => _etagLength > 0;

    /// <summary>The raw Last-Modified value, when the response has a valid one.</summary>
    public ReadOnlySpan<byte> LastModified => _data.AsSpan(_lastModifiedOffset, _lastModifiedLength);

    internal bool HasLastModified => _lastModifiedLength > 0;

    internal bool HasValidator => _etagLength > 0 || _lastModifiedLength > 0;

    internal ReadOnlySpan<byte> RawETag => _data.AsSpan(_etagOffset, _etagLength);

    /// <summary>The current age (RFC 9111 §4.2.3) at <paramref name="now"/>.</summary>
    /// <param name="now">The time.</param>
    /// <returns>corrected_initial_age + resident_time.</returns>
    public TimeSpan GetCurrentAge(DateTimeOffset now) => new(CachePolicy.CurrentAge(CorrectedInitialAge, ResponseTicks, now.UtcTicks));

    /// <summary>Whether the response is fresh at <paramref name="now"/>: its freshness lifetime exceeds its current age.</summary>
    /// <param name="now">The time.</param>
    /// <returns>True when fresh.</returns>
    public bool IsFresh(DateTimeOffset now) => Lifetime > CachePolicy.CurrentAge(CorrectedInitialAge, ResponseTicks, now.UtcTicks);

    /// <summary>
    /// Builds a stored response from an origin's head: the head is filtered as described on
    /// <see cref="CachedResponse"/>; the body is used as given (the caller hands over a copy it will not change).
    /// </summary>
    internal static CachedResponse Create(HttpCache cache, ReadOnlySpan<byte> primaryKey, ReadOnlySpan<byte> secondaryKey, ReadOnlySpan<byte> originHead,
        ReadOnlyMemory<byte> body, long requestTicks, long responseTicks)
    {
        if (!FieldScan.TryReadStatusLine(originHead, out int status, out ReadOnlySpan<byte> reason, out ReadOnlySpan<byte> fields))
        {
            throw new ArgumentException("The response head has no status line.", nameof(originHead));
        }

        var filter = new StoredFieldFilter(fields, cache.IsShared);
        long ageValue = StoredFieldFilter.AgeValue(fields);
        bool hasDate = false;
        int size = primaryKey.Length + secondaryKey.Length + 13 + reason.Length + 2;
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (filter.Keeps(field, ref hasDate))
            {
                size += field.Name.Length + field.Value.Length + 4;
            }
        }

        bool writeLength = status != 204 && status >= 200;
        size += (writeLength ? 18 + Digits(body.Length) : 0) + (hasDate ? 0 : 6 + HttpDate.FormattedLength + 2) + 2;
        var data = new byte[size];
        primaryKey.CopyTo(data);
        secondaryKey.CopyTo(data.AsSpan(primaryKey.Length));
        var w = new ByteAppender(data.AsSpan(primaryKey.Length + secondaryKey.Length));
        w.Append("HTTP/1.1 "u8);
        w.Number(status);
        if (!reason.IsEmpty)
        {
            w.Append(" "u8);
            w.Append(reason);
        }

        w.Append("\r\n"u8);
        hasDate = false;
        foreach (HeaderField field in new HeaderFieldEnumerator(fields))
        {
            if (filter.Keeps(field, ref hasDate))
            {
                w.Field(field.Name, field.Value);
            }
        }

        if (!hasDate)
        {
            Span<byte> date = stackalloc byte[HttpDate.FormattedLength];
            HttpDate.TryFormat(new DateTimeOffset(responseTicks, TimeSpan.Zero), date, out _);
            w.Field("Date"u8, date);
        }

        if (writeLength)
        {
            w.Append("Content-Length: "u8);
            w.Number(body.Length);
            w.Append("\r\n"u8);
        }

        w.Append("\r\n"u8);
        if (!w.Ok || primaryKey.Length + secondaryKey.Length + w.Length != data.Length)
        {
            throw new InvalidOperationException("The stored head's length was miscounted.");
        }

        return new CachedResponse(data, primaryKey.Length, secondaryKey.Length, body, ageValue, requestTicks, responseTicks, cache);
    }

    /// <summary>
    /// This response with its header fields updated by a 304 or HEAD response (RFC 9111 §3.2, §4.3.4): each field the
    /// new response has replaces the stored fields of that name, except those never stored and Content-Length; the
    /// times become those of the validating exchange. The body is shared.
    /// </summary>
    internal CachedResponse Update(HttpCache cache, ReadOnlySpan<byte> newFields, ReadOnlySpan<byte> secondaryKey, long requestTicks, long responseTicks)
    {
        ReadOnlySpan<byte> head = Head.Span;
        FieldScan.TryReadStatusLine(head, out _, out _, out ReadOnlySpan<byte> storedFields);
        int statusLineLength = head.Length - storedFields.Length;
        // Re-encoding a line adds at most ": " and CR to what it took in the source.
        var buffer = new byte[2 * (head.Length + newFields.Length) + 2];
        var merged = new ByteAppender(buffer);
        merged.Append(head[..statusLineLength]);
        foreach (HeaderField field in new HeaderFieldEnumerator(storedFields))
        {
            if (!HasUpdatingField(newFields, field.Name))
            {
                merged.Field(field.Name, field.Value);
            }
        }

        foreach (HeaderField field in new HeaderFieldEnumerator(newFields))
        {
            if (!field.NameEquals("Content-Length"u8))
            {
                merged.Field(field.Name, field.Value);
            }
        }

        merged.Append("\r\n"u8);
        if (!merged.Ok)
        {
            throw new InvalidOperationException("The merged head outgrew its buffer.");
        }

        return Create(cache, PrimaryKey, secondaryKey, buffer.AsSpan(0, merged.Length), Body, requestTicks, responseTicks);
    }

    private static int Digits(int value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static bool HasUpdatingField(ReadOnlySpan<byte> newFields, ReadOnlySpan<byte> name)
    {
        if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            return false;
        }

        foreach (HeaderField field in new HeaderFieldEnumerator(newFields))
        {
            if (field.NameEquals(name))
            {
                return true;
            }
        }

        return false;
    }

    // Where a value parsed from the stored head lies in the data array.
    private static int Offset(byte[] data, ReadOnlySpan<byte> value, bool present, out int length)
    {
        if (present && !value.IsEmpty && data.AsSpan().Overlaps(value, out int offset))
        {
            length = value.Length;
            return offset;
        }

        length = 0;
        return 0;
    }
}
