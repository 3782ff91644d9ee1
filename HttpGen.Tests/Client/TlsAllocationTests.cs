using HttpGen.Client;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Client;

/// <summary>A test against nginx (see <see cref="NginxFactAttribute"/>) that also needs an optimized HttpGen.Runtime (see <see cref="OptimizedRuntimeFactAttribute"/>).</summary>
public sealed class OptimizedRuntimeNginxFactAttribute : FactAttribute
{
    public OptimizedRuntimeNginxFactAttribute()
    {
        Skip = new NginxFactAttribute().Skip ?? new OptimizedRuntimeFactAttribute().Skip;
    }
}

/// <summary>
/// Keep-alive GETs over TLS to nginx allocate nothing per request either: the TLS stream's reads and writes (and the
/// idle probe read) complete through pooled state machines. nginx runs in its own process, so the
/// count is the client's.
/// </summary>
[Collection(nameof(ClientAllocationCollection))]
public sealed class TlsAllocationTests(NginxFixture nginx, ITestOutputHelper output) : IClassFixture<NginxFixture>
{
    [OptimizedRuntimeNginxFact]
    public async Task Keep_alive_GET_over_TLS_allocates_nothing_per_request()
    {
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { ServerCertificateValidation = TestCertificates.TrustTestServer });
        var origin = new HttpOrigin("https", "localhost", nginx.TlsPort);
        var request = new ClientTestRequest { Target = "/plaintext"u8, Host = "localhost"u8 };
        long best = await ClientAllocationTests.MeasureSendAndReadAsync(client, origin, request);
        output.WriteLine($"over TLS: {(double)best / ClientAllocationTests.Iterations:F3} bytes/request");
        Assert.Equal(1, client.ConnectionsOpened);
        // The smallest object is 24 bytes, so under 24 bytes per request on average means that requests do not allocate.
        // The margin is wider than the plain test's because the count is the whole process's: on a busy machine a run
        // shows kilobytes from elsewhere (SslStream's pooled buffers missing the shared pool after a thread hop, timers
        // and loops of the other tests' servers): typically under 1 B/request, up to 17.5 seen on a clean-clone CI run.
        Assert.True(best < 24L * ClientAllocationTests.Iterations, $"{best} bytes allocated over {ClientAllocationTests.Iterations} requests ({(double)best / ClientAllocationTests.Iterations:F3} per request)");
    }
}
