// EchoServer: the HttpGen server a newcomer starts first.
//   dotnet run -c Release --project samples/EchoServer -- --port 8080
using System.Net;
using EchoServer;
using HttpGen.Server;

int port = 8080;
string? host = null;
bool reusePort = false;
bool metrics = false;
if (Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } fromEnv)
{
    port = int.Parse(fromEnv, System.Globalization.CultureInfo.InvariantCulture);
}

for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--host" when i + 1 < args.Length:
            host = args[++i];
            break;
        case "--reuseport":
            reusePort = true;
            break;
        case "--metrics":
            metrics = true;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: EchoServer [--port N] [--host ADDRESS] [--reuseport] [--metrics]   (PORT env also sets the port)");
            Console.WriteLine("  --reuseport  share the port with other EchoServer processes (SO_REUSEPORT)");
            Console.WriteLine("  --metrics    print requests/s, open connections and rejections every 2 s");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var options = new HttpServerOptions { ReusePort = reusePort };
if (host is null)
{
    options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, port));
    if (System.Net.Sockets.Socket.OSSupportsIPv6)
    {
        options.Endpoints.Add(new IPEndPoint(IPAddress.IPv6Loopback, port));
    }
}
else
{
    options.Endpoints.Add(new IPEndPoint(IPAddress.Parse(host), port));
}

using MetricsSummary? summary = metrics ? new MetricsSummary(TimeSpan.FromSeconds(2)) : null;
await using var server = new HttpServer<EchoRequest, EchoResponse>(options, new EchoHandler());
await server.StartAsync();
return await Serve(server);

static async Task<int> Serve(HttpServer<EchoRequest, EchoResponse> server)
{
    foreach (IPEndPoint endpoint in server.LocalEndPoints)
    {
        Console.WriteLine($"EchoServer listening on http://{endpoint}");
    }

    IPEndPoint first = server.LocalEndPoints[0];
    Console.WriteLine($"try:  curl -i http://{first}/plaintext");
    Console.WriteLine("Ctrl+C stops.");

    // Ctrl+C (SIGINT) and SIGTERM both stop gracefully: in-flight requests finish, idle connections close.
    var stop = new TaskCompletionSource();
    void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
    {
        context.Cancel = true;
        stop.TrySetResult();
    }

    using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);

    await stop.Task;
    Console.WriteLine("stopping...");
    await server.StopAsync();
    Console.WriteLine("stopped.");
    return 0;
}
