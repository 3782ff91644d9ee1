using System.Net;
using System.Net.Sockets;
using System.Text;
using CachingProxy;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Server;
using HttpGen.Tests.Caching;
using HttpGen.Tests.Client;

namespace HttpGen.Tests.Proxy;

/// <summary>
/// The caching proxy in-process on a free loopback port, in front of the counting origin (or of a scripted raw
/// server for responses the origin would not send), with HttpClient as its client; disposed after each test.
/// </summary>
public abstract class ProxyTestBase : Xunit.IAsyncLifetime
{
    private HttpServer<ProxyRequest, ProxyResponse>? _server;

    /// <summary>The counting origin (always running; the default upstream).</summary>
    protected CountingOrigin Origin { get; } = new();

    /// <summary>The scripted raw upstream, when a test asked for one.</summary>
    protected RawHttpServer? Raw { get; private set; }

    protected ProxyHandler Proxy { get; private set; } = null!;

    /// <summary>The server the proxy runs in.</summary>
    protected HttpServer<ProxyRequest, ProxyResponse> ProxyServer => _server!;

    protected int Port { get; private set; }

    /// <summary>The cache's clock, when the test runs the proxy on a controlled clock; otherwise null.</summary>
    protected ManualClock? Clock { get; private set; }

    protected HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });

    protected string Url(string target) => $"http://127.0.0.1:{Port}{target}";

    public virtual async Task InitializeAsync()
    {
        await Origin.StartAsync();
        await StartProxyAsync(new HttpOrigin("127.0.0.1", Origin.Port));
    }

    /// <summary>Restarts the proxy in front of a scripted raw upstream, on a controlled clock starting at T0.</summary>
    protected async Task UseRawUpstreamAsync(Func<string, string?> respond, TimeSpan? upstreamTimeout = null)
    {
        Raw = new RawHttpServer { Respond = head => Task.FromResult(respond(head)) };
        Clock = new ManualClock(CacheScenario.T0);
        await StopProxyAsync();
        await StartProxyAsync(new HttpOrigin("127.0.0.1", Raw.Port), new HttpCache(new HttpCacheOptions { Shared = true, Name = "test-proxy" }, timeProvider: Clock), upstreamTimeout);
    }

    /// <summary>Restarts the proxy with other options (same origin unless given).</summary>
    protected async Task StartProxyAsync(HttpOrigin upstream, HttpCache? cache = null, TimeSpan? upstreamTimeout = null)
    {
        await StopProxyAsync();
        Proxy = new ProxyHandler(new ProxyOptions
        {
            Upstream = upstream,
            Name = "test-proxy",
            Cache = cache,
            UpstreamTimeout = upstreamTimeout ?? TimeSpan.FromSeconds(30),
        });
        var options = new HttpServerOptions { MaxRequestBodySize = long.MaxValue };
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        _server = new HttpServer<ProxyRequest, ProxyResponse>(options, Proxy);
        await _server.StartAsync();
        Port = _server.LocalEndPoints[0].Port;
    }

    private async Task StopProxyAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            await Proxy.DisposeAsync();
            _server = null;
        }
    }

    /// <summary>A GET through HttpClient, with extra request headers.</summary>
    protected async Task<Reply> GetAsync(string target, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(target));
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }

    protected async Task<Reply> SendAsync(HttpRequestMessage request)
    {
        using HttpResponseMessage response = await Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, IEnumerable<string>> h in response.Headers.Concat(response.Content.Headers))
        {
            fields[h.Key] = string.Join(", ", h.Value);
        }

        return new Reply((int)response.StatusCode, body, fields);
    }

    /// <summary>Sends raw bytes on a new connection and returns the whole response as text (until the proxy closes, or a complete response).</summary>
    protected async Task<string> RawAsync(string request)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!IsComplete(received.ToArray()))
        {
            int n = await socket.ReceiveAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.Write(buffer, 0, n);
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    // A head, then as many body bytes as its Content-Length says (no body for 304 or HEAD-like answers without one).
    private static bool IsComplete(byte[] bytes)
    {
        string text = Encoding.Latin1.GetString(bytes);
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        System.Text.RegularExpressions.Match length = System.Text.RegularExpressions.Regex.Match(text[..end], @"(?im)^Content-Length:\s*(\d+)");
        return !length.Success ? text.StartsWith("HTTP/1.1 304", StringComparison.Ordinal) : bytes.Length >= end + 4 + int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public virtual async Task DisposeAsync()
    {
        Http.Dispose();
        await StopProxyAsync();
        await Origin.DisposeAsync();
        if (Raw is not null)
        {
            await Raw.DisposeAsync();
        }
    }

    /// <summary>A response as a client saw it.</summary>
    protected sealed record Reply(int Status, string Body, Dictionary<string, string> Fields)
    {
        public string? Field(string name) => Fields.TryGetValue(name, out string? value) ? value : null;

        public string CacheStatus => Field("Cache-Status") ?? "";
    }
}
