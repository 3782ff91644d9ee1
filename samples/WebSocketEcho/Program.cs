// WebSocketEcho: a WebSocket echo server on HttpGen's Upgrade hand-off and the BCL's WebSocket.
//   dotnet run -c Release --project samples/WebSocketEcho -- --port 8080
//   ... -- --port 8080 --https-port 8443 --cert cert.pem --key key.pem
using System.Net;
using HttpGen.Server;
using WebSocketEcho;

int port = 8080;
int? httpsPort = null;
string? certPath = null;
string? keyPath = null;
string? host = null;
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
        case "--https-port" when i + 1 < args.Length:
            httpsPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--cert" when i + 1 < args.Length:
            certPath = args[++i];
            break;
        case "--key" when i + 1 < args.Length:
            keyPath = args[++i];
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: WebSocketEcho [--port N] [--host ADDRESS] [--https-port N --cert FILE [--key FILE]]");
            Console.WriteLine("  every path accepts a WebSocket upgrade (ws:// and, with --https-port, wss://) and echoes each message back");
            Console.WriteLine("  --port N        plain port (default 8080)");
            Console.WriteLine("  --https-port N  also serve wss:// on port N, with:");
            Console.WriteLine("  --cert FILE     the certificate: PEM (with --key, or with the key in the same file) or PFX");
            Console.WriteLine("  --key FILE      its PEM private key");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

if (httpsPort is not null && certPath is null)
{
    Console.Error.WriteLine("--https-port needs --cert (and --key unless the PEM file holds the key too)");
    return 2;
}

var options = new HttpServerOptions();
IPAddress address = host is null ? IPAddress.Loopback : IPAddress.Parse(host);
options.Endpoints.Add(new IPEndPoint(address, port));
if (httpsPort is int tlsPort)
{
    try
    {
        var certificate = HttpEndpoint.LoadCertificate(certPath!, keyPath);
        options.Listen(new IPEndPoint(address, tlsPort), endpoint => endpoint.Certificate = certificate);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
    {
        Console.Error.WriteLine($"cannot load the certificate from {certPath}: {e.Message}");
        return 2;
    }
}

await using var server = new HttpServer<WebSocketRequest, WebSocketResponse>(options, new WebSocketEchoHandler());
await server.StartAsync();
for (int i = 0; i < server.LocalEndPoints.Count; i++)
{
    Console.WriteLine($"WebSocketEcho listening on {(i == 0 ? "ws" : "wss")}://{server.LocalEndPoints[i]}/");
}

Console.WriteLine("Ctrl+C stops (open sockets are sent a close, 1001).");
var stop = new TaskCompletionSource();
void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
await stop.Task;
await server.StopAsync();
return 0;
