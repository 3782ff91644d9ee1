using System.Buffers;
using System.Runtime.CompilerServices;
using HttpGen;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Server;

namespace CachingProxy;

/// <summary>The proxy's way to the origin: the upstream request, its response passed on and stored, errors mapped.</summary>
public sealed partial class ProxyHandler
{
    private const int BodyBufferSize = 64 * 1024;

    private readonly Lock _spareLock = new();
    private readonly Stack<Forwarding> _spares = new();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForwardAsync(ProxyRequest request, ProxyResponse response, HttpRequestBody requestBody, HttpResponseBody output, CacheResult lookup, CancellationToken cancellationToken)
    {
        Forwarding forwarding = Rent();
        forwarding.Parts.Copy(request, _defaultAuthority); // before the body is read: that reuses the head's buffer
        if (request.Method is RequestMethod.Options or RequestMethod.Trace && Fields.IsLastHop(forwarding.Parts.HeaderBlock))
        {
            AnswerLastHop(request.Method, forwarding.Parts, lookup, response, output);
            Return(forwarding);
            return;
        }

        BodyFraming framing = TRequestState.Framing(request);
        byte[] via = request.Version == ProtocolVersion.Http10 ? _via10 : _via11;
        bool isHead = request.Method == RequestMethod.Head;
        CancellationTokenRegistration linked = cancellationToken.UnsafeRegister(static s => ((Forwarding)s!).Cancel(), forwarding);
        try
        {
            for (bool retried = false; ; retried = true)
            {
                forwarding.Prepare(lookup, via);
                HttpRequestContent content = retried ? default : Content(framing, requestBody);
                DateTimeOffset sent = _cache.Now;
                HttpGenResponse<UpstreamResponse> upstream;
                forwarding.Arm(_options.UpstreamTimeout);
                try
                {
                    Interlocked.Increment(ref _forwarded);
                    upstream = await _client.SendAsync(_options.Upstream, forwarding.Upstream, content, Timeout.InfiniteTimeSpan, forwarding.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpGenClientException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    // Unreachable, too slow, or not HTTP: a stale response if stale-if-error allows, else 502 or 504.
                    CacheResult failed = _cache.HandleFailure(forwarding.Parts.Cache, lookup);
                    if (failed.Action == CacheAction.ServeStored)
                    {
                        await Serve(failed, response, output).ConfigureAwait(false);
                        return;
                    }

                    bool timeout = e is OperationCanceledException || e is HttpGenClientException { Kind: HttpClientErrorKind.ConnectTimeout or HttpClientErrorKind.QueueTimeout or HttpClientErrorKind.RequestTimeout };
                    Fail(timeout ? 504 : 502, timeout ? "upstream timed out" : "bad gateway: " + e.Message, failed, response, output);
                    return;
                }

                forwarding.Disarm();
                try
                {
                    UpstreamResponse head = upstream.Head;
                    CacheResult answer = HandleResponseHead(forwarding, lookup, head, sent, out PendingCacheEntry? pending);
                    if (answer.Action == CacheAction.ServeStored)
                    {
                        await Serve(answer, response, output).ConfigureAwait(false); // validated by a 304, or stale-if-error
                        return;
                    }

                    if (answer.Action == CacheAction.Send && !retried)
                    {
                        lookup = answer; // a 304 that named no stored response: once more, unconditionally
                        continue;
                    }

                    PassOn(head, answer, response, isHead);
                    await StreamBodyAsync(forwarding, upstream, output, pending, cancellationToken).ConfigureAwait(false);
                    return;
                }
                finally
                {
                    await upstream.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        finally
        {
            linked.Dispose();
            Return(forwarding);
        }
    }

    /// <summary>Gives the origin's response head to the cache: what to answer, and the entry that takes the body when it is to be stored.</summary>
    private CacheResult HandleResponseHead(Forwarding forwarding, in CacheResult lookup, UpstreamResponse head, DateTimeOffset sent, out PendingCacheEntry? pending)
    {
        ReadOnlySpan<byte> block = THead.Block(head);
        Span<byte> raw = forwarding.HeadBuffer(block.Length + head.ReasonPhrase.Length + 16);
        int length = Fields.WriteHead(head.StatusCode, head.ReasonPhrase, block, raw);
        return _cache.HandleResponseHead(forwarding.Parts.Cache, lookup, raw[..length], sent, _cache.Now, out pending);
    }

    /// <summary>
    /// An OPTIONS or TRACE with <c>Max-Forwards: 0</c> is the proxy's to answer (RFC 9110 §7.6.2): OPTIONS with an empty
    /// 200, TRACE with the request as received (§9.3.8), without the fields that carry credentials.
    /// </summary>
    private void AnswerLastHop(RequestMethod method, RequestParts parts, in CacheResult lookup, ProxyResponse response, HttpResponseBody output)
    {
        response.ExtraHeaders.Add("Via"u8, _via11);
        AddCacheStatus(lookup, response);
        if (method == RequestMethod.Options)
        {
            return;
        }

        response.ExtraHeaders.Add("Content-Type"u8, "message/http"u8);
        output.Write(parts.Method);
        output.Write(" "u8);
        output.Write(parts.PathAndQuery);
        output.Write(" HTTP/1.1\r\n"u8);
        foreach (HeaderField field in new HeaderFieldEnumerator(parts.HeaderBlock))
        {
            if (!field.NameEquals("Authorization"u8) && !field.NameEquals("Proxy-Authorization"u8) && !field.NameEquals("Cookie"u8))
            {
                output.Write(field.Name);
                output.Write(": "u8);
                output.Write(field.Value);
                output.Write("\r\n"u8);
            }
        }

        output.Write("\r\n"u8);
    }

    /// <summary>The origin's status, reason and end-to-end fields on the proxy's response, with Via and Cache-Status; its framing.</summary>
    private void PassOn(UpstreamResponse head, in CacheResult answer, ProxyResponse response, bool isHead)
    {
        int status = head.StatusCode;
        response.StatusCode = status;
        if (!head.ReasonPhrase.IsEmpty)
        {
            response.ReasonPhrase = head.ReasonPhrase;
        }

        Fields.CopyResponseFields(THead.Block(head), response.ExtraHeaders);
        response.ExtraHeaders.Add("Via"u8, head.Version == ProtocolVersion.Http10 ? _via10 : _via11);
        AddCacheStatus(answer, response);
        BodyFraming framing = head.BodyFraming;
        if (ReasonPhrases.ForbidsBody(status))
        {
            return;
        }

        // A length known in advance goes on as Content-Length (also for HEAD); otherwise the server chooses.
        if (framing.Kind == BodyKind.ContentLength)
        {
            response.BodyFraming = framing;
        }
        else if (isHead && head.ContentLength is long length)
        {
            response.BodyFraming = new BodyFraming(BodyKind.ContentLength, length);
        }
    }

    /// <summary>
    /// Streams the origin's body to the client (none for a background revalidation) through one pooled buffer, so a
    /// body of any size holds bounded memory, appending it to the cache's entry as it goes; the entry is stored once
    /// the body is complete.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StreamBodyAsync(Forwarding forwarding, HttpGenResponse<UpstreamResponse> upstream, HttpResponseBody? output, PendingCacheEntry? pending, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            while (true)
            {
                // The timer runs only while a read waits: one served from what is buffered costs no timer operation.
                ValueTask<int> read = upstream.ReadAsync(buffer);
                int n;
                if (read.IsCompletedSuccessfully)
                {
                    n = read.Result;
                }
                else
                {
                    forwarding.Arm(_options.UpstreamTimeout);
                    n = await read.ConfigureAwait(false);
                    forwarding.Disarm();
                }

                if (n == 0)
                {
                    break;
                }

                if (pending is not null && !pending.Append(buffer.AsSpan(0, n)))
                {
                    pending = null; // larger than the entry size after all: it goes on unstored
                }

                if (output is not null)
                {
                    await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
            }

            pending?.Complete();
            pending = null;
        }
        finally
        {
            pending?.Abandon();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The client's body, streamed to the origin as it is read; none when the request has none.</summary>
    private static HttpRequestContent Content(BodyFraming framing, HttpRequestBody body) => framing.Kind switch
    {
        BodyKind.ContentLength when framing.ContentLength > 0 => HttpRequestContent.FromWriter((writer, ct) => CopyBodyAsync(body, writer, ct), framing.ContentLength),
        BodyKind.Chunked => HttpRequestContent.FromWriter((writer, ct) => CopyBodyAsync(body, writer, ct)),
        _ => default,
    };

    private static async ValueTask CopyBodyAsync(HttpRequestBody body, HttpRequestBodyWriter writer, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BodyBufferSize);
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Forwarding Rent()
    {
        lock (_spareLock)
        {
            if (_spares.TryPop(out Forwarding? spare))
            {
                return spare;
            }
        }

        return new Forwarding();
    }

    private void Return(Forwarding forwarding)
    {
        if (!forwarding.TryReset())
        {
            return;
        }

        lock (_spareLock)
        {
            if (_spares.Count < 256)
            {
                _spares.Push(forwarding);
            }
        }
    }

    /// <summary>The state of one request on its way to the origin: its parts, the upstream message, buffers, a timer.</summary>
    private sealed class Forwarding
    {
        private byte[] _head = new byte[2048];
        private CancellationTokenSource _timer = new();

        public RequestParts Parts { get; } = new();

        public UpstreamRequest Upstream { get; } = new();

        public CancellationToken Token => _timer.Token;

        /// <summary>Builds the upstream request: method, target, forwarded fields, Via, and the cache's conditional fields.</summary>
        public void Prepare(in CacheResult lookup, byte[] via)
        {
            Upstream.Reset();
            Upstream.RawMethod = Parts.Method;
            Upstream.Target = Parts.PathAndQuery;
            Fields.CopyRequestFields(Parts.HeaderBlock, Upstream.ExtraHeaders, countDown: Upstream.Method is RequestMethod.Options or RequestMethod.Trace);
            Upstream.ExtraHeaders.Add("Via"u8, via);
            if (lookup.Action == CacheAction.SendConditional || lookup.RevalidateInBackground)
            {
                Span<byte> fields = HeadBuffer(4096);
                lookup.TryWriteConditionalFields(fields, out int length);
                Fields.CopyRequestFields(fields[..length], Upstream.ExtraHeaders);
            }
        }

        public Span<byte> HeadBuffer(int size)
        {
            if (_head.Length < size)
            {
                _head = new byte[Math.Max(size, 2 * _head.Length)];
            }

            return _head;
        }

        public void Arm(TimeSpan timeout) => _timer.CancelAfter(timeout);

        public void Disarm() => _timer.CancelAfter(Timeout.InfiniteTimeSpan);

        public void Cancel()
        {
            try
            {
                _timer.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose() => _timer.Dispose();

        /// <summary>Ready for the next request; false when its timer fired (it is disposed then).</summary>
        public bool TryReset()
        {
            if (_timer.TryReset())
            {
                return true;
            }

            _timer.Dispose();
            return false;
        }
    }
}

/// <summary>Reaches the parse state of a generated type (its static abstract members need a generic context).</summary>
internal static class TRequestState
{
    public static BodyFraming Framing<TRequest>(TRequest request)
        where TRequest : class, IHttpRequestHead<TRequest> => TRequest.State(request).Framing;
}

/// <summary>The header block of a parsed response.</summary>
internal static class THead
{
    public static ReadOnlySpan<byte> Block<TResponse>(TResponse response)
        where TResponse : class, IHttpResponseHead<TResponse> => TResponse.State(response).HeaderBlock;
}
