using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// <see cref="HttpServerOptions.UseEpoll"/>: plain connections run on HttpGen's own epoll loops, handlers on the loop's
/// thread; TLS connections stay on .NET's sockets. Every other server test also runs with the option on in CI
/// (<c>HTTPGEN_SERVER_EPOLL=1</c>, see .ci/run), so the behaviour under hostile clients is the same either way.
/// </summary>
public class EpollServerTests
{
    private const string LoopThreadPrefix = "HttpGen server epoll";

    private static DelegateHandler<EchoRequest, EchoResponse> RecordingThread(List<string?> names) => new((request, response, body, output, token) =>
    {
        lock (names)
        {
            names.Add(Thread.CurrentThread.Name);
        }

        output.Write("ok"u8);
        return ValueTask.CompletedTask;
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Handlers_of_plain_connections_run_on_an_epoll_loop_only_when_asked(bool useEpoll)
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests run where the option applies");
        var names = new List<string?>();
        await using RunningServer server = await RunningServer.StartAsync(o => o.UseEpoll = useEpoll, RecordingThread(names));
        using RawConnection c = server.Connect();
        for (int i = 0; i < 3; i++)
        {
            c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = c.ReadResponse();
            Assert.Equal((200, "ok"), (response.StatusCode, response.BodyText));
        }

        c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n"); // pipelined
        Assert.Equal(200, c.ReadResponse().StatusCode);
        Assert.Equal(200, c.ReadResponse().StatusCode);

        // The first request may be read by the thread that accepted the connection, if its bytes were already there;
        // every later one waited for the network, and its wait ends on the loop's thread.
        Assert.Equal(5, names.Count);
        Assert.All(names.Skip(1), name => Assert.Equal(useEpoll, name?.StartsWith(LoopThreadPrefix, StringComparison.Ordinal) == true));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3", 3)]
    public async Task The_environment_turns_the_option_on_and_sets_the_number_of_loops(string threads, int expected)
    {
        int port = ExternalTools.FreePort();
        await using EchoServerProcess server = await EchoServerProcess.StartAsync(port, reusePort: false,
            new Dictionary<string, string> { ["HTTPGEN_SERVER_EPOLL"] = "1", ["HTTPGEN_SERVER_EPOLL_THREADS"] = threads }, []);
        using (var c = new RawConnection(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)))
        {
            c.Send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n");
            Assert.Equal(200, c.ReadResponse().StatusCode);
        }

        // Linux keeps the first 15 bytes of a thread's name: "HttpGen server " for every loop thread.
        int loops = Directory.GetDirectories($"/proc/{server.ProcessId}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith("HttpGen server", StringComparison.Ordinal));
        Assert.Equal(expected, loops);
        await server.StopAsync();
    }

    [Fact]
    public async Task TLS_connections_stay_on_dotnet_sockets_with_the_option_on()
    {
        var names = new List<string?>();
        await using RunningServer server = await RunningServer.StartTlsAsync(o => o.UseEpoll = true, RecordingThread(names));
        using RawConnection tls = await server.ConnectTlsAsync();
        tls.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.Equal(200, tls.ReadResponse().StatusCode);
        Assert.Single(names);
        Assert.False(names[0]?.StartsWith(LoopThreadPrefix, StringComparison.Ordinal) == true, names[0]);
    }
}
