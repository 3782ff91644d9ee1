using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using HttpGen.Client;
using HttpGen.Diagnostics;
using HttpGen.Tests.Client;
using Xunit;

namespace HttpGen.Tests.Diagnostics;

/// <summary>The HttpGen.Client instruments, observed with a MeterListener while real requests run against a raw server.</summary>
public class ClientMetricsTests : ClientTestBase
{
    private sealed record Measurement(string Instrument, double Value, Dictionary<string, object?> Tags);

    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public ClientMetricsTests()
        : base(new HttpGenClientOptions { MaxConnectionsPerHost = 1 })
    {
    }

    // Scoped to one test method: a listener left running would make every later client request allocate.
    private MeterListener Listen()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ClientMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        return listener;
    }

    // Other tests run clients in parallel: keep only this test's origin.
    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dictionary = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            dictionary[tag.Key] = tag.Value;
        }

        if (dictionary.TryGetValue("server.port", out object? port) && port is int p && p == Server.Port)
        {
            _measurements.Enqueue(new Measurement(instrument.Name, value, dictionary));
        }
    }

    private double Sum(string instrument, string? state = null) =>
        _measurements.Where(m => m.Instrument == instrument && (state is null || (string?)m.Tags["http.connection.state"] == state)).Sum(m => m.Value);

    [Fact]
    public async Task Requests_connections_and_the_queue_are_recorded()
    {
        using MeterListener listener = Listen();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await GetAsync("/cl")).Status);
        }

        // One connection allowed: concurrent requests queue behind it.
        Task<(int, string, int?)>[] concurrent = Enumerable.Range(0, 4).Select(_ => GetAsync("/slow")).ToArray();
        await Task.WhenAll(concurrent);

        Measurement[] durations = _measurements.Where(m => m.Instrument == "http.client.request.duration").ToArray();
        Assert.Equal(7, durations.Length);
        Assert.All(durations, d => Assert.Equal((200, "GET", "127.0.0.1"), ((int?)d.Tags["http.response.status_code"], (string?)d.Tags["http.request.method"], (string?)d.Tags["server.address"])));

        // The single connection is idle now: active and idle moves cancel out except for one idle connection.
        Assert.Equal(0, Sum("http.client.open_connections", "active"));
        Assert.Equal(1, Sum("http.client.open_connections", "idle"));
        Assert.Equal(0, Sum("httpgen.client.queued_requests"));
        Assert.True(_measurements.Count(m => m.Instrument == "httpgen.client.queued_requests" && m.Value == 1) >= 1, "some requests queued");
        Assert.True(_measurements.Count(m => m.Instrument == "http.client.request.time_in_queue") >= 1);
    }

    [Fact]
    public async Task Invalid_responses_are_counted_by_error_kind()
    {
        using MeterListener listener = Listen();
        await Assert.ThrowsAsync<HttpResponseException>(() => GetAsync("/dup-cl"));
        Measurement invalid = Assert.Single(_measurements, m => m.Instrument == "httpgen.client.invalid_responses");
        Assert.Equal("DuplicateContentLength", invalid.Tags["error.type"]);
        Measurement failed = Assert.Single(_measurements, m => m.Instrument == "http.client.request.duration");
        Assert.Equal("DuplicateContentLength", failed.Tags["error.type"]);

        // The broken connection was closed: nothing is left open, and its lifetime was recorded.
        Assert.Equal(0, Sum("http.client.open_connections"));
        Assert.Single(_measurements, m => m.Instrument == "http.client.connection.duration");
    }

    [Fact]
    public async Task A_request_whose_method_was_never_set_is_recorded_as_GET()
    {
        using MeterListener listener = Listen();
        var request = new ClientTestRequest { Target = "/cl"u8, Host = Origin.HostHeader.Span };
        Assert.Equal(new HttpGenResult(200, 5), await Client.SendAndReadAsync(Origin, request, new byte[16]));
        Measurement duration = Assert.Single(_measurements, m => m.Instrument == "http.client.request.duration");
        Assert.Equal("GET", duration.Tags["http.request.method"]);
    }

    [Fact]
    public async Task A_connection_taken_over_after_101_leaves_the_connection_counts()
    {
        using MeterListener listener = Listen();
        HttpGenResponse<ClientTestResponse> response = await Client.SendUpgradeAsync(Origin, Request("/upgrade"), "echo");
        Assert.Equal(1, Sum("http.client.open_connections", "active"));
        await using (Stream stream = response.TakeOverConnection())
        {
            Assert.Equal(0, Sum("http.client.open_connections"));
            Assert.Single(_measurements, m => m.Instrument == "http.client.connection.duration");
            Assert.Equal(101, (int?)Assert.Single(_measurements, m => m.Instrument == "http.client.request.duration").Tags["http.response.status_code"]);
        }
    }
}
