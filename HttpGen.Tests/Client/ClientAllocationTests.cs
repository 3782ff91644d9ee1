using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using HttpGen.Client;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Client;

/// <summary>
/// A fact that needs an optimized HttpGen.Runtime: in a Debug build the compiler emits async state machines as classes,
/// so every async call allocates one by design, whatever the code does. .ci/run tests the Release build.
/// </summary>
public sealed class OptimizedRuntimeFactAttribute : FactAttribute
{
    public OptimizedRuntimeFactAttribute()
    {
        DebuggableAttribute? debuggable = typeof(HttpGenClient<,>).Assembly.GetCustomAttribute<DebuggableAttribute>();
        if (debuggable?.IsJITOptimizerDisabled == true)
        {
            Skip = "HttpGen.Runtime is a Debug build, whose async state machines are classes allocated per call; run with -c Release (as .ci/run does) to measure allocations.";
        }
    }
}

/// <summary>Runs alone: the measurement counts every allocation in the process.</summary>
[CollectionDefinition(nameof(ClientAllocationCollection), DisableParallelization = true)]
public sealed class ClientAllocationCollection
{
}

/// <summary>
/// Steady state allocates nothing: a keep-alive GET with a small body read into a caller's buffer, thousands of times
/// over one pooled connection, against a server that allocates nothing either (blocking socket calls on its own thread),
/// so that <see cref="GC.GetTotalAllocatedBytes(bool)"/> sees the client alone.
/// </summary>
[Collection(nameof(ClientAllocationCollection))]
public sealed class ClientAllocationTests(ITestOutputHelper output)
{
    internal const int WarmUp = 500;
    internal const int Iterations = 5000;

    [OptimizedRuntimeFact]
    public async Task Keep_alive_GET_with_a_small_body_allocates_nothing_per_request()
    {
        (long best, long connectionsOpened) = await MeasurePlaintextLoopAsync();
        Assert.Equal(1, connectionsOpened);
        AssertNoPerRequestAllocation(best);
    }

    private long _measurements;

    [OptimizedRuntimeFact]
    public async Task Same_with_a_metrics_listener_attached()
    {
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HttpGen.Diagnostics.ClientMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        // A listener that allocates nothing itself, so that what is measured is the recording side.
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        listener.Start();

        (long best, _) = await MeasurePlaintextLoopAsync();
        output.WriteLine($"{Interlocked.Read(ref _measurements)} measurements");
        Assert.True(Interlocked.Read(ref _measurements) >= 3 * Iterations, "the listener saw every request");
        AssertNoPerRequestAllocation(best);
    }

    /// <summary>
    /// Keep-alive GETs of a 13-byte body read into a caller buffer: a warm-up, then three measured runs. Returns the
    /// fewest bytes allocated by a run (a single run can catch the runtime's own background work) and the number of
    /// connections the client opened.
    /// </summary>
    private async Task<(long Best, long ConnectionsOpened)> MeasurePlaintextLoopAsync()
    {
        using var server = new CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!"u8.ToArray());
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>();
        var origin = new HttpOrigin("127.0.0.1", server.Port);
        var request = new ClientTestRequest { Target = "/plaintext"u8, Host = origin.HostHeader.Span };
        byte[] buffer = new byte[64];

        // Off the test framework's synchronization context, so continuations are not posted through it.
        long best = await Task.Run(async () =>
        {
            await LoopAsync(client, origin, request, buffer, WarmUp).ConfigureAwait(false);
            long lowest = long.MaxValue;
            for (int run = 0; run < 3; run++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                await LoopAsync(client, origin, request, buffer, Iterations).ConfigureAwait(false);
                long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                output.WriteLine($"run {run}: {allocated} bytes over {Iterations} requests = {(double)allocated / Iterations:F3} bytes/request");
                lowest = Math.Min(lowest, allocated);
            }

            return lowest;
        });

        output.WriteLine($"best: {(double)best / Iterations:F3} bytes/request");
        return (best, client.ConnectionsOpened);
    }

    [OptimizedRuntimeFact]
    public async Task Same_through_SendAndReadAsync()
    {
        using var server = new CannedServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n"u8.ToArray());
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>();
        var origin = new HttpOrigin("127.0.0.1", server.Port);
        var request = new ClientTestRequest { Target = "/chunked"u8, Host = origin.HostHeader.Span };
        long best = await MeasureSendAndReadAsync(client, origin, request);
        output.WriteLine($"chunked via SendAndReadAsync: {(double)best / Iterations:F3} bytes/request");
        AssertNoPerRequestAllocation(best);
    }

    /// <summary>
    /// <see cref="HttpGenClient{TRequest, TResponse}.SendAndReadAsync"/> of a 13-byte body in a loop, off the test
    /// framework's context: a warm-up, then three measured runs. Returns the fewest bytes allocated by a run.
    /// </summary>
    internal static Task<long> MeasureSendAndReadAsync(HttpGenClient<ClientTestRequest, ClientTestResponse> client, HttpOrigin origin, ClientTestRequest request) => Task.Run(async () =>
    {
        byte[] buffer = new byte[64];
        for (int i = 0; i < WarmUp; i++)
        {
            await client.SendAndReadAsync(origin, request, buffer).ConfigureAwait(false);
        }

        long lowest = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Iterations; i++)
            {
                HttpGenResult result = await client.SendAndReadAsync(origin, request, buffer).ConfigureAwait(false);
                if (result.BodyLength != 13)
                {
                    throw new InvalidOperationException("wrong body");
                }
            }

            lowest = Math.Min(lowest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        return lowest;
    });

    // The smallest object is 24 bytes, so an average under 4 bytes per request means no request allocates: what is
    // left is occasional runtime housekeeping (a pooled async state machine box that missed the per-core cache after
    // a thread hop, a timer tick), typically 0 to 2 KiB over the whole run.
    internal static void AssertNoPerRequestAllocation(long allocated) =>
        Assert.True(allocated < 4L * Iterations, $"{allocated} bytes allocated over {Iterations} requests ({(double)allocated / Iterations:F3} per request)");

    private static async Task LoopAsync(HttpGenClient<ClientTestRequest, ClientTestResponse> client, HttpOrigin origin, ClientTestRequest request, byte[] buffer, int count)
    {
        for (int i = 0; i < count; i++)
        {
            HttpGenResponse<ClientTestResponse> response = await client.SendAsync(origin, request).ConfigureAwait(false);
            int n = await response.ReadToEndAsync(buffer).ConfigureAwait(false);
            if (n != 13 || response.StatusCode != 200)
            {
                throw new InvalidOperationException("wrong response");
            }

            await response.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers every request head (up to its blank line) with the same bytes, on one thread with blocking calls:
    /// allocates nothing per request.
    /// </summary>
    private sealed class CannedServer : IDisposable
    {
        private readonly Socket _listener;
        private readonly byte[] _response;
        private readonly Thread _thread;
        private volatile bool _stopping;

        public CannedServer(byte[] response)
        {
            _response = response;
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            _thread = new Thread(Run) { IsBackground = true, Name = "canned server" };
            _thread.Start();
        }

        public int Port { get; }

        private void Run()
        {
            byte[] buffer = new byte[8192];
            while (!_stopping)
            {
                Socket connection;
                try
                {
                    connection = _listener.Accept();
                }
                catch (SocketException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }

                using (connection)
                {
                    connection.NoDelay = true;
                    int length = 0;
                    try
                    {
                        while (true)
                        {
                            int n = connection.Receive(buffer.AsSpan(length));
                            if (n == 0)
                            {
                                break;
                            }

                            length += n;
                            int end;
                            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) >= 0)
                            {
                                connection.Send(_response);
                                int rest = length - (end + 4);
                                buffer.AsSpan(end + 4, rest).CopyTo(buffer);
                                length = rest;
                            }
                        }
                    }
                    catch (SocketException)
                    {
                    }
                }
            }
        }

        public void Dispose()
        {
            _stopping = true;
            _listener.Dispose();
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }
}
