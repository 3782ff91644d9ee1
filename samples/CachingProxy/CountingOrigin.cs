using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using HttpGen;
using HttpGen.Server;

namespace CachingProxy;

/// <summary>What the demo origin reads from a request.</summary>
[HttpRequest(EnumerateAllHeaders = true)]
public partial class OriginRequest
{
    [HttpHeader("If-None-Match")] public partial ReadOnlySpan<byte> IfNoneMatch { get; }
    [HttpHeader("If-Modified-Since")] public partial DateTimeOffset? IfModifiedSince { get; }
}

/// <summary>What the demo origin writes: every field is an extra header.</summary>
[HttpResponse]
public partial class OriginResponse
{
}

/// <summary>
/// An origin to put behind the proxy (for the tests, the benchmark and trying it out): it counts the requests it gets
/// per target and answers with the caching headers its query asks for, so that what the proxy stores and validates
/// can be watched from the outside.
/// </summary>
/// <remarks>
/// Query parameters of any path: <c>max-age</c>, <c>s-maxage</c>, <c>swr</c> (stale-while-revalidate), <c>sie</c>
/// (stale-if-error), and the flags <c>public</c>, <c>private</c>, <c>no-store</c>, <c>no-cache</c>,
/// <c>must-revalidate</c> make the Cache-Control field; <c>etag=x</c> sends <c>ETag: "x"</c> and answers a matching
/// If-None-Match with 304; <c>lm=n</c> sends a Last-Modified n seconds ago (and answers If-Modified-Since); <c>vary=name</c>
/// sends <c>Vary: name</c> and puts the request's value in the body; <c>size=n</c> sends n bytes (streamed, any size);
/// <c>chunked</c> streams the body chunked; <c>status=n</c>, <c>delay=ms</c>, <c>age=n</c>, <c>date=±n</c> (Date n seconds
/// from now). Without a body size, the body is <c>origin:/path?query#n</c>, n the count of requests for that target.
/// <c>/headers</c> answers with the request's header lines (never stored); <c>/echo</c> with the request's body (and the
/// caching fields asked for), as it reads it; <c>/upload</c> reads the whole body, then says how long it was. The request counts
/// are in <see cref="Hits"/> and at <c>/__hits?target</c>.
/// </remarks>
public sealed class CountingOrigin : IHttpHandler<OriginRequest, OriginResponse>, IAsyncDisposable
{
    private static readonly byte[] Alphabet = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz", 2600)));
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private HttpServer<OriginRequest, OriginResponse>? _server;
    private int _total;

    /// <summary>Requests received, all targets.</summary>
    public int TotalHits => Volatile.Read(ref _total);

    /// <summary>The port it listens on, once started.</summary>
    public int Port => _server!.LocalEndPoints[0].Port;

    /// <summary>Requests received for <paramref name="target"/> (path and query, as sent).</summary>
    public int Hits(string target) => _hits.TryGetValue(target, out int n) ? n : 0;

    /// <summary>Listens on loopback (port 0: any free port).</summary>
    public async Task<CountingOrigin> StartAsync(int port = 0, IPAddress? address = null)
    {
        var options = new HttpServerOptions { MaxRequestBodySize = long.MaxValue };
        options.Endpoints.Add(new IPEndPoint(address ?? IPAddress.Loopback, port));
        _server = new HttpServer<OriginRequest, OriginResponse>(options, this);
        await _server.StartAsync().ConfigureAwait(false);
        return this;
    }

    /// <inheritdoc/>
    public async ValueTask HandleAsync(OriginRequest request, OriginResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        string target = Encoding.ASCII.GetString(request.Target);
        int count = _hits.AddOrUpdate(target, 1, static (_, n) => n + 1);
        Interlocked.Increment(ref _total);
        string path = Encoding.ASCII.GetString(request.Path);
        Dictionary<string, string> query = Parse(Encoding.ASCII.GetString(request.Query));
        HeaderList fields = response.ExtraHeaders;

        if (path == "/__hits")
        {
            fields.Add("Cache-Control", "no-store");
            responseBody.Write(Encoding.ASCII.GetBytes(Hits(Uri.UnescapeDataString(request.Query.IsEmpty ? "/" : Encoding.ASCII.GetString(request.Query))).ToString(CultureInfo.InvariantCulture)));
            return;
        }

        if (query.TryGetValue("delay", out string? delay))
        {
            await Task.Delay(int.Parse(delay, CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        }

        if (path == "/headers")
        {
            fields.Add("Cache-Control", "no-store");
            responseBody.Write(HeaderBlock(request));
            return;
        }

        AddCachingFields(query, fields, out string? etag, out DateTimeOffset? lastModified);
        if (path == "/upload")
        {
            long received = await CountAsync(requestBody, cancellationToken).ConfigureAwait(false);
            responseBody.Write(Encoding.ASCII.GetBytes("received " + received.ToString(CultureInfo.InvariantCulture)));
            return;
        }

        if (path == "/echo")
        {
            await EchoAsync(requestBody, responseBody, cancellationToken).ConfigureAwait(false);
            return;
        }

        response.StatusCode = query.TryGetValue("status", out string? status) ? int.Parse(status, CultureInfo.InvariantCulture) : 200;
        if (NotModified(request, etag, lastModified))
        {
            response.StatusCode = 304;
            return;
        }

        if (query.TryGetValue("vary", out string? vary))
        {
            fields.Add("Vary", vary);
        }

        if (!query.TryGetValue("size", out string? size))
        {
            string varied = vary is null ? "" : " " + vary + "=" + HeaderValueOf(request, vary);
            responseBody.Write(Encoding.ASCII.GetBytes($"origin:{target}#{count}{varied}"));
            return;
        }

        await WriteBodyAsync(long.Parse(size, CultureInfo.InvariantCulture), query.ContainsKey("chunked"), response, responseBody, cancellationToken).ConfigureAwait(false);
    }

    private static void AddCachingFields(Dictionary<string, string> query, HeaderList fields, out string? etag, out DateTimeOffset? lastModified)
    {
        var directives = new List<string>();
        foreach ((string name, string directive) in new[] { ("max-age", "max-age"), ("s-maxage", "s-maxage"), ("swr", "stale-while-revalidate"), ("sie", "stale-if-error") })
        {
            if (query.TryGetValue(name, out string? seconds))
            {
                directives.Add(directive + "=" + seconds);
            }
        }

        directives.AddRange(new[] { "public", "private", "no-store", "no-cache", "must-revalidate" }.Where(query.ContainsKey));
        if (directives.Count > 0)
        {
            fields.Add("Cache-Control", string.Join(", ", directives));
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (query.TryGetValue("date", out string? offset))
        {
            fields.Add("Date", Http(now.AddSeconds(int.Parse(offset, CultureInfo.InvariantCulture))));
        }

        if (query.TryGetValue("age", out string? age))
        {
            fields.Add("Age", age);
        }

        etag = query.TryGetValue("etag", out string? tag) ? "\"" + tag + "\"" : null;
        if (etag is not null)
        {
            fields.Add("ETag", etag);
        }

        lastModified = query.TryGetValue("lm", out string? ago) ? now.AddSeconds(-int.Parse(ago, CultureInfo.InvariantCulture)) : null;
        if (lastModified is { } modified)
        {
            fields.Add("Last-Modified", Http(modified));
        }
    }

    // RFC 9110 §13.1.2, §13.1.3: If-None-Match (any listed tag, weak comparison) takes precedence over If-Modified-Since.
    private static bool NotModified(OriginRequest request, string? etag, DateTimeOffset? lastModified)
    {
        ReadOnlySpan<byte> ifNoneMatch = request.IfNoneMatch;
        if (!ifNoneMatch.IsEmpty)
        {
            return etag is not null && Encoding.ASCII.GetString(ifNoneMatch).Split(',').Any(t => t.Trim().Replace("W/", "") == etag);
        }

        return lastModified is { } modified && request.IfModifiedSince is { } since && modified.AddSeconds(-1) <= since;
    }

    // A body of any size, from a fixed block: with Content-Length (streamed once past the server's buffer) or chunked.
    private static async ValueTask WriteBodyAsync(long size, bool chunked, OriginResponse response, HttpResponseBody output, CancellationToken cancellationToken)
    {
        if (chunked)
        {
            await output.FlushAsync(cancellationToken).ConfigureAwait(false); // the head goes now: the body is chunked
        }
        else
        {
            response.BodyFraming = new BodyFraming(BodyKind.ContentLength, size);
        }

        for (long sent = 0; sent < size;)
        {
            int n = (int)Math.Min(size - sent, 64 * 1024);
            await output.WriteAsync(Alphabet.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            sent += n;
        }
    }

    private static async ValueTask EchoAsync(HttpRequestBody body, HttpResponseBody output, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<long> CountAsync(HttpRequestBody body, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += n;
        }

        return total;
    }

    private static string HeaderValueOf(OriginRequest request, string name)
    {
        foreach (HeaderField field in request.Headers)
        {
            if (field.NameEquals(Encoding.ASCII.GetBytes(name)))
            {
                return Encoding.Latin1.GetString(field.Value);
            }
        }

        return "";
    }

    private static ReadOnlySpan<byte> HeaderBlock<TRequest>(TRequest request)
        where TRequest : class, IHttpRequestHead<TRequest> => TRequest.State(request).HeaderBlock;

    private static string Http(DateTimeOffset time) => time.ToString("r", CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Parse(string query) => query.Length == 0
        ? []
        : query.Split('&').Select(p => p.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First().Length > 1 ? Uri.UnescapeDataString(g.First()[1]) : "");

    /// <summary>Stops listening.</summary>
    /// <returns>A task that completes once stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
