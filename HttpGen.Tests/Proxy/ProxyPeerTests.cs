using System.Text.RegularExpressions;
using HttpGen.Tests.Server;
using Xunit;

namespace HttpGen.Tests.Proxy;

/// <summary>The proxy with real peers: curl as its client, and nginx in front of it.</summary>
public sealed class ProxyPeerTests : ProxyTestBase
{
    private async Task<string> CurlAsync(params string[] args)
    {
        (int code, string stdout, string stderr) = await ExternalTools.RunAsync(ExternalTools.Require("curl", "curl"), ["-s", "-i", "--max-time", "20", .. args], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"curl failed ({code}): {stderr}");
        return stdout.Replace("\r\n", "\n");
    }

    [Fact]
    public async Task Curl_gets_a_miss_then_a_hit_with_Age_and_a_HEAD_from_the_stored_GET()
    {
        string url = Url("/curl?max-age=60&etag=k1");
        string miss = await CurlAsync(url);
        Assert.StartsWith("HTTP/1.1 200 OK\n", miss);
        Assert.Matches("(?m)^Cache-Status: test-proxy; fwd=uri-miss; fwd-status=200; ttl=\\d+; stored$", miss);

        string hit = await CurlAsync(url);
        Assert.Matches("(?m)^Cache-Status: test-proxy; hit; ttl=\\d+$", hit);
        Assert.Matches("(?m)^Age: \\d+$", hit);
        Assert.Matches("(?m)^Via: 1.1 test-proxy$", hit);
        Assert.EndsWith("\n\norigin:/curl?max-age=60&etag=k1#1", hit);

        string head = await CurlAsync("-I", url);
        Assert.Matches($"(?m)^Content-Length: {"origin:/curl?max-age=60&etag=k1#1".Length}$", head); // the stored GET's
        Assert.Matches("(?m)^Cache-Status: test-proxy; hit", head);

        string conditional = await CurlAsync("-H", "If-None-Match: \"k1\"", url);
        Assert.StartsWith("HTTP/1.1 304 Not Modified\n", conditional);
        Assert.Equal(1, Origin.Hits("/curl?max-age=60&etag=k1"));
    }

    [Fact]
    public async Task Curl_posts_a_body_through_the_proxy()
    {
        string posted = await CurlAsync("--data-binary", new string('p', 100_000), Url("/upload"));
        Assert.EndsWith("\n\nreceived 100000", posted);
        Assert.Matches("(?m)^Cache-Status: test-proxy; fwd=method; fwd-status=200$", posted);
    }

    [Fact]
    public async Task Behind_nginx_hits_misses_and_bodies_go_through_and_upstream_connections_are_reused()
    {
        await using NginxProcess nginx = await NginxProcess.StartAsync($$"""
                upstream cachingproxy { server 127.0.0.1:{{Port}}; keepalive 4; }
                server {
                    listen 127.0.0.1:{port};
                    location / {
                        proxy_pass http://cachingproxy;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                    }
                }
            """);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{nginx.Port}") };

        const string target = "/through-nginx?max-age=60&etag=n1";
        for (int i = 0; i < 20; i++)
        {
            using HttpResponseMessage r = await client.GetAsync(target);
            Assert.Equal("origin:" + target + "#1", await r.Content.ReadAsStringAsync());
            string status = string.Join(",", r.Headers.GetValues("Cache-Status"));
            Assert.Contains(i == 0 ? "fwd=uri-miss" : "hit", status);
            Assert.Equal("1.1 test-proxy", string.Join(",", r.Headers.GetValues("Via")));
        }

        using (HttpResponseMessage r = await client.GetAsync("/nginx-big?max-age=60&size=3000000"))
        {
            Assert.Equal(3_000_000, (await r.Content.ReadAsByteArrayAsync()).Length);
        }

        using (HttpResponseMessage r = await client.PostAsync("/upload", new ByteArrayContent(new byte[500_000])))
        {
            Assert.Equal("received 500000", await r.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage r = await client.GetAsync("/headers"))
        {
            string headers = await r.Content.ReadAsStringAsync();
            Assert.Matches("(?m)^Via: 1.1 test-proxy\r$", headers); // nginx adds no Via of its own
            Assert.DoesNotMatch("(?im)^Connection:", headers);
        }

        Assert.Equal(1, Origin.Hits(target));
        Assert.InRange(ProxyServer.AcceptedConnections, 1, 4); // nginx's upstream keep-alive: 23 requests, a few connections
        Assert.DoesNotContain("upstream prematurely closed", nginx.ErrorLog);
        Assert.Empty(Regex.Matches(nginx.ErrorLog, "\\[error\\]"));
    }
}
