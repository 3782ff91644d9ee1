using System.Text;
using HttpGen.Caching;
using HttpGen.Client;
using HttpGen.Tests.Caching;
using Xunit;

namespace HttpGen.Tests.Client;

/// <summary>
/// A client with a private cache on a controlled clock (starting at <see cref="CacheScenario.T0"/>), in front of the raw
/// test server, whose answers the tests script with <see cref="Origin"/>.
/// </summary>
public abstract class ClientCacheTestBase : ClientTestBase
{
    /// <summary>The Date line of T0.</summary>
    protected const string DateT0 = "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n";

    protected ClientCacheTestBase(HttpCacheOptions? cacheOptions = null)
    {
        Clock = new ManualClock(CacheScenario.T0);
        Cache = new HttpCache(cacheOptions, timeProvider: Clock);
        Client.Dispose();
        Client = new HttpGenClient<ClientTestRequest, ClientTestResponse>(new HttpGenClientOptions { Cache = Cache });
    }

    protected ManualClock Clock { get; }

    protected HttpCache Cache { get; }

    /// <summary>Scripts the origin: the whole response for each request head.</summary>
    protected void Script(Func<string, string> respond) => Server.Respond = head => Task.FromResult<string?>(respond(head));

    /// <summary>A 200 with the given header lines and a Content-Length body.</summary>
    protected static string Ok(string fields, string body) => $"HTTP/1.1 200 OK\r\n{fields}Content-Length: {body.Length}\r\n\r\n{body}";

    /// <summary>A response of any status without a body.</summary>
    protected static string Empty(string status, string fields) => $"HTTP/1.1 {status}\r\n{fields}\r\n";

    /// <summary>A Date line of the cache's clock now (what a real origin would send).</summary>
    protected string DateNow => "Date: " + Clock.Time.ToString("r", System.Globalization.CultureInfo.InvariantCulture) + "\r\n";

    /// <summary>Moves the cache's clock to <paramref name="seconds"/> after T0.</summary>
    protected void At(int seconds) => Clock.Time = CacheScenario.T0.AddSeconds(seconds);

    /// <summary>Sends a request (with extra header lines) and reads the whole response.</summary>
    protected async Task<Answer> SendAsync(string target, string extraFields = "", RequestMethod method = RequestMethod.Get, byte[]? content = null)
    {
        ClientTestRequest request = Request(target, method);
        foreach (string line in extraFields.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            request.ExtraHeaders.Add(line[..colon], line[(colon + 1)..].Trim());
        }

        await using HttpGenResponse<ClientTestResponse> response = await Client.SendAsync(Origin, request, content is null ? default : HttpRequestContent.FromBytes(content));
        ReadOnlyMemory<byte> body = await response.ReadAllAsync();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (HeaderField field in response.Head.Headers)
        {
            string name = Encoding.Latin1.GetString(field.Name);
            string value = Encoding.Latin1.GetString(field.Value);
            fields[name] = fields.TryGetValue(name, out string? earlier) ? earlier + ", " + value : value;
        }

        return new Answer(response.StatusCode, Encoding.Latin1.GetString(body.Span), response.IsFromCache, response.CacheStatus, fields);
    }

    /// <summary>The request heads the origin received, as text.</summary>
    protected string[] Received => [.. Server.RequestHeads];

    /// <summary>A response as the caller saw it.</summary>
    protected sealed record Answer(int Status, string Body, bool FromCache, CacheStatus CacheStatus, Dictionary<string, string> Fields)
    {
        public string? Field(string name) => Fields.TryGetValue(name, out string? value) ? value : null;
    }

    /// <summary>Asserts that the origin received <paramref name="count"/> requests over all.</summary>
    protected void AssertOriginRequests(int count) => Assert.Equal(count, Server.Requests);
}
