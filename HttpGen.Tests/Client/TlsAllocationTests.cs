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
/// idle probe read) complete through pooled state machines. nginx runs in its own process, so the count is the client's.
/// </summary>
[Collection(nameof(ClientAllocationCollection))]
public sealed class TlsAllocationTests(NginxFixture nginx, ITestOutputHelper output) : IClassFixture<NginxFixture>
{
    private const int Iterations = 3000;

    [OptimizedRuntimeNginxFact]
    public async Task Keep_alive_GET_over_TLS_allocates_nothing_per_request()
    {
        using var client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { ServerCertificateValidation = TestCertificates.TrustTestServer });
        var origin = new HttpOrigin("https", "localhost", nginx.TlsPort);
        var request = new ClientTestRequest { Target = "/plaintext"u8, Host = "localhost"u8 };
        byte[] buffer = new byte[64];
        long best = await Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                await client.SendAndReadAsync(origin, request, buffer).ConfigureAwait(false);
            }

            long lowest = long.MaxValue;
            for (int run = 0; run < 3; run++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Iterations; i++)
                {
                    HttpGenResult result = await client.SendAndReadAsync(origin, request, buffer).ConfigureAwait(false);
                    if (result.BodyLength != 13)
                    {
                        throw new InvalidOperationException("wrong body");
                    }
                }

                lowest = Math.Min(lowest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }

            return lowest;
        });

        output.WriteLine($"over TLS: {(double)best / Iterations:F3} bytes/request");
        Assert.Equal(1, client.ConnectionsOpened);
        Assert.True(best < 4L * Iterations, $"{best} bytes allocated over {Iterations} requests ({(double)best / Iterations:F3} per request)");
    }
}
