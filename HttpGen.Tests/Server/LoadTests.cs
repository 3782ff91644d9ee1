using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace HttpGen.Tests.Server;

/// <summary>A short, bounded wrk run on loopback: no errors, no non-2xx, and every connection closed afterwards.</summary>
public class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Wrk_with_64_connections_sees_no_errors()
    {
        string wrk = ExternalTools.Require("wrk", "wrk");
        await using RunningServer server = await RunningServer.StartAsync();
        var (code, stdout, stderr) = await ExternalTools.RunAsync(wrk,
            new[] { "-t1", "-c64", "-d3s", "--timeout", "5s", $"http://127.0.0.1:{server.Port}/plaintext" }, TimeSpan.FromSeconds(30));
        output.WriteLine(stdout);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("Non-2xx", stdout);
        Assert.DoesNotContain("Socket errors", stdout);
        Match requests = Regex.Match(stdout, @"(\d+) requests in");
        Assert.True(requests.Success, stdout);
        Assert.True(long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture) > 1000, "the server answered a real load");
        Assert.InRange(server.Server.AcceptedConnections, 64, 70);
        await server.WaitForNoConnectionsAsync();
        Assert.Equal(0, server.Server.RejectedRequests);
    }
}
