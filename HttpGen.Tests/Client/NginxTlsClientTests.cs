using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HttpGen.Client;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// The client against nginx over HTTPS (a self-signed certificate for <c>localhost</c>, made in-process): requests and
/// keep-alive reuse, certificate validation (default, custom callback, wrong host name), ALPN and SNI as nginx saw them,
/// client certificates, and an idle connection that nginx closes.
/// </summary>
public sealed class NginxTlsClientTests(NginxFixture nginx) : IClassFixture<NginxFixture>, IAsyncDisposable, IAsyncLifetime
{
    private readonly HttpGenClient<ClientTestRequest, ClientTestResponse> _client =
        new(new HttpGenClientOptions { ServerCertificateValidation = TestCertificates.TrustTestServer });

    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    private HttpOrigin Origin => new("https", "localhost", nginx.TlsPort);

    private static ClientTestRequest Request(string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = "localhost"u8 };

    private string Mark(string target) => target + (target.Contains('?') ? "&" : "?") + "run=" + _run;

    private static async Task<string> TextAsync(HttpGenClient<ClientTestRequest, ClientTestResponse> client, HttpOrigin origin, string target)
    {
        await using HttpGenResponse<ClientTestResponse> response = await client.SendAsync(origin, Request(target));
        Assert.Equal(200, response.StatusCode);
        return NginxFixture.Text(await response.ReadAllAsync());
    }

    [NginxFact]
    public async Task GET_over_TLS_with_SNI_and_ALPN_http11()
    {
        // $ssl_protocol $ssl_alpn_protocol $ssl_server_name $ssl_client_verify
        string tls = await TextAsync(_client, Origin, "/tls");
        Assert.Matches("^TLSv1\\.[23] http/1\\.1 localhost NONE", tls);

        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/static.txt"));
        Assert.Equal(new BodyFraming(BodyKind.ContentLength, nginx.StaticFile.Length), response.BodyFraming);
        Assert.Equal(nginx.StaticFile, (await response.ReadAllAsync()).ToArray());
    }

    [NginxFact]
    public async Task POST_bodies_over_TLS_are_proxied_and_echoed()
    {
        byte[] payload = RawHttpServer.Body(70_000);
        await using (HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/echo", RequestMethod.Post), payload))
        {
            Assert.Equal(payload, (await response.ReadAllAsync()).ToArray());
        }

        HttpRequestContent chunked = HttpRequestContent.FromWriter(async (writer, token) =>
        {
            for (int i = 0; i < 7; i++)
            {
                await writer.WriteAsync(payload.AsMemory(i * 10_000, 10_000), token);
            }
        });
        await using (HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/echo", RequestMethod.Post), chunked))
        {
            Assert.Equal(payload, (await response.ReadAllAsync()).ToArray());
        }

        Assert.Equal(1, _client.ConnectionsOpened);
    }

    [NginxFact]
    public Task A_hundred_requests_over_one_TLS_connection() =>
        nginx.AssertAHundredRequestsOnOneConnectionAsync(_client, Origin, _run);

    [NginxFact]
    public async Task An_untrusted_certificate_is_rejected_by_default()
    {
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>();
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await client.SendAsync(Origin, Request("/plaintext")));
        Assert.Equal(HttpClientErrorKind.CertificateRejected, e.Kind);
        Assert.Contains("RemoteCertificateChainErrors", e.Message);
        Assert.Contains("UntrustedRoot", e.Message);
        Assert.Contains("CN=localhost", e.Message);
        Assert.Equal(0, client.OpenConnections);
    }

    [NginxFact]
    public async Task A_custom_validation_callback_sees_the_origin_certificate_and_errors()
    {
        var seen = new List<(HttpOrigin Origin, string? Subject, SslPolicyErrors Errors)>();
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions
        {
            ServerCertificateValidation = (origin, certificate, chain, errors) =>
            {
                lock (seen)
                {
                    seen.Add((origin, certificate?.Subject, errors));
                }

                return TestCertificates.TrustTestServer(origin, certificate, chain, errors);
            },
        });

        Assert.Equal("Hello, World!", await TextAsync(client, Origin, "/plaintext"));
        Assert.Equal("Hello, World!", await TextAsync(client, Origin, "/plaintext"));
        (HttpOrigin origin, string? subject, SslPolicyErrors errors) = Assert.Single(seen); // once per connection
        Assert.Equal(Origin, origin);
        Assert.Contains("CN=localhost", subject);
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, errors);
    }

    [NginxFact]
    public async Task A_certificate_for_another_host_name_is_rejected()
    {
        // The certificate names localhost only; the same server reached as 127.0.0.1 does not match it.
        var byAddress = new HttpOrigin("https", "127.0.0.1", nginx.TlsPort);
        var e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await _client.SendAsync(byAddress, Request("/plaintext")));
        Assert.Equal(HttpClientErrorKind.CertificateRejected, e.Kind);
        Assert.Contains("RemoteCertificateNameMismatch", e.Message);
        Assert.Contains("refused by ServerCertificateValidation", e.Message);

        // Without a callback the name is checked as well (besides the untrusted root).
        using var defaults = new HttpGenClient<ClientTestRequest, ClientTestResponse>();
        e = await Assert.ThrowsAsync<HttpGenClientException>(async () => await defaults.SendAsync(byAddress, Request("/plaintext")));
        Assert.Equal(HttpClientErrorKind.CertificateRejected, e.Kind);
        Assert.Contains("RemoteCertificateNameMismatch", e.Message);
        Assert.Contains("not valid", e.Message);
    }

    [NginxFact]
    public async Task A_client_certificate_is_presented_when_the_server_asks()
    {
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions
        {
            ServerCertificateValidation = TestCertificates.TrustTestServer,
            ClientCertificates = [TestCertificates.Client],
        });

        string tls = await TextAsync(client, Origin, "/tls");
        Assert.Contains(" SUCCESS ", tls);
        Assert.Contains("CN=httpgen-client", tls);
    }

    [NginxFact]
    public async Task An_idle_connection_that_nginx_closed_is_not_reused()
    {
        // keepalive_timeout 1s for this location: nginx sends close_notify and closes the idle connection.
        Assert.Equal("short", await TextAsync(_client, Origin, "/short-keepalive"));
        await Task.Delay(2500);

        // A POST is never retried: it only succeeds if it goes out on a fresh connection.
        HttpGenResult result = await _client.SendAndReadAsync(Origin, Request("/discard", RequestMethod.Post), new byte[1], "x"u8.ToArray());
        Assert.Equal(new HttpGenResult(204, 0), result);
        Assert.Equal(2, _client.ConnectionsOpened);
    }

    [NginxFact]
    public async Task Trailers_of_a_chunked_response_over_TLS()
    {
        await using HttpGenResponse<ClientTestResponse> response = await _client.SendAsync(Origin, Request("/trailer/page.html"));
        Assert.Equal(BodyKind.Chunked, response.BodyFraming.Kind);
        Assert.StartsWith("<p>hello world</p>", NginxFixture.Text(await response.ReadAllAsync()));
        var trailers = new List<string>();
        foreach (HeaderField field in response.EnumerateTrailers())
        {
            trailers.Add(Encoding.ASCII.GetString(field.Name) + "=" + Encoding.ASCII.GetString(field.Value));
        }

        Assert.Equal(["X-Checksum=42", $"X-Served-By=nginx {nginx.TlsPort}"], trailers);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
