using System.Net.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Server;

/// <summary>Tests that measure the whole process run alone, after the parallel ones: other tests would allocate too.</summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements
{
}

/// <summary>A keep-alive connection serving a fixed body allocates (almost) nothing per request, server side included.</summary>
[Collection(nameof(ProcessWideMeasurements))]
public class ServerAllocationTests(ITestOutputHelper output)
{
    private long _measurements;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keep_alive_plaintext_allocates_under_64_bytes_per_request(bool metricsListener)
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HttpGen.Diagnostics.ServerMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        if (metricsListener)
        {
            // A listener that itself allocates nothing, so that what is measured is the recording side.
            listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
            listener.Start();
        }

        using var socket = new Socket(server.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(server.EndPoint);
        byte[] request = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n"u8.ToArray();
        byte[] buffer = new byte[4096];

        // The response has a fixed length (the Date line always has the same length): learn it once.
        socket.Send(request);
        int responseLength = socket.Receive(buffer);
        Assert.EndsWith("Hello, World!", System.Text.Encoding.ASCII.GetString(buffer, 0, responseLength));

        void RoundTrips(int count)
        {
            for (int i = 0; i < count; i++)
            {
                socket.Send(request);
                int received = 0;
                while (received < responseLength)
                {
                    received += socket.Receive(buffer, received, responseLength - received, SocketFlags.None);
                }
            }
        }

        RoundTrips(2000); // warm up: JIT, tiering, pools
        const int Requests = 10_000;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RoundTrips(Requests);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        double perRequest = (double)allocated / Requests;
        output.WriteLine($"{allocated} bytes over {Requests} requests: {perRequest:F1} B/request (whole process, both sides; metrics listener: {metricsListener})");
        Assert.Equal(metricsListener, Interlocked.Read(ref _measurements) >= 3 * Requests);

        // In a Debug build the C# compiler emits async state machines as classes (for Edit and Continue), so every
        // call of an async method allocates one; the goal applies to optimized builds, which CI runs (-c Release).
        bool optimized = typeof(HttpGen.Server.HttpServerOptions).Assembly
            .GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .Cast<System.Diagnostics.DebuggableAttribute>().All(a => !a.IsJITOptimizerDisabled);
        double limit = optimized ? 64 : 1024;
        Assert.True(perRequest < limit, $"{perRequest:F1} B/request (limit {limit} for an {(optimized ? "optimized" : "unoptimized")} build)");
    }
}
