using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>The EchoServer contract through HttpClient and curl.</summary>
public class RealClientTests
{
    [Fact]
    public async Task HttpClient_exercises_every_route()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}") };

        using (HttpResponseMessage r = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("OK", await r.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", r.Content.Headers.ContentType!.MediaType);
        }

        using (HttpResponseMessage r = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Empty(await r.Content.ReadAsByteArrayAsync());
        }

        using (HttpResponseMessage r = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/")))
        {
            Assert.Equal("GET, HEAD, POST, OPTIONS", string.Join(", ", r.Content.Headers.Allow));
        }

        byte[] payload = Encoding.UTF8.GetBytes("binary \u0000\u00ff payload");
        using (HttpResponseMessage r = await client.PostAsync("/", new ByteArrayContent(payload)))
        {
            Assert.Equal(payload, await r.Content.ReadAsByteArrayAsync());
            Assert.Equal(payload.Length, r.Content.Headers.ContentLength);
        }

        using (HttpResponseMessage r = await client.PutAsync("/", new StreamContent(new MemoryStream(payload)) { Headers = { ContentLength = null } }))
        {
            Assert.Equal(payload, await r.Content.ReadAsByteArrayAsync()); // sent chunked: no length known
        }

        var echo = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent("") };
        echo.Headers.Add("X-Custom", "value 1");
        using (HttpResponseMessage r = await client.SendAsync(echo))
        {
            string text = await r.Content.ReadAsStringAsync();
            Assert.Contains("X-Custom: value 1\n", text);
            Assert.Contains($"Host: 127.0.0.1:{server.Port}\n", text);
        }

        using (HttpResponseMessage r = await client.GetAsync("/plaintext"))
        {
            Assert.Equal("Hello, World!", await r.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage r = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/plaintext")))
        {
            Assert.Equal(13, r.Content.Headers.ContentLength);
        }

        using (HttpResponseMessage r = await client.GetAsync("/nowhere"))
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        using (HttpResponseMessage r = await client.DeleteAsync("/plaintext"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
        }

        Assert.Equal(1, server.Server.AcceptedConnections); // HttpClient kept one connection alive throughout
    }

    private static async Task<string> CurlAsync(params string[] args)
    {
        string curl = ExternalTools.Require("curl", "curl");
        var (code, stdout, stderr) = await ExternalTools.RunAsync(curl, new[] { "--silent", "--show-error", "--max-time", "20" }.Concat(args), TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"curl {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout + stderr;
    }

    [Fact]
    public async Task Curl_get_post_chunked_http10_and_connection_reuse()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        string baseUrl = $"http://127.0.0.1:{server.Port}";

        Assert.Equal("Hello, World!", await CurlAsync(baseUrl + "/plaintext"));

        string file = Path.GetTempFileName();
        try
        {
            byte[] data = new byte[300_000];
            new Random(7).NextBytes(data);
            await File.WriteAllBytesAsync(file, data);
            string output = Path.GetTempFileName();
            await CurlAsync("--data-binary", "@" + file, "-o", output, baseUrl + "/");
            Assert.Equal(data, await File.ReadAllBytesAsync(output));

            await CurlAsync("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, "-o", output, baseUrl + "/");
            Assert.Equal(data, await File.ReadAllBytesAsync(output));
            File.Delete(output);
        }
        finally
        {
            File.Delete(file);
        }

        string http10 = await CurlAsync("--http1.0", "-i", baseUrl + "/");
        Assert.StartsWith("HTTP/1.1 200 OK", http10);
        Assert.Contains("Connection: close", http10);

        string verbose = await CurlAsync("-v", baseUrl + "/", baseUrl + "/plaintext", baseUrl + "/");
        Assert.Contains("Re-using existing connection", verbose);
        Assert.Contains("OKHello, World!OK", verbose);
    }
}
