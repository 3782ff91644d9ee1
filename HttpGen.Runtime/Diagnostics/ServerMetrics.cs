using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HttpGen.Diagnostics;

/// <summary>
/// The instruments of the <c>HttpGen.Server</c> meter. Names follow the OpenTelemetry HTTP semantic conventions where
/// they define one (<c>http.server.*</c>); connection and rejection instruments are HttpGen's own
/// (<c>httpgen.server.*</c>). Every recording checks <see cref="Instrument.Enabled"/> first, so an unobserved server
/// pays a branch; an observed one boxes nothing (tag values are cached objects).
/// </summary>
public static class ServerMetrics
{
    /// <summary>The meter name to listen to.</summary>
    public const string MeterName = "HttpGen.Server";

    private static readonly Meter Meter = new(MeterName, typeof(ServerMetrics).Assembly.GetName().Version?.ToString());

    /// <summary><c>http.server.request.duration</c>: seconds from a parsed head to its queued response; tags method, status code, protocol version, server port.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "http.server.request.duration", "s", "Duration of HTTP server requests.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary><c>http.server.active_requests</c>: requests being handled; tags method, server port.</summary>
    public static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>(
        "http.server.active_requests", "{request}", "Number of active HTTP server requests.");

    /// <summary><c>httpgen.server.active_connections</c>: open connections.</summary>
    public static readonly UpDownCounter<long> ActiveConnections = Meter.CreateUpDownCounter<long>(
        "httpgen.server.active_connections", "{connection}", "Number of open connections.");

    /// <summary><c>httpgen.server.connection.duration</c>: seconds a connection stayed open; tag <c>tls.protocol.version</c> on TLS connections.</summary>
    public static readonly Histogram<double> ConnectionDuration = Meter.CreateHistogram<double>(
        "httpgen.server.connection.duration", "s", "Duration of connections.");

    /// <summary>
    /// <c>httpgen.server.tls_handshake.duration</c>: seconds a server TLS handshake took; tags <c>tls.protocol.version</c>
    /// (when it succeeded) or <c>error.type</c> (<c>timeout</c>, or the exception's type), and server port.
    /// </summary>
    public static readonly Histogram<double> TlsHandshakeDuration = Meter.CreateHistogram<double>(
        "httpgen.server.tls_handshake.duration", "s", "Duration of TLS handshakes on the server.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    /// <summary><c>httpgen.server.rejected_requests</c>: requests refused for a malformed head or an oversized body; tags error.type, server port.</summary>
    public static readonly Counter<long> RejectedRequests = Meter.CreateCounter<long>(
        "httpgen.server.rejected_requests", "{request}", "Requests rejected before reaching the handler.");

    /// <summary><c>httpgen.server.aborted_on_stop</c>: connections a stop closed because their handlers did not finish within the shutdown timeout; tag server port.</summary>
    public static readonly Counter<long> AbortedConnections = Meter.CreateCounter<long>(
        "httpgen.server.aborted_on_stop", "{connection}", "Connections aborted at shutdown because their requests did not finish in time.");

    internal static void AbortedOnStop(int count, object? port)
    {
        if (count > 0 && AbortedConnections.Enabled)
        {
            AbortedConnections.Add(count, new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    internal static void ConnectionOpened()
    {
        if (ActiveConnections.Enabled)
        {
            ActiveConnections.Add(1);
        }
    }

    internal static void ConnectionClosed(long openedTimestamp, string? tlsProtocolVersion)
    {
        if (ActiveConnections.Enabled)
        {
            ActiveConnections.Add(-1);
        }

        if (ConnectionDuration.Enabled)
        {
            double seconds = Stopwatch.GetElapsedTime(openedTimestamp).TotalSeconds;
            if (tlsProtocolVersion is null)
            {
                ConnectionDuration.Record(seconds);
            }
            else
            {
                ConnectionDuration.Record(seconds, new KeyValuePair<string, object?>(MetricTags.TlsProtocolVersion, tlsProtocolVersion));
            }
        }
    }

    internal static void TlsHandshakeEnded(long startTimestamp, string? tlsProtocolVersion, string? error, object? port)
    {
        if (TlsHandshakeDuration.Enabled)
        {
            TlsHandshakeDuration.Record(
                Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                error is null
                    ? new KeyValuePair<string, object?>(MetricTags.TlsProtocolVersion, tlsProtocolVersion)
                    : new KeyValuePair<string, object?>(MetricTags.ErrorType, error),
                new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }

    /// <summary>Marks a request as started; returns its start timestamp (0 when nothing listens).</summary>
    internal static long RequestStarted(RequestMethod method, object? port)
    {
        if (ActiveRequests.Enabled)
        {
            ActiveRequests.Add(1, new KeyValuePair<string, object?>(MetricTags.Method, MetricTags.MethodName(method)), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }

        return RequestDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
    }

    internal static void RequestEnded(RequestMethod method, int statusCode, ProtocolVersion version, long startTimestamp, object? port)
    {
        if (ActiveRequests.Enabled)
        {
            ActiveRequests.Add(-1, new KeyValuePair<string, object?>(MetricTags.Method, MetricTags.MethodName(method)), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }

        if (startTimestamp != 0 && RequestDuration.Enabled)
        {
            var tags = new TagList
            {
                { MetricTags.Method, MetricTags.MethodName(method) },
                { MetricTags.StatusCode, MetricTags.Status(statusCode) },
                { MetricTags.ProtocolVersion, MetricTags.Version(version) },
                { MetricTags.ServerPort, port },
            };
            RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
        }
    }

    internal static void Rejected(ParseErrorKind kind, object? port)
    {
        if (RejectedRequests.Enabled)
        {
            RejectedRequests.Add(1, new KeyValuePair<string, object?>(MetricTags.ErrorType, MetricTags.Error(kind)), new KeyValuePair<string, object?>(MetricTags.ServerPort, port));
        }
    }
}
