using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HttpGen.Diagnostics;
using HttpGen.Tests.Server;
using Xunit;

namespace HttpGen.Tests.Diagnostics;

/// <summary>The HttpGen.Server instruments, observed with a MeterListener while real requests run.</summary>
public class ServerMetricsTests
{
    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    private static MeterListener Listen(ConcurrentQueue<Measurement> sink, int port)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ServerMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dictionary = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                dictionary[tag.Key] = tag.Value;
            }

            // Other tests run servers in parallel: keep this server's measurements (and the untagged gauges).
            if (!dictionary.TryGetValue("server.port", out object? p) || (p is int value2 && value2 == port))
            {
                sink.Enqueue(new Measurement(instrument.Name, value, dictionary));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task Requests_and_rejections_are_recorded_with_their_tags()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        var measurements = new ConcurrentQueue<Measurement>();
        using MeterListener listener = Listen(measurements, server.Port);

        using (RawConnection c = server.Connect())
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\nGET /missing HTTP/1.1\r\nHost: t\r\n\r\nPOST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi");
            for (int i = 0; i < 4; i++)
            {
                c.ReadResponse();
            }
        }

        using (RawConnection bad = server.Connect())
        {
            bad.Send("GET / HTTP/1.1\r\nHost : t\r\n\r\n");
            Assert.Equal(400, bad.ReadResponse().StatusCode);
        }

        await server.WaitForNoConnectionsAsync();

        Measurement[] durations = measurements.Where(m => m.Instrument == "http.server.request.duration").ToArray();
        Assert.Equal(4, durations.Length);
        Assert.All(durations, d => Assert.InRange(d.Value, 0, 5));
        Assert.Equal(2, durations.Count(d => (string?)d.Tags["http.request.method"] == "GET" && (int?)d.Tags["http.response.status_code"] == 200 && (string?)d.Tags["network.protocol.version"] == "1.1"));
        Assert.Single(durations, d => (int?)d.Tags["http.response.status_code"] == 404);
        Assert.Single(durations, d => (string?)d.Tags["http.request.method"] == "POST" && (string?)d.Tags["network.protocol.version"] == "1.0");

        Measurement rejected = Assert.Single(measurements, m => m.Instrument == "httpgen.server.rejected_requests");
        Assert.Equal(("WhitespaceBeforeColon", 1.0), ((string?)rejected.Tags["error.type"], rejected.Value));

        // Every request that started ended; the gauges return to where they were.
        Assert.Equal(0, measurements.Where(m => m.Instrument == "http.server.active_requests").Sum(m => m.Value));
        Assert.Equal(4, measurements.Count(m => m.Instrument == "http.server.active_requests" && m.Value == 1));
    }

    [Fact]
    public async Task Connections_are_counted_and_timed()
    {
        var measurements = new ConcurrentQueue<Measurement>();
        await using RunningServer server = await RunningServer.StartAsync();
        using MeterListener listener = Listen(measurements, server.Port);
        using (RawConnection a = server.Connect())
        using (RawConnection b = server.Connect())
        {
            a.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            b.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            a.ReadResponse();
            b.ReadResponse();
        }

        await server.WaitForNoConnectionsAsync();
        // The connection gauges carry no port tag, so other tests' servers may add to them: look for at least ours.
        Assert.True(measurements.Count(m => m.Instrument == "httpgen.server.active_connections" && m.Value == 1) >= 2);
        Assert.True(measurements.Count(m => m.Instrument == "httpgen.server.connection.duration") >= 2);
    }
    [Fact]
    public async Task TLS_connections_carry_the_protocol_version_and_handshakes_are_timed()
    {
        await using RunningServer server = await RunningServer.StartTlsAsync(o => o.TlsHandshakeTimeout = TimeSpan.FromSeconds(1));
        var measurements = new ConcurrentQueue<Measurement>();
        using MeterListener listener = Listen(measurements, server.TlsPort);

        using (RawConnection c = await server.ConnectTlsAsync(System.Security.Authentication.SslProtocols.Tls12))
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Assert.Equal(200, c.ReadResponse().StatusCode);
        }

        using (var stalled = new RawConnection(server.TlsEndPoint))
        {
            Assert.True(stalled.IsClosedByServer(10_000));
        }

        await server.WaitForNoConnectionsAsync();

        Measurement[] handshakes = measurements.Where(m => m.Instrument == "httpgen.server.tls_handshake.duration").ToArray();
        Assert.Equal(2, handshakes.Length);
        Assert.Single(handshakes, h => (string?)h.Tags.GetValueOrDefault("tls.protocol.version") == "1.2" && !h.Tags.ContainsKey("error.type"));
        Measurement timedOut = Assert.Single(handshakes, h => (string?)h.Tags.GetValueOrDefault("error.type") == "timeout");
        Assert.InRange(timedOut.Value, 0.9, 6);
        Assert.Contains(measurements, m => m.Instrument == "httpgen.server.connection.duration" && (string?)m.Tags.GetValueOrDefault("tls.protocol.version") == "1.2");
    }
}
