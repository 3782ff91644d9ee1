// CachingProxy: a reverse proxy with a shared HTTP cache, built from the HttpGen server, client pool and cache.
//   dotnet run -c Release --project samples/CachingProxy -- --port 8080 --upstream http://127.0.0.1:9000
//   dotnet run -c Release --project samples/CachingProxy -- --origin --port 9000      (a demo origin to put behind it)
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using CachingProxy;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Server;

int port = 8080;
string host = "127.0.0.1";
string? upstream = null;
string name = "httpgen-proxy";
long cacheMiB = 256, maxEntryMiB = 8;
int timeoutSeconds = 30;
bool origin = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--host" when i + 1 < args.Length: host = args[++i]; break;
        case "--upstream" when i + 1 < args.Length: upstream = args[++i]; break;
        case "--name" when i + 1 < args.Length: name = args[++i]; break;
        case "--cache-size" when i + 1 < args.Length: cacheMiB = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--max-entry" when i + 1 < args.Length: maxEntryMiB = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--timeout" when i + 1 < args.Length: timeoutSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--origin": origin = true; break;
        case "--help" or "-h":
            Console.WriteLine("usage: CachingProxy --upstream http://HOST:PORT [--port 8080] [--host 127.0.0.1] [--name httpgen-proxy]");
            Console.WriteLine("                    [--cache-size MiB (256)] [--max-entry MiB (8)] [--timeout seconds (30)]");
            Console.WriteLine("       CachingProxy --origin [--port 9000]     the demo origin (see CountingOrigin.cs for its query parameters)");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var stop = new TaskCompletionSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

if (origin)
{
    await using CountingOrigin demo = await new CountingOrigin().StartAsync(port, IPAddress.Parse(host));
    Console.WriteLine($"origin listening on http://{host}:{demo.Port}");
    Console.WriteLine($"try:  curl -i 'http://{host}:{demo.Port}/page?max-age=60&etag=v1'");
    await stop.Task;
    return 0;
}

if (upstream is null)
{
    Console.Error.WriteLine("--upstream http://HOST:PORT is required (try --help)");
    return 2;
}

var cache = new HttpCache(new HttpCacheOptions { Shared = true, Name = name, Capacity = cacheMiB << 20, MaxEntrySize = maxEntryMiB << 20 });
await using var handler = new ProxyHandler(new ProxyOptions
{
    Upstream = HttpOrigin.Parse(upstream),
    Name = name,
    Cache = cache,
    UpstreamTimeout = TimeSpan.FromSeconds(timeoutSeconds),
});
var options = new HttpServerOptions { MaxRequestBodySize = long.MaxValue }; // bodies are streamed to the origin
options.Endpoints.Add(new IPEndPoint(IPAddress.Parse(host), port));
await using var server = new HttpServer<ProxyRequest, ProxyResponse>(options, handler);
await server.StartAsync();
Console.WriteLine($"CachingProxy listening on http://{server.LocalEndPoints[0]}, forwarding to {upstream}");
Console.WriteLine($"try:  curl -i http://{server.LocalEndPoints[0]}/   (twice: the second is a hit if the origin allows it)");
Console.WriteLine("Ctrl+C stops.");
await stop.Task;
Console.WriteLine("stopping...");
await server.StopAsync();
Console.WriteLine($"stopped: {cache.Hits} hits, {cache.Misses} misses, {cache.Validations} validations, {cache.Store.Count} stored ({cache.Store.Size >> 10} KiB).");
return 0;
