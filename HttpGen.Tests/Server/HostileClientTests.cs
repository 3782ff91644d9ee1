using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EchoServer;
using HttpGen.Server;
using Xunit;

namespace HttpGen.Tests.Server;

/// <summary>
/// Clients that attack the server's limits: trickled heads and bodies, peers that never read, peers that vanish while a
/// handler runs. Every protection is tested with small settings, and each test would hang or fail without it.
/// </summary>
public class HostileClientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // every protection holds over TLS too: the same loop runs there
    public async Task A_head_trickled_one_line_at_a_time_gets_408_when_the_head_timeout_passes(bool tls)
    {
        // Before the fix every receive set a new deadline, so a line every 300 ms kept the connection forever.
        await using RunningServer server = await RunningServer.StartAsync(tls, o => o.RequestHeadTimeout = TimeSpan.FromSeconds(1));
        using RawConnection c = await server.ConnectAsync(tls);
        var clock = Stopwatch.StartNew();
        c.Send("GET /plaintext HTTP/1.1\r\n");
        using var stop = new CancellationTokenSource();
        Task trickle = TrickleAsync(c, Enumerable.Range(0, 30).Select(i => $"X-Line-{i}: v\r\n"), 300, stop.Token);

        RawResponse response = c.ReadResponse();
        stop.Cancel();
        await trickle;
        Assert.Equal((408, "close"), (response.StatusCode, response.Header("Connection")));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task A_head_trickled_one_byte_at_a_time_gets_408_when_the_head_timeout_passes()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.RequestHeadTimeout = TimeSpan.FromSeconds(1));
        using RawConnection c = server.Connect();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        string head = "GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Slow: " + new string('a', 200) + "\r\n\r\n";
        Task trickle = TrickleAsync(c, head.Select(ch => ch.ToString()), 100, stop.Token);

        RawResponse response = c.ReadResponse();
        stop.Cancel();
        await trickle;
        Assert.Equal(408, response.StatusCode);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 4);
    }

    [Fact]
    public async Task The_head_timeout_starts_at_the_first_byte_not_at_the_connection()
    {
        // An idle keep-alive wait is not part of a head's time: a request after 1.5 s idle with a 1 s head timeout is fine.
        await using RunningServer server = await RunningServer.StartAsync(o => o.RequestHeadTimeout = TimeSpan.FromSeconds(1));
        using RawConnection c = server.Connect();
        await Task.Delay(1500);
        c.Send("GET /plaintext HTTP/1.1\r\n");
        await Task.Delay(500);
        c.Send("Host: t\r\n\r\n");
        Assert.Equal(200, c.ReadResponse().StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_trickled_below_the_minimum_rate_gets_408(bool tls)
    {
        // Each read makes progress, so the per-read timeout never fires: only the rate catches this client.
        await using RunningServer server = await RunningServer.StartAsync(tls, o =>
        {
            o.BodyReadTimeout = TimeSpan.FromSeconds(30);
            o.MinRequestBodyDataRate = new MinDataRate(100, TimeSpan.FromSeconds(1));
        });
        using RawConnection c = await server.ConnectAsync(tls);
        var clock = Stopwatch.StartNew();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
        using var stop = new CancellationTokenSource();
        Task trickle = TrickleAsync(c, Enumerable.Repeat("x", 1000), 100, stop.Token);

        RawResponse response = c.ReadResponse();
        stop.Cancel();
        await trickle;
        Assert.Equal((408, "close"), (response.StatusCode, response.Header("Connection")));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 5);
        await server.WaitForNoConnectionsAsync();
    }

    [Fact]
    public async Task A_body_at_a_steady_rate_above_the_minimum_is_read_whole()
    {
        await using RunningServer server = await RunningServer.StartAsync(o => o.MinRequestBodyDataRate = new MinDataRate(100, TimeSpan.FromMilliseconds(500)));
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 300\r\n\r\n");
        for (int i = 0; i < 10; i++)
        {
            c.Send(new string((char)('a' + i), 30)); // 30 bytes every 100 ms: 300 B/s
            await Task.Delay(100);
        }

        RawResponse response = c.ReadResponse();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(300, response.Body.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_never_reads_is_dropped_and_the_handler_token_cancelled(bool tls)
    {
        var handler = new StreamingHandler(totalBytes: 256L * 1024 * 1024);
        await using RunningServer server = await RunningServer.StartAsync(
            tls, o => o.MinResponseDataRate = new MinDataRate(1000, TimeSpan.FromSeconds(1)), handler);
        using RawConnection c = await server.ConnectAsync(tls, receiveBufferSize: 4096);
        c.Send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n");

        // The client reads nothing. Once the kernel buffers are full, a 16 KiB send needs more than 1 s + 16 s at
        // 1,000 B/s: the server gives up, closes, and the streaming handler sees its token cancelled.
        var clock = Stopwatch.StartNew();
        Assert.True(await handler.Ended.Task.WaitAsync(TimeSpan.FromSeconds(60)), "the handler's token was not cancelled");
        await server.WaitForNoConnectionsAsync();
        Assert.InRange(clock.Elapsed.TotalSeconds, 1, 40);
        Assert.True(handler.BytesSent < handler.TotalBytes);
    }

    [Fact]
    public async Task A_streamed_body_larger_than_its_content_length_sends_not_one_byte_of_the_excess()
    {
        // 64 KiB is buffered, the next write streams: the head goes out with Content-Length: 1000, then the write that
        // would exceed it fails and the connection closes without a single body byte.
        var handler = new StreamingHandler(totalBytes: 256 * 1024, declaredLength: 1000);
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        using var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        c.Connect(server.EndPoint);
        c.Send(Encoding.ASCII.GetBytes("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
        c.ReceiveTimeout = 10_000;
        var received = new MemoryStream();
        byte[] buffer = new byte[65536];
        for (int n; (n = c.Receive(buffer)) > 0;)
        {
            received.Write(buffer, 0, n);
        }

        string all = Encoding.Latin1.GetString(received.ToArray());
        int headEnd = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, all);
        Assert.Contains("Content-Length: 1000\r\n", all[..(headEnd + 2)]);
        Assert.Equal(0, all.Length - headEnd - 4);
        Assert.True(await handler.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10)) || handler.BytesSent < handler.TotalBytes);
    }

    [Theory]
    [InlineData(false)] // FIN: the client closed its side
    [InlineData(true)]  // RST
    public async Task The_handler_token_is_cancelled_when_the_peer_goes_away(bool reset)
    {
        var handler = new WaitingHandler();
        await using RunningServer server = await RunningServer.StartAsync(o => o.KeepAliveTimeout = TimeSpan.FromSeconds(2), handler);
        RawConnection c = server.Connect();
        c.Send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (reset)
        {
            c.Socket.LingerState = new LingerOption(true, 0);
            c.Dispose();
        }
        else
        {
            c.Socket.Shutdown(SocketShutdown.Send);
        }

        Assert.True(await handler.Canceled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await server.WaitForNoConnectionsAsync();
        c.Dispose();
    }

    [Fact]
    public async Task The_handler_token_stays_quiet_while_the_peer_waits()
    {
        var handler = new WaitingHandler { Release = TimeSpan.FromSeconds(2) };
        await using RunningServer server = await RunningServer.StartAsync(handler: handler);
        using RawConnection c = server.Connect();
        c.Send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse response = c.ReadResponse();
        Assert.Equal(200, response.StatusCode);
        Assert.False(handler.Canceled.Task.IsCompleted);
    }

    [Fact]
    public async Task HTTP_1_0_is_never_sent_100_Continue()
    {
        // RFC 9110 §15.2: a server must not send a 1xx response to an HTTP/1.0 client; the expectation is ignored.
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        Assert.True(c.NothingArrives(500), "the server answered before the body arrived");
        c.Send("hello");
        RawResponse response = c.ReadResponse();
        Assert.StartsWith("HTTP/1.1 200", response.StatusLine);
        Assert.Equal("hello", response.BodyText);
    }

    [Fact]
    public async Task HTTP_1_1_still_gets_100_Continue_when_the_body_is_read()
    {
        await using RunningServer server = await RunningServer.StartAsync();
        using RawConnection c = server.Connect();
        c.Send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        Assert.Equal(100, c.ReadResponse().StatusCode);
        c.Send("hello");
        Assert.Equal("hello", c.ReadResponse().BodyText);
    }

    [Fact]
    public async Task Header_values_stay_right_when_the_receive_buffer_is_compacted_under_a_half_parsed_head()
    {
        // Request 1 and the start of request 2 fill the 256-byte receive buffer exactly; the rest of request 2 comes
        // later, so the buffer is compacted between the two parses of its head. Before the fix the handler read the
        // Host of request 2 from where it had been before the compaction.
        await using RunningServer server = await RunningServer.StartAsync(o => o.ReceiveBufferSize = 256, new HostEchoHandler());
        string first = "GET /1 HTTP/1.1\r\nHost: one.example\r\nX-Pad: ";
        string second = "GET /2 HTTP/1.1\r\nHost: two.example\r\nX-Pad: ";
        first += new string('p', 256 - first.Length - 4 - second.Length - 10) + "\r\n\r\n";
        string start = first + second + new string('q', 10);
        Assert.Equal(256, start.Length);

        using RawConnection c = server.Connect();
        c.Send(start);
        Assert.Equal("one.example", c.ReadResponse().BodyText);
        await Task.Delay(300);
        c.Send(new string('q', 300) + "\r\n\r\n");
        Assert.Equal("two.example", c.ReadResponse().BodyText);
    }

    [Fact]
    public async Task Request_values_stay_right_after_the_handler_reads_a_body_that_refills_the_buffer()
    {
        // The head is consumed before the handler runs; before the fix, reading the body received into the start of the
        // buffer (or compacted, or grew it and returned the old array to the pool) under the head the handler still held.
        await using RunningServer server = await RunningServer.StartAsync(handler: new HeadAfterBodyHandler());
        using RawConnection c = server.Connect();
        c.Send("POST /some/path HTTP/1.1\r\nHost: the-host.example\r\nContent-Length: 20000\r\n\r\n" + new string('x', 3000));
        await Task.Delay(200);
        c.Send(new string('y', 17000));
        Assert.Equal("path=/some/path host=the-host.example", c.ReadResponse().BodyText);
    }

    private static async Task TrickleAsync(RawConnection c, IEnumerable<string> pieces, int delayMs, CancellationToken token)
    {
        try
        {
            foreach (string piece in pieces)
            {
                await Task.Delay(delayMs, token);
                c.Send(piece);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
    }
}

/// <summary>Streams a large body with WriteAsync in 64 KiB writes, recording how far it got and how it ended.</summary>
internal sealed class StreamingHandler(long totalBytes, long? declaredLength = null) : IHttpHandler<EchoRequest, EchoResponse>
{
    private readonly byte[] _chunk = Enumerable.Repeat((byte)'z', 64 * 1024).ToArray();

    public long TotalBytes => totalBytes;

    public long BytesSent;

    /// <summary>Completes with true when the handler saw its token cancelled (or a write fail), false when it finished.</summary>
    public TaskCompletionSource<bool> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        if (declaredLength is { } length)
        {
            response.BodyFraming = new BodyFraming(BodyKind.ContentLength, length);
        }

        try
        {
            while (BytesSent < totalBytes)
            {
                await responseBody.WriteAsync(_chunk, cancellationToken);
                BytesSent += _chunk.Length;
            }

            Ended.TrySetResult(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            Ended.TrySetResult(true);
            throw;
        }
        catch (Exception)
        {
            Ended.TrySetResult(cancellationToken.IsCancellationRequested);
            throw;
        }
    }
}

/// <summary>Waits on its token (or for <see cref="Release"/>), recording when it started and whether it was cancelled.</summary>
internal sealed class WaitingHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    public TimeSpan Release { get; init; } = Timeout.InfiniteTimeSpan;

    public bool IgnoreToken { get; init; }

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<bool> Canceled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        Started.TrySetResult();
        try
        {
            await Task.Delay(Release, IgnoreToken ? CancellationToken.None : cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Canceled.TrySetResult(true);
            throw;
        }

        responseBody.Write("done"u8);
    }
}

/// <summary>Answers with the request's declared Host header value, as the handler reads it.</summary>
internal sealed class HostEchoHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    public ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        responseBody.Write(request.Host);
        return default;
    }
}

/// <summary>Reads the whole body first, then answers with the request's path and Host.</summary>
internal sealed class HeadAfterBodyHandler : IHttpHandler<EchoRequest, EchoResponse>
{
    public async ValueTask HandleAsync(EchoRequest request, EchoResponse response, HttpRequestBody requestBody, HttpResponseBody responseBody, CancellationToken cancellationToken)
    {
        byte[] chunk = new byte[1000];
        while (await requestBody.ReadAsync(chunk, cancellationToken) > 0)
        {
        }

        responseBody.Write(Encoding.ASCII.GetBytes("path=" + Encoding.Latin1.GetString(request.Path) + " host=" + Encoding.Latin1.GetString(request.Host)));
    }
}
