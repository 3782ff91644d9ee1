using System.Diagnostics;
using System.Net.Sockets;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Server;

/// <summary>
/// A server under a slowloris attack still serves everyone else promptly, and sheds the attackers when their head
/// timeout passes. Runs alone (its latency bound would mean nothing beside other tests' load).
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public class FairnessTests(ITestOutputHelper output)
{
    private const int Attackers = 2000;

    [Fact]
    public async Task Plain_requests_are_answered_promptly_while_2000_slowloris_connections_are_open()
    {
        TimeSpan headTimeout = TimeSpan.FromSeconds(4);
        await using RunningServer server = await RunningServer.StartAsync(o => o.RequestHeadTimeout = headTimeout);

        // Every attacker sends a request line, then one byte of a header every 250 ms, never finishing the head.
        var attackers = new List<Socket>(Attackers);
        try
        {
            for (int i = 0; i < Attackers; i++)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await s.ConnectAsync(server.EndPoint);
                s.Send("GET /plaintext HTTP/1.1\r\nX-Slow: "u8);
                attackers.Add(s);
            }

            // The attackers and the measuring client are the test's own, synchronous sockets: each gets a dedicated
            // thread, so that neither blocks the thread pool the server runs on (the server is what is measured).
            var attackStarted = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var trickle = new Thread(() =>
            {
                byte[] one = "a"u8.ToArray();
                while (!stop.IsCancellationRequested)
                {
                    foreach (Socket s in attackers)
                    {
                        try
                        {
                            s.Send(one);
                        }
                        catch (SocketException)
                        {
                            // Shed by the server: that is the point.
                        }
                    }

                    stop.Token.WaitHandle.WaitOne(250);
                }
            }) { IsBackground = true, Name = "slowloris" };
            trickle.Start();

            await ShutdownTests.WaitUntilAsync(() => server.Server.ConnectionCount >= Attackers);

            // Meanwhile, plain requests on new connections, one at a time.
            var latencies = new List<double>();
            var measure = new Thread(() =>
            {
                for (int i = 0; i < 100 && attackStarted.Elapsed < headTimeout - TimeSpan.FromSeconds(0.5); i++)
                {
                    var clock = Stopwatch.StartNew();
                    using RawConnection c = server.Connect();
                    c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
                    if (c.ReadResponse().StatusCode == 200)
                    {
                        latencies.Add(clock.Elapsed.TotalMilliseconds);
                    }

                    Thread.Sleep(10);
                }
            }) { IsBackground = true, Name = "measure" };
            measure.Start();
            await Task.Run(measure.Join);

            latencies.Sort();
            double p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
            output.WriteLine($"{latencies.Count} requests beside {Attackers} slowloris connections: p50 {latencies[latencies.Count / 2]:F2} ms, p99 {p99:F2} ms, max {latencies[^1]:F2} ms");
            Assert.True(latencies.Count >= 20, $"only {latencies.Count} requests in the window");
            Assert.True(p99 < 50, $"p99 {p99:F2} ms");

            // The attackers are shed once their head timeout has passed (408, then a lingering close of up to 1 s).
            await ShutdownTests.WaitUntilAsync(() => server.Server.ConnectionCount == 0, timeoutMs: (int)headTimeout.TotalMilliseconds + 6000);
            output.WriteLine($"all {Attackers} attackers shed {attackStarted.Elapsed.TotalSeconds:F1} s after the attack started");
            stop.Cancel();
            trickle.Join();
        }
        finally
        {
            foreach (Socket s in attackers)
            {
                s.Dispose();
            }
        }
    }
}
