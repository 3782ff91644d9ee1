using System.Text;
using HttpGen.Client;

namespace HttpGen.Tests.Client;

/// <summary>
/// A raw test server and a client for it; disposed after each test. xunit 2 disposes a test class through
/// <see cref="IAsyncLifetime"/> (it does not know <see cref="IAsyncDisposable"/>), hence both.
/// </summary>
public abstract class ClientTestBase : IAsyncDisposable, Xunit.IAsyncLifetime
{
    protected ClientTestBase(HttpGenClientOptions? options = null)
    {
        Server = new RawHttpServer();
        Origin = new HttpOrigin("127.0.0.1", Server.Port);
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(options ?? new HttpGenClientOptions());
    }

    protected RawHttpServer Server { get; }

    protected HttpOrigin Origin { get; }

    protected HttpGenClient<ClientTestRequest, ClientTestResponse> Client { get; set; }

    protected ClientTestRequest Request(string target, RequestMethod method = RequestMethod.Get) =>
        new() { Method = method, Target = Encoding.ASCII.GetBytes(target), Host = Origin.HostHeader.Span };

    /// <summary>Waits until the raw server has received <paramref name="count"/> requests in all (fails after 10 s).</summary>
    protected async Task WaitForServerRequestsAsync(int count)
    {
        for (int i = 0; i < 1000 && Server.Requests < count; i++)
        {
            await Task.Delay(10);
        }

        if (Server.Requests < count)
        {
            throw new Xunit.Sdk.XunitException($"the server saw {Server.Requests} requests, expected {count}");
        }
    }

    /// <summary>Sends a GET and reads the body as text.</summary>
    protected async Task<(int Status, string Body, int? ConnectionRequest)> GetAsync(string target, RequestMethod method = RequestMethod.Get)
    {
        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, Request(target, method));
        ReadOnlyMemory<byte> body = await response.ReadAllAsync();
        return (response.StatusCode, Encoding.Latin1.GetString(body.Span), response.Head.ConnectionRequest);
    }

    Task Xunit.IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    Task Xunit.IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public virtual async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
