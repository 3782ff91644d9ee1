using System.Text;
using HttpGen.Formatting;

namespace HttpGen.Caching;

/// <summary>What the caller does next, as decided by <see cref="HttpCache"/>.</summary>
public enum CacheAction : byte
{
    /// <summary>Nothing decided (a <c>default</c> result).</summary>
    None = 0,

    /// <summary>
    /// Answer with the stored response: <see cref="CacheResult.TryWriteHead"/> writes its head with Age and
    /// Cache-Status, <see cref="CacheResult.Body"/> is its body (empty for HEAD). When
    /// <see cref="CacheResult.RevalidateInBackground"/> is set, also send the conditional request afterwards.
    /// </summary>
    ServeStored,

    /// <summary>Answer 304 Not Modified: the request's own conditions matched the stored response (RFC 9111 §4.3.2).</summary>
    ServeNotModified,

    /// <summary>Answer 504 Gateway Timeout: <c>only-if-cached</c> with nothing usable, or the origin failed with no stale response allowed.</summary>
    ServeGatewayTimeout,

    /// <summary>
    /// Send the request with the conditional fields <see cref="CacheResult.TryWriteConditionalFields"/> writes (its
    /// stored responses are stale or must be validated), then pass the response to <see cref="HttpCache.HandleResponse"/>.
    /// </summary>
    SendConditional,

    /// <summary>Send the request as it is (without conditional fields added), then pass the response to <see cref="HttpCache.HandleResponse"/>.</summary>
    Send,

    /// <summary>After <see cref="HttpCache.HandleResponse"/>: answer with the origin's response, adding the Cache-Status of <see cref="CacheResult.Status"/>.</summary>
    ServeOriginResponse,
}

/// <summary>
/// A decision of <see cref="HttpCache"/>: the action, the stored response it concerns, the Age to present and the
/// Cache-Status value, and the writers for the outgoing head and the conditional request fields. A small struct: keep it
/// across the request's awaits and give it back to <see cref="HttpCache.HandleResponse"/>.
/// </summary>
public readonly struct CacheResult
{
    private readonly HttpCache? _cache;
    private readonly ReadOnlyMemory<CachedResponse> _candidates;

    internal CacheResult(HttpCache cache, CacheAction action, CachedResponse? response, ReadOnlyMemory<CachedResponse> candidates, bool isHead, long ageSeconds, CacheStatus status, bool revalidate)
    {
        _cache = cache;
        Action = action;
        Response = response;
        _candidates = candidates;
        IsHead = isHead;
        AgeSeconds = ageSeconds;
        Status = status;
        RevalidateInBackground = revalidate;
    }

    /// <summary>What to do.</summary>
    public CacheAction Action { get; }

    /// <summary>The stored response concerned: served, validated, or the stale one kept for stale-if-error; null on a miss.</summary>
    public CachedResponse? Response { get; }

    /// <summary>The Cache-Status parameters (<c>with</c> them, e.g. to set <see cref="CacheStatus.Collapsed"/>).</summary>
    public CacheStatus Status { get; init; }

    /// <summary>Whether the request is a HEAD request: the answer has no body.</summary>
    public bool IsHead { get; }

    /// <summary>The Age value to present, in seconds (RFC 9111 §4.2.3 current_age), for stored answers.</summary>
    public long AgeSeconds { get; }

    /// <summary>
    /// Set with <see cref="CacheAction.ServeStored"/> when the response was served stale under stale-while-revalidate
    /// (RFC 5861 §3): send the conditional request too and hand its response to <see cref="HttpCache.HandleResponse"/>.
    /// </summary>
    public bool RevalidateInBackground { get; }

    /// <summary>The stored head to parse with a generated response type: status line and fields, no Age. Empty when nothing is served from the cache.</summary>
    public ReadOnlyMemory<byte> Head => Action == CacheAction.ServeStored && Response is { } r ? r.Head : default;

    /// <summary>The body to send after the head: the stored body on <see cref="CacheAction.ServeStored"/> for GET; otherwise empty.</summary>
    public ReadOnlyMemory<byte> Body => Action == CacheAction.ServeStored && !IsHead && Response is { } r ? r.Body : default;

    /// <summary>The most bytes <see cref="TryWriteHead"/> writes, besides the extra fields.</summary>
    public int MaxHeadLength => (Response?.Head.Length ?? 0) + 256 + (_cache?.EncodedName.Length ?? 0);

    /// <summary>
    /// Writes the head of the cache's answer into <paramref name="destination"/>: for <see cref="CacheAction.ServeStored"/>
    /// the stored head with <c>Age</c> and <c>Cache-Status</c> added; for <see cref="CacheAction.ServeNotModified"/> a
    /// 304 with the stored fields a 304 carries (RFC 9110 §15.4.5); for <see cref="CacheAction.ServeGatewayTimeout"/> an
    /// empty 504. Then <paramref name="extraFields"/> (whole lines such as <c>Connection: close\r\n</c>) and the blank line.
    /// </summary>
    /// <param name="destination">Where to write; <see cref="MaxHeadLength"/> plus the extra fields is always enough.</param>
    /// <param name="extraFields">Header lines to add, each ending in CRLF; may be empty.</param>
    /// <param name="bytesWritten">The head's length; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    /// <exception cref="InvalidOperationException">The action has no head of the cache's own to write.</exception>
    public bool TryWriteHead(Span<byte> destination, ReadOnlySpan<byte> extraFields, out int bytesWritten)
    {
        bytesWritten = 0;
        if (_cache is null || Action is not (CacheAction.ServeStored or CacheAction.ServeNotModified or CacheAction.ServeGatewayTimeout))
        {
            throw new InvalidOperationException($"A {Action} result has no head of the cache's own: forward the request or the origin's response.");
        }

        var w = new ByteAppender(destination);
        if (Action == CacheAction.ServeStored)
        {
            ReadOnlySpan<byte> head = Response!.Head.Span;
            w.Append(head[..^2]); // without the blank line
            WriteAge(ref w);
        }
        else if (Action == CacheAction.ServeNotModified)
        {
            w.Append("HTTP/1.1 304 Not Modified\r\n"u8);
            FieldScan.TryReadStatusLine(Response!.Head.Span, out _, out _, out ReadOnlySpan<byte> fields);
            foreach (HeaderField field in new HeaderFieldEnumerator(fields))
            {
                if (IsNotModifiedField(field.Name))
                {
                    w.Field(field.Name, field.Value);
                }
            }

            WriteAge(ref w);
        }
        else
        {
            w.Append("HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\nDate: "u8);
            Span<byte> date = stackalloc byte[HttpDate.FormattedLength];
            HttpDate.TryFormat(_cache.Now, date, out _);
            w.Append(date);
            w.Append("\r\n"u8);
        }

        w.Append("Cache-Status: "u8);
        w.Advance(Status.TryFormat(_cache.EncodedName, w.Rest, out int statusLength), statusLength);

        w.Append("\r\n"u8);
        w.Append(extraFields);
        w.Append("\r\n"u8);
        return w.Finish(out bytesWritten);
    }

    /// <summary>Writes the Cache-Status value alone (this cache's list member), for a caller that writes the head itself.</summary>
    /// <param name="destination">Where to write (128 bytes plus the cache name is always enough).</param>
    /// <param name="bytesWritten">The length written; 0 when it did not fit.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TryWriteCacheStatus(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        return _cache is not null && Status.TryFormat(_cache.EncodedName, destination, out bytesWritten);
    }

    /// <summary>
    /// Writes the conditional request fields for validation (RFC 9111 §4.3.1): <c>If-None-Match</c> with the entity
    /// tags of the stored responses being validated, and <c>If-Modified-Since</c> with the Last-Modified of a single
    /// one. Each line ends in CRLF; nothing is written when there is nothing to validate.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The length written.</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TryWriteConditionalFields(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        var w = new ByteAppender(destination);
        if (HasETagToValidate)
        {
            w.Append("If-None-Match: "u8);
            w.Advance(TryWriteIfNoneMatch(w.Rest, out int tagsLength), tagsLength);
            w.Append("\r\n"u8);
        }

        ReadOnlySpan<byte> since = IfModifiedSince;
        if (!since.IsEmpty)
        {
            w.Field("If-Modified-Since"u8, since);
        }

        return w.Finish(out bytesWritten);
    }

    /// <summary>The If-None-Match value for validation: the distinct entity tags of the responses being validated.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="bytesWritten">The length written (0 when no response being validated has an entity tag).</param>
    /// <returns>False when <paramref name="destination"/> is too small.</returns>
    public bool TryWriteIfNoneMatch(Span<byte> destination, out int bytesWritten)
    {
        var w = new ByteAppender(destination);
        if (!IsValidating)
        {
        }
        else if (Response is not null)
        {
            w.Append(Response.RawETag);
        }
        else
        {
            ReadOnlySpan<CachedResponse> candidates = _candidates.Span;
            for (int i = 0; i < candidates.Length; i++)
            {
                ReadOnlySpan<byte> tag = candidates[i].RawETag;
                if (!tag.IsEmpty && !Seen(candidates[..i], tag))
                {
                    w.Append(w.Length > 0 ? ", "u8 : default);
                    w.Append(tag);
                }
            }
        }

        return w.Finish(out bytesWritten);
    }

    /// <summary>The If-Modified-Since value for validation: the Last-Modified of the one response being validated; empty otherwise.</summary>
    public ReadOnlySpan<byte> IfModifiedSince =>
        !IsValidating ? default
        : Response is not null ? Response.LastModified
        : _candidates.Length == 1 ? _candidates.Span[0].LastModified : default;

    private bool IsValidating => Action is CacheAction.SendConditional || (Action == CacheAction.ServeStored && RevalidateInBackground);

    private bool HasETagToValidate
    {
        get
        {
            if (!IsValidating)
            {
                return false;
            }

            if (Response is not null)
            {
                return Response.HasETag;
            }

            foreach (CachedResponse r in _candidates.Span)
            {
                if (r.HasETag)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static bool Seen(ReadOnlySpan<CachedResponse> earlier, ReadOnlySpan<byte> tag)
    {
        foreach (CachedResponse r in earlier)
        {
            if (r.RawETag.SequenceEqual(tag))
            {
                return true;
            }
        }

        return false;
    }

    // RFC 9110 §15.4.5: a 304 carries the fields a 200 would have among these, plus Last-Modified to guide caches.
    private static bool IsNotModifiedField(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "Cache-Control"u8) || Ascii.EqualsIgnoreCase(name, "Content-Location"u8) || Ascii.EqualsIgnoreCase(name, "Date"u8)
        || Ascii.EqualsIgnoreCase(name, "ETag"u8) || Ascii.EqualsIgnoreCase(name, "Expires"u8) || Ascii.EqualsIgnoreCase(name, "Vary"u8)
        || Ascii.EqualsIgnoreCase(name, "Last-Modified"u8);

    private void WriteAge(ref ByteAppender w)
    {
        w.Append("Age: "u8);
        w.Number(AgeSeconds);
        w.Append("\r\n"u8);
    }
}
