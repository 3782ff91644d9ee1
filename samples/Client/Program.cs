// Sends N requests through the HttpGen client's connection pool with C concurrent loops, then prints what happened.
// The URL may be http or https; --insecure accepts any server certificate (a local server with a self-signed one).
//
//   dotnet run -c Release --project samples/Client -- --url http://127.0.0.1:8080/plaintext --requests 1000 --concurrency 16
//   dotnet run -c Release --project samples/Client -- --url https://localhost:8443/plaintext --insecure
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using HttpGen;
using HttpGen.Client;

string url = "http://127.0.0.1:8080/plaintext";
int total = 1000;
int concurrency = 16;
bool insecure = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--insecure")
    {
        insecure = true;
        continue;
    }

    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--url": url = value; i++; break;
        case "--requests": total = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--concurrency": concurrency = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        default: throw new ArgumentException($"unknown option {args[i]}; use --url, --requests, --concurrency, --insecure");
    }
}

var uri = new Uri(url);
HttpOrigin origin = HttpOrigin.FromUri(uri);
byte[] target = Encoding.ASCII.GetBytes(uri.PathAndQuery);

var options = new HttpGenClientOptions();
if (insecure)
{
    options.ServerCertificateValidation = (_, _, _, _) => true;
}

await using var client = new HttpGenClient<SampleRequest, SampleResponse>(options);
var statuses = new ConcurrentDictionary<int, int>();
var errorKinds = new ConcurrentDictionary<string, int>();
int next = 0;
int done = 0;
int errors = 0;

var watch = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
{
    // One request message and body buffer per loop, reused for every request it sends.
    var request = new SampleRequest { Target = target, Host = origin.HostHeader.Span, UserAgent = "httpgen-client-sample" };
    byte[] body = new byte[64 * 1024];
    while (Interlocked.Increment(ref next) <= total)
    {
        try
        {
            await using HttpGenResponse<SampleResponse> response = await client.SendAsync(origin, request);
            while (await response.ReadAsync(body) > 0)
            {
            }

            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            Interlocked.Increment(ref done);
        }
        catch (Exception e) when (e is HttpGenClientException or IOException or OperationCanceledException)
        {
            Interlocked.Increment(ref errors);
            string kind = e is HttpResponseException r ? $"{r.Kind}/{r.ErrorKind}" : e is HttpGenClientException c ? c.Kind.ToString() : e.GetType().Name;
            if (errorKinds.AddOrUpdate(kind, 1, (_, n) => n + 1) == 1)
            {
                Console.Error.WriteLine($"error: {e.Message}");
            }
        }
    }
}))).ConfigureAwait(false);
watch.Stop();

Console.WriteLine($"url: {url}");
Console.WriteLine($"requests done: {done}");
Console.WriteLine($"errors: {errors}");
foreach ((string kind, int count) in errorKinds.OrderBy(e => e.Key))
{
    Console.WriteLine($"  {kind}: {count}");
}

Console.WriteLine("status codes:");
foreach ((int code, int count) in statuses.OrderBy(s => s.Key))
{
    Console.WriteLine($"  {code}: {count}");
}

Console.WriteLine($"connections opened: {client.ConnectionsOpened}");
Console.WriteLine($"elapsed: {watch.Elapsed.TotalSeconds:F3} s");
Console.WriteLine($"requests/s: {(done + errors) / watch.Elapsed.TotalSeconds:F0}");
return errors == 0 ? 0 : 1;

/// <summary>The request the sample sends.</summary>
[HttpRequest]
public partial class SampleRequest
{
    /// <summary>Host header.</summary>
    [HttpHeader("Host")] public partial ReadOnlySpan<byte> Host { get; set; }

    /// <summary>User-Agent header.</summary>
    [HttpHeader("User-Agent")] public partial string? UserAgent { get; set; }
}

/// <summary>The response the sample reads.</summary>
[HttpResponse]
public partial class SampleResponse
{
    /// <summary>Content-Length header.</summary>
    [HttpHeader("Content-Length")] public partial long? ContentLength { get; set; }
}
