using System.Diagnostics.Metrics;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Diagnostics;
using HttpGen.Tests.Caching;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Client;

/// <summary>
/// A fresh hit through <see cref="HttpGenClient{TRequest, TResponse}.SendAsync(HttpOrigin, TRequest, CancellationToken)"/>
/// (lookup, the stored head parsed into the pooled response, the body read into the caller's buffer, disposal)
/// completes synchronously and allocates nothing at all: measured on the calling thread, it must be 0 bytes.
/// </summary>
[Collection(nameof(ClientAllocationCollection))]
public sealed class ClientCacheAllocationTests(ITestOutputHelper output)
{
    [OptimizedRuntimeTheory]
    [InlineData("", "")]
    [InlineData("Vary: Accept-Encoding\r\n", "gzip, br")]
    public void A_fresh_hit_allocates_nothing(string responseFields, string acceptEncoding)
    {
        var clock = new ManualClock(CacheScenario.T0);
        var cache = new HttpCache(timeProvider: clock);
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { Cache = cache });
        var origin = new HttpOrigin("cache-test.invalid", 8080); // never resolved: every request must be a hit
        Assert.True(CacheRequest.TryParse(System.Text.Encoding.ASCII.GetBytes($"GET /plaintext HTTP/1.1\r\nHost: cache-test.invalid:8080\r\nAccept-Encoding: {acceptEncoding}\r\n\r\n"), "http"u8, out CacheRequest stored));
        byte[] head = System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=3600\r\nETag: \"p1\"\r\n" + responseFields + "\r\n");
        Assert.True(cache.HandleResponse(stored, cache.Lookup(stored), head, "Hello, World!"u8, cache.Now, cache.Now).Status.Stored);
        clock.Time = CacheScenario.T0.AddSeconds(5);

        var request = new ClientTestRequest { Target = "/plaintext"u8, Host = origin.HostHeader.Span };
        if (acceptEncoding.Length > 0)
        {
            request.AcceptEncoding = acceptEncoding;
        }

        byte[] buffer = new byte[64];
        Assert.Equal(13L * 1000, Loop(client, origin, request, buffer, 1000));

        // Three measured rounds: an allocation per hit shows in every round (5,000 hits make it kilobytes), while a
        // one-time one of the runtime's (a method promoted to its next JIT tier mid-loop) can land in one round only.
        long allocated = long.MaxValue;
        for (int round = 0; round < 3 && allocated != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long read = Loop(client, origin, request, buffer, ClientAllocationTests.Iterations);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"round {round + 1}: {bytes} bytes over {ClientAllocationTests.Iterations} hits");
            allocated = Math.Min(allocated, bytes);
            Assert.Equal(13L * ClientAllocationTests.Iterations, read);
        }

        Assert.Equal(0, allocated);
        Assert.Equal(0, client.ConnectionsOpened);
    }

    private long _measurements;

    [OptimizedRuntimeFact]
    public void Same_with_a_metrics_listener_attached()
    {
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ClientMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        listener.Start();
        A_fresh_hit_allocates_nothing("", "");
        Assert.True(Interlocked.Read(ref _measurements) >= ClientAllocationTests.Iterations, "the listener saw every hit");
    }

    // Everything completes synchronously on a hit: no await, so the whole loop runs on this thread.
    private static long Loop(HttpGenClient<ClientTestRequest, ClientTestResponse> client, HttpOrigin origin, ClientTestRequest request, byte[] buffer, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            ValueTask<HttpGenResponse<ClientTestResponse>> sending = client.SendAsync(origin, request);
            if (!sending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("a hit completes synchronously");
            }

            HttpGenResponse<ClientTestResponse> response = sending.Result;
            ValueTask<int> reading = response.ReadToEndAsync(buffer);
            if (!response.IsFromCache || response.StatusCode != 200 || !reading.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("not a hit");
            }

            total += reading.Result;
            ValueTask disposing = response.DisposeAsync();
            if (!disposing.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("disposal of a hit completes synchronously");
            }
        }

        return total;
    }
}

/// <summary>A theory that needs an optimized HttpGen.Runtime, like <see cref="OptimizedRuntimeFactAttribute"/>.</summary>
public sealed class OptimizedRuntimeTheoryAttribute : TheoryAttribute
{
    public OptimizedRuntimeTheoryAttribute()
    {
        Skip = new OptimizedRuntimeFactAttribute().Skip;
    }
}
