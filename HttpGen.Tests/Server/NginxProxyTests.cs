using System.Text;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>nginx as a reverse proxy in front of the server, with upstream keep-alive.</summary>
public class NginxProxyTests
{
    [Fact]
    public async Task Requests_through_nginx_succeed_and_upstream_connections_are_reused()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        await using NginxProcess nginx = await NginxProcess.StartAsync($$"""
                upstream httpgen { server 127.0.0.1:{{server.Port}}; keepalive 4; }
                server {
                    listen 127.0.0.1:{port};
                    location / {
                        proxy_pass http://httpgen;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            """);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nginx.Port}") };
        await GetsAndBodiesAsync(client);

        var echo = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent("") };
        echo.Headers.Add("X-Through", "nginx");
        using (HttpResponseMessage r = await client.SendAsync(echo))
        {
            Assert.Contains("X-Through: nginx\n", await r.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage r = await client.GetAsync("/missing"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, r.StatusCode);
        }

        // 34 requests went through nginx; its upstream keep-alive reused a connection or two for all of them.
        Assert.InRange(server.Server.AcceptedConnections, 1, 3);
        Assert.DoesNotContain("upstream prematurely closed", nginx.ErrorLog);
    }

    /// <summary>Thirty GETs, a 100 KB POST and the same PUT chunked, each answer checked: the EchoServer's routes through a proxy.</summary>
    internal static async Task GetsAndBodiesAsync(HttpClient client)
    {
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal("Hello, World!", await client.GetStringAsync("/plaintext"));
        }

        byte[] body = Encoding.ASCII.GetBytes(new string('x', 100_000));
        using (HttpResponseMessage r = await client.PostAsync("/", new ByteArrayContent(body)))
        {
            Assert.Equal(body, await r.Content.ReadAsByteArrayAsync());
        }

        using (HttpResponseMessage r = await client.PutAsync("/", new StreamContent(new MemoryStream(body)) { Headers = { ContentLength = null } }))
        {
            Assert.Equal(body, await r.Content.ReadAsByteArrayAsync()); // chunked from the client, re-framed by nginx
        }
    }
}
