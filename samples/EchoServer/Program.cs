// EchoServer: the HttpGen server a newcomer starts first.
//   dotnet run -c Release --project samples/EchoServer -- --port 8080
//   ... -- --port 8080 --https-port 8443 --cert cert.pem --key key.pem
using System.Net;
using EchoServer;
using HttpGen.Server;

int port = 8080;
int? httpsPort = null;
string? certPath = null;
string? keyPath = null;
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
        case "--https-port" when i + 1 < args.Length:
            httpsPort = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--cert" when i + 1 < args.Length:
            certPath = args[++i];
            break;
        case "--key" when i + 1 < args.Length:
            keyPath = args[++i];
            break;
        case "--reuseport":
            reusePort = true;
            break;
        case "--metrics":
            metrics = true;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: EchoServer [--port N] [--host ADDRESS] [--https-port N --cert FILE [--key FILE]] [--reuseport] [--metrics]");
            Console.WriteLine("  --port N        plain HTTP port (default 8080; the PORT environment variable also sets it)");
            Console.WriteLine("  --https-port N  also serve HTTPS on port N (TLS 1.2/1.3, ALPN http/1.1), with:");
            Console.WriteLine("  --cert FILE     the certificate: PEM (with --key, or with the key in the same file) or PFX");
            Console.WriteLine("  --key FILE      its PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted)");
            Console.WriteLine("  --reuseport     share the ports with other EchoServer processes (SO_REUSEPORT)");
            Console.WriteLine("  --metrics       print requests/s, open connections and rejections every 2 s");
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

var options = new HttpServerOptions { ReusePort = reusePort };
IPAddress[] addresses = host is not null ? [IPAddress.Parse(host)]
    : System.Net.Sockets.Socket.OSSupportsIPv6 ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
    : [IPAddress.Loopback];
System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null;
if (certPath is not null)
{
    try
    {
        certificate = HttpEndpoint.LoadCertificate(certPath, keyPath);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
    {
        Console.Error.WriteLine($"cannot load the certificate from {certPath}{(keyPath is null ? "" : " and " + keyPath)}: {e.Message}");
        return 2;
    }
}

foreach (IPAddress address in addresses)
{
    options.Endpoints.Add(new IPEndPoint(address, port));
    if (httpsPort is int tlsPort)
    {
        options.Listen(new IPEndPoint(address, tlsPort), endpoint => endpoint.Certificate = certificate);
    }
}

using MetricsSummary? summary = metrics ? new MetricsSummary(TimeSpan.FromSeconds(2)) : null;
await using var server = new HttpServer<EchoRequest, EchoResponse>(options, new EchoHandler());
await server.StartAsync();
return await Serve(server);

static async Task<int> Serve(HttpServer<EchoRequest, EchoResponse> server)
{
    int plain = server.Options.Endpoints.Count;
    for (int i = 0; i < server.LocalEndPoints.Count; i++)
    {
        Console.WriteLine($"EchoServer listening on {(i < plain ? "http" : "https")}://{server.LocalEndPoints[i]}");
    }

    IPEndPoint first = server.LocalEndPoints[0];
    Console.WriteLine($"try:  curl -i http://{first}/plaintext");
    if (server.LocalEndPoints.Count > plain)
    {
        Console.WriteLine($"      curl -i --cacert CERT.pem https://localhost:{server.LocalEndPoints[plain].Port}/plaintext");
    }

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
