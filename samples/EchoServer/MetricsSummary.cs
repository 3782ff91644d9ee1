using System.Diagnostics.Metrics;
using HttpGen.Diagnostics;

namespace EchoServer;

/// <summary>
/// Listens to the HttpGen.Server meter and prints one line every few seconds: requests/s, open connections,
/// rejections. For watching a load test live (--metrics).
/// </summary>
internal sealed class MetricsSummary : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Timer _timer;
    private long _requests;
    private long _connections;
    private long _rejected;
    private long _lastRequests;
    private long _lastTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

    public MetricsSummary(TimeSpan interval)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, _, _) =>
        {
            if (instrument.Name == "http.server.request.duration")
            {
                Interlocked.Increment(ref _requests);
            }
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "httpgen.server.active_connections":
                    Interlocked.Add(ref _connections, value);
                    break;
                case "httpgen.server.rejected_requests":
                    Interlocked.Add(ref _rejected, value);
                    break;
            }
        });
        _listener.Start();
        _timer = new Timer(_ => Print(), null, interval, interval);
    }

    private void Print()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        long requests = Interlocked.Read(ref _requests);
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
        double rate = (requests - _lastRequests) / seconds;
        _lastRequests = requests;
        _lastTimestamp = now;
        Console.WriteLine($"[metrics] {rate,10:F0} req/s   {Interlocked.Read(ref _connections),6} connections   {Interlocked.Read(ref _rejected),6} rejected   {requests,12} requests total");
    }

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }
}
