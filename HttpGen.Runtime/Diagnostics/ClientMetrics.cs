using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HttpGen.Diagnostics;

/// <summary>
/// The instruments of the <c>HttpGen.Client</c> meter, named after the OpenTelemetry HTTP client semantic conventions:
/// request duration, open connections by state (active/idle) per host, connection duration, time in the pool's queue,
/// plus HttpGen's own queue length and invalid-response counter, and the private cache's hits, misses, revalidations
/// and bytes held (<see cref="HttpGen.Client.HttpGenClientOptions.Cache"/>). Tags carry <c>server.address</c> and
/// <c>server.port</c> (cached per pool); recording checks <see cref="Instrument.Enabled"/> and boxes nothing.
/// </summary>
public static class ClientMetrics
{
    /// <summary>The meter name to listen to.</summary>
    public const string MeterName = "HttpGen.Client";

    private static readonly Meter Meter = new(MeterName, typeof(ClientMetrics).Assembly.GetName().Version?.ToString());

    /// <summary><c>http.client.request.duration</c>: seconds from the send call to the response head (or the failure).</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "http.client.request.duration", "s", "Duration of HTTP client requests.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary><c>http.client.open_connections</c>: connections per host, by <c>http.connection.state</c> (active or idle).</summary>
    public static readonly UpDownCounter<long> OpenConnections = Meter.CreateUpDownCounter<long>(
        "http.client.open_connections", "{connection}", "Number of outbound HTTP connections that are active or idle.");

    /// <summary><c>http.client.connection.duration</c>: seconds a connection stayed open.</summary>
    public static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram<double>(
        "http.client.connection.duration", "s", "Duration of outbound HTTP connections.");

    /// <summary><c>http.client.request.time_in_queue</c>: seconds a request waited for a connection.</summary>
    public static readonly Histogram<double> TimeInQueue = Meter.CreateHistogram<double>(
        "http.client.request.time_in_queue", "s", "Time requests spent waiting for a connection.");

    /// <summary><c>httpgen.client.queued_requests</c>: requests waiting for a connection, per host.</summary>
    public static readonly UpDownCounter<long> QueuedRequests = Meter.CreateUpDownCounter<long>(
        "httpgen.client.queued_requests", "{request}", "Requests waiting for a connection.");

    /// <summary><c>httpgen.client.invalid_responses</c>: malformed responses, by <c>error.type</c> (the parse error kind).</summary>
    public static readonly Counter<long> InvalidResponses = Meter.CreateCounter<long>(
        "httpgen.client.invalid_responses", "{response}", "Responses rejected as malformed.");

    /// <summary>
    /// <c>httpgen.client.cache.hits</c>: requests answered from the client's cache without a network exchange (a
    /// stored response, or a 304 to the caller's own conditional request), per origin.
    /// </summary>
    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "httpgen.client.cache.hits", "{request}", "Requests answered from the client's cache.");

    /// <summary><c>httpgen.client.cache.misses</c>: requests sent to the origin with no stored response to validate, per origin.</summary>
    public static readonly Counter<long> CacheMisses = Meter.CreateCounter<long>(
        "httpgen.client.cache.misses", "{request}", "Requests the client's cache could not answer nor validate.");

    /// <summary>
    /// <c>httpgen.client.cache.revalidations</c>: conditional requests the cache sent to validate stored responses
    /// (in the foreground, or in the background under stale-while-revalidate), per origin.
    /// </summary>
    public static readonly Counter<long> CacheRevalidations = Meter.CreateCounter<long>(
        "httpgen.client.cache.revalidations", "{request}", "Conditional requests sent to validate stored responses.");

    /// <summary><c>httpgen.client.cache.size</c>: bytes held by the caches of the clients alive (each cache counted once).</summary>
    public static readonly ObservableUpDownCounter<long> CacheSize = Meter.CreateObservableUpDownCounter(
        "httpgen.client.cache.size", ObserveCacheSize, "By", "Bytes held by the clients' caches.");

    private static readonly Lock CachesLock = new();
    private static readonly List<WeakReference<Caching.HttpCache>> Caches = [];

    private static readonly object Active = "active";
    private static readonly object Idle = "idle";

    /// <summary>The state a connection is counted in.</summary>
    internal enum State : byte
    {
        None,
        Active,
        Idle,
    }

    /// <summary>Moves a connection from one state to another in <see cref="OpenConnections"/>.</summary>
    internal static void Transition(State from, State to, string host, object port)
    {
        if (from == to || !OpenConnections.Enabled)
        {
            return;
        }

        if (from != State.None)
        {
            OpenConnections.Add(-1, Tags(from, host, port));
        }

        if (to != State.None)
        {
            OpenConnections.Add(1, Tags(to, host, port));
        }
    }

    private static TagList Tags(State state, string host, object port) => new()
    {
        { MetricTags.ConnectionState, state == State.Active ? Active : Idle },
        { MetricTags.ServerAddress, host },
        { MetricTags.ServerPort, port },
    };

    internal static void ConnectionClosed(long openedTimestamp, string host, object port)
    {
        if (ConnectionDuration.Enabled)
        {
            ConnectionDuration.Record(Stopwatch.GetElapsedTime(openedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(MetricTags.ServerAddress, host), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    internal static void Queued(int delta, string host, object port)
    {
        if (QueuedRequests.Enabled)
        {
            QueuedRequests.Add(delta, new KeyValuePair<string, object?>(MetricTags.ServerAddress, host), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    internal static void Dequeued(long queuedTimestamp, string host, object port)
    {
        if (TimeInQueue.Enabled && queuedTimestamp != 0)
        {
            TimeInQueue.Record(Stopwatch.GetElapsedTime(queuedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(MetricTags.ServerAddress, host), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    /// <summary>A start timestamp for <see cref="RequestDuration"/>, or 0 when nothing listens.</summary>
    internal static long Start() => RequestDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    internal static void RequestEnded(long startTimestamp, RequestMethod method, int statusCode, object? errorType, string host, object port)
    {
        if (startTimestamp == 0 || !RequestDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { MetricTags.Method, MetricTags.MethodName(method) },
            { MetricTags.ServerAddress, host },
            { MetricTags.ServerPort, port },
        };
        if (statusCode != 0)
        {
            tags.Add(MetricTags.StatusCode, MetricTags.Status(statusCode));
            tags.Add(MetricTags.ProtocolVersion, "1.1");
        }

        if (errorType is not null)
        {
            tags.Add(MetricTags.ErrorType, errorType);
        }

        RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    internal static void InvalidResponse(ParseErrorKind kind, string host, object port)
    {
        if (InvalidResponses.Enabled)
        {
            InvalidResponses.Add(1, new KeyValuePair<string, object?>(MetricTags.ErrorType, MetricTags.Error(kind)),
                new KeyValuePair<string, object?>(MetricTags.ServerAddress, host), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    /// <summary>How a lookup of the client's cache was counted.</summary>
    internal static void CacheLookup(Caching.CacheAction action, bool background, string host, object port)
    {
        switch (action)
        {
            case Caching.CacheAction.ServeStored or Caching.CacheAction.ServeNotModified:
                Add(CacheHits, host, port);
                if (background)
                {
                    Add(CacheRevalidations, host, port);
                }

                break;
            case Caching.CacheAction.SendConditional:
                Add(CacheRevalidations, host, port);
                break;
            case Caching.CacheAction.Send:
                Add(CacheMisses, host, port);
                break;
        }
    }

    private static void Add(Counter<long> counter, string host, object port)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>(MetricTags.ServerAddress, host), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    /// <summary>Counts <paramref name="cache"/> in <see cref="CacheSize"/> while it is alive (once, however many clients use it).</summary>
    internal static void TrackCache(Caching.HttpCache cache)
    {
        lock (CachesLock)
        {
            Caches.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (WeakReference<Caching.HttpCache> tracked in Caches)
            {
                if (tracked.TryGetTarget(out Caching.HttpCache? other) && ReferenceEquals(other, cache))
                {
                    return;
                }
            }

            Caches.Add(new WeakReference<Caching.HttpCache>(cache));
        }
    }

    private static long ObserveCacheSize()
    {
        long total = 0;
        lock (CachesLock)
        {
            foreach (WeakReference<Caching.HttpCache> tracked in Caches)
            {
                if (tracked.TryGetTarget(out Caching.HttpCache? cache))
                {
                    total += cache.Store.Size;
                }
            }
        }

        return total;
    }
}
