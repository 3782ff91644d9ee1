using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HttpGen.Chunked;

namespace HttpGen.Tests.Client;

/// <summary>
/// A small HTTP/1.1 server on raw sockets for the client tests, loopback only. It answers by path, counts connections
/// (total, current, most at once), can be slow, can close its idle connections, and can misbehave on purpose.
/// </summary>
/// <remarks>
/// Routes (query parameters in brackets):
/// <c>/cl</c> [size, default 5: "hello" for 5] Content-Length body;
/// <c>/chunked</c> [size, chunk] chunked body;
/// <c>/close</c> [size] body delimited by closing the connection;
/// <c>/slow</c> [ms, size] waits, then a Content-Length body;
/// <c>/connclose</c> Content-Length body with <c>Connection: close</c>, then closes;
/// <c>/status</c> [code] that status with no body (204, 304 with a Content-Length header) or an empty one;
/// <c>/interim</c> 100 Continue and 103 Early Hints, then 200;
/// <c>/echo</c> echoes the request body, saying its framing in X-Request-Framing (and a chunked body's trailer fields
/// in X-Request-Trailers, as <c>name=value</c> pairs joined by <c>;</c>);
/// <c>/drop-reused</c> on a connection that already served a request: closes without answering;
/// <c>/upgrade</c> answers a request with Upgrade by 101 and <c>HELLO</c> in the same write, then echoes every byte
/// (without Upgrade: 400); a <c>CONNECT</c> request gets 200 and the same echo;
/// <c>/interim-forever</c> sends 100 Continue heads until the client goes away; <c>/interim-large</c> [count, size]
/// sends that many 103 heads with a Link field of that size, then 200;
/// <c>/close-notify</c> answers, then closes its sending side (TLS close_notify, or FIN) and waits for the client to go;
/// <c>/stray-after-body</c> [size] a Content-Length body followed by a whole second response, in one write;
/// bad ones: <c>/bad-status</c>, <c>/dup-cl</c>, <c>/bare-lf-chunk</c>, <c>/close-mid-body</c>, <c>/huge-head</c>, <c>/trailing-garbage</c>.
/// Every response carries X-Connection-Request: the 1-based number of the request on its connection. With a
/// certificate the server speaks TLS (ALPN http/1.1) on every connection.
/// </remarks>
public sealed partial class RawHttpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Conn> _connections = new();
    private readonly Task _acceptLoop;
    private int _nextId;
    private int _current;
    private int _max;
    private int _total;
    private int _requests;
    private int _disposed;
    private readonly X509Certificate2? _certificate;

    public RawHttpServer(IPAddress? address = null, X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        address ??= IPAddress.Loopback;
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public int TotalConnections => Volatile.Read(ref _total);

    public int CurrentConnections => Volatile.Read(ref _current);

    public int MaxConcurrentConnections => Volatile.Read(ref _max);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// Answers a request before the routes do, when set: given the request head as received (through its blank line),
    /// the whole response as text (Latin-1), or null to let the routes answer. For scripted origins (the cache tests).
    /// </summary>
    public Func<string, Task<string?>>? Respond { get; set; }

    /// <summary>Request heads as received, oldest first.</summary>
    public ConcurrentQueue<string> RequestHeads { get; } = new();

    /// <summary>Closes every connection that is waiting for its next request (sends FIN).</summary>
    /// <returns>How many were closed.</returns>
    public int CloseIdleConnections()
    {
        int closed = 0;
        foreach (Conn c in _connections.Values)
        {
            if (c.Idle)
            {
                c.Close();
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Waits until the server has no open connection (the client closed them), up to a bound.</summary>
    public Task<bool> WaitForNoConnectionsAsync(TimeSpan timeout) => WaitForConnectionsAsync(0, timeout);

    /// <summary>Waits until the server has at most <paramref name="count"/> open connections, up to a bound.</summary>
    public async Task<bool> WaitForConnectionsAsync(int count, TimeSpan timeout)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < end)
        {
            if (CurrentConnections <= count)
            {
                return true;
            }

            await Task.Delay(10);
        }

        return CurrentConnections <= count;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            socket.NoDelay = true;
            int id = Interlocked.Increment(ref _nextId);
            var conn = new Conn(socket);
            _connections[id] = conn;
            Interlocked.Increment(ref _total);
            int now = Interlocked.Increment(ref _current);
            int max;
            while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
            {
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    if (_certificate is not null)
                    {
                        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
                        conn.Stream = tls;
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = _certificate,
                            ApplicationProtocols = [SslApplicationProtocol.Http11],
                        });
                    }

                    await ServeAsync(conn);
                }
                catch (Exception)
                {
                    // A client that went away: nothing to do.
                }
                finally
                {
                    conn.Close();
                    _connections.TryRemove(id, out _);
                    Interlocked.Decrement(ref _current);
                }
            });
        }
    }

    private async Task ServeAsync(Conn c)
    {
        while (true)
        {
            // The head, up to the blank line.
            c.Idle = c.Start == c.End;
            int headEnd;
            while ((headEnd = c.Buffer.AsSpan(c.Start, c.End - c.Start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await c.FillAsync())
                {
                    return;
                }

                c.Idle = false;
            }

            c.Idle = false;
            string head = Encoding.Latin1.GetString(c.Buffer, c.Start, headEnd + 4);
            c.Start += headEnd + 4;
            RequestHeads.Enqueue(head);
            Interlocked.Increment(ref _requests);
            c.Served++;

            string[] lines = head.Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            string method = requestLine[0];
            string target = requestLine[1];
            long contentLength = -1;
            bool chunked = false;
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    continue;
                }

                string name = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
                }
            }

            string requestTrailers = "";
            byte[] body = chunked ? await ReadChunkedAsync(c, t => requestTrailers = t) : await ReadExactAsync(c, Math.Max(0, contentLength));
            string framing = chunked ? "chunked" : contentLength >= 0 ? "content-length" : "none";

            int q = target.IndexOf('?');
            string path = q < 0 ? target : target[..q];
            Dictionary<string, string> query = q < 0
                ? []
                : target[(q + 1)..].Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
            int Int(string key, int fallback) => query.TryGetValue(key, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
            bool head_ = method == "HEAD";
            string tag = $"X-Connection-Request: {c.Served}\r\n";

            if (Respond is { } respond && await respond(head) is { } scripted)
            {
                await c.SendAsync(scripted);
                continue;
            }

            if (method == "CONNECT")
            {
                await c.SendAsync($"HTTP/1.1 200 Connection Established\r\n{tag}\r\n");
                await c.EchoAsync();
                return;
            }

            switch (path)
            {
                case "/upgrade":
                    if (!head.Contains("\r\nUpgrade: ", StringComparison.OrdinalIgnoreCase))
                    {
                        await c.SendAsync($"HTTP/1.1 400 Bad Request\r\n{tag}Content-Length: 0\r\n\r\n");
                        break;
                    }

                    await c.SendAsync($"HTTP/1.1 101 Switching Protocols\r\n{tag}Upgrade: echo\r\nConnection: upgrade\r\n\r\nHELLO");
                    await c.EchoAsync();
                    return;

                case "/interim-forever":
                {
                    byte[] interim = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();
                    while (true)
                    {
                        await c.SendAsync(interim); // until the client closes and this throws
                    }
                }

                case "/interim-large":
                {
                    string link = "Link: <" + new string('l', Int("size", 12_000)) + ">; rel=preload\r\n";
                    for (int i = 0; i < Int("count", 5); i++)
                    {
                        await c.SendAsync($"HTTP/1.1 103 Early Hints\r\n{link}\r\n");
                    }

                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nfinal");
                    break;
                }

                case "/close-notify":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nhello");
                    await Task.Delay(50);
                    await c.ShutdownSendAsync();
                    while (await c.FillAsync())
                    {
                    }

                    return;

                case "/stray-after-body":
                {
                    byte[] data = Body(Int("size", 6000));
                    byte[] stray = Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Connection-Request: 99\r\n\r\nEVIL!");
                    byte[] responseHead = Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\n{tag}Content-Length: {data.Length}\r\n\r\n");
                    await c.SendAsync([.. responseHead, .. data, .. stray]);
                    break;
                }

                case "/stray-later":
                    // A complete response, then, while the connection is idle, a second one nobody asked for.
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nhello");
                    await Task.Delay(Int("ms", 50));
                    await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Connection-Request: 99\r\n\r\nEVIL!");
                    break;

                case "/cl":
                case "/slow":
                {
                    if (path == "/slow")
                    {
                        await Task.Delay(Int("ms", 100));
                    }

                    byte[] data = Body(Int("size", 5));
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: {data.Length}\r\nContent-Type: text/plain\r\n\r\n");
                    if (!head_)
                    {
                        await c.SendAsync(data);
                    }

                    break;
                }

                case "/chunked":
                {
                    byte[] data = Body(Int("size", 5));
                    int chunk = Int("chunk", 2);
                    var writer = new ArrayBufferWriter<byte>();
                    for (int i = 0; i < data.Length; i += chunk)
                    {
                        ChunkedEncoder.WriteChunk(writer, data.AsSpan(i, Math.Min(chunk, data.Length - i)));
                    }

                    if (query.ContainsKey("trailer"))
                    {
                        writer.Write("0\r\nX-Checksum: 42\r\n\r\n"u8);
                    }
                    else
                    {
                        ChunkedEncoder.WriteLastChunk(writer);
                    }

                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Transfer-Encoding: chunked\r\n\r\n");
                    if (!head_)
                    {
                        // In small pieces, so the client's decoder sees framing split across reads.
                        byte[] encoded = writer.WrittenSpan.ToArray();
                        int piece = Int("piece", encoded.Length);
                        for (int i = 0; i < encoded.Length; i += piece)
                        {
                            await c.SendAsync(encoded[i..Math.Min(encoded.Length, i + piece)]);
                        }
                    }

                    break;
                }

                case "/close":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Connection: close\r\n\r\n");
                    await c.SendAsync(Body(Int("size", 5)));
                    return;

                case "/connclose":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\nConnection: close\r\n\r\nhello");
                    return;

                case "/http10":
                    // An HTTP/1.0 response without keep-alive: the connection closes after it.
                    await c.SendAsync($"HTTP/1.0 200 OK\r\n{tag}Content-Length: 5\r\n\r\nhello");
                    return;

                case "/status":
                {
                    int code = Int("code", 204);
                    string extra = code == 304 ? "Content-Length: 100\r\n" : code == 204 ? "" : "Content-Length: 0\r\n";
                    await c.SendAsync($"HTTP/1.1 {code} Whatever\r\n{tag}{extra}\r\n");
                    break;
                }

                case "/interim":
                    await c.SendAsync("HTTP/1.1 100 Continue\r\n\r\n");
                    await Task.Delay(20);
                    await c.SendAsync("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nfinal");
                    break;

                case "/echo":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}X-Request-Framing: {framing}\r\nX-Request-Trailers: {requestTrailers}\r\nContent-Length: {body.Length}\r\n\r\n");
                    await c.SendAsync(body);
                    break;

                case "/drop-reused":
                    if (c.Served > 1)
                    {
                        return; // closes without a response byte
                    }

                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nfirst");
                    break;

                case "/bad-status":
                    await c.SendAsync("HTTP/1.1 200OK\r\nContent-Length: 5\r\n\r\nhello");
                    break;

                case "/dup-cl":
                    await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
                    break;

                case "/bare-lf-chunk":
                    await c.SendAsync("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n");
                    break;

                case "/stall-body":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 10\r\n\r\n01");
                    await Task.Delay(Int("ms", 3000));
                    return;

                case "/close-mid-body":
                    await c.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
                    await Task.Delay(20);
                    return;

                case "/huge-head":
                    await c.SendAsync("HTTP/1.1 200 OK\r\nX-Big: " + new string('x', 40_000) + "\r\nContent-Length: 0\r\n\r\n");
                    break;

                case "/trailing-garbage":
                    await c.SendAsync($"HTTP/1.1 200 OK\r\n{tag}Content-Length: 5\r\n\r\nhelloEXTRA");
                    break;

                default:
                    await c.SendAsync($"HTTP/1.1 404 Not Found\r\n{tag}Content-Length: 0\r\n\r\n");
                    break;
            }
        }
    }

    /// <summary>A body of <paramref name="size"/> bytes: "hello" for 5, otherwise a repeating alphabet.</summary>
    public static byte[] Body(int size)
    {
        if (size == 5)
        {
            return "hello"u8.ToArray();
        }

        byte[] data = new byte[size];
        for (int i = 0; i < size; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        return data;
    }

    private static async Task<byte[]> ReadExactAsync(Conn c, long length)
    {
        byte[] body = new byte[length];
        int got = 0;
        while (got < length)
        {
            if (c.Start == c.End && !await c.FillAsync())
            {
                throw new IOException("client closed mid-body");
            }

            int n = (int)Math.Min(c.End - c.Start, length - got);
            c.Buffer.AsSpan(c.Start, n).CopyTo(body.AsSpan(got));
            c.Start += n;
            got += n;
        }

        return body;
    }

    private static async Task<byte[]> ReadChunkedAsync(Conn c, Action<string> trailers)
    {
        var decoder = new ChunkedDecoder();
        var output = new MemoryStream();
        byte[] scratch = new byte[16 * 1024];
        while (true)
        {
            if (c.Start < c.End)
            {
                OperationStatus status;
                do
                {
                    status = decoder.Decode(c.Buffer.AsSpan(c.Start, c.End - c.Start), scratch, out int consumed, out int written);
                    c.Start += consumed;
                    output.Write(scratch, 0, written);
                }
                while (status == OperationStatus.DestinationTooSmall);

                if (status == OperationStatus.Done)
                {
                    var fields = new List<string>();
                    foreach (HeaderField field in decoder.EnumerateTrailers())
                    {
                        fields.Add(Encoding.Latin1.GetString(field.Name) + "=" + Encoding.Latin1.GetString(field.Value));
                    }

                    trailers(string.Join(";", fields));
                    return output.ToArray();
                }

                if (status == OperationStatus.InvalidData)
                {
                    throw new IOException("bad chunked request body: " + decoder.Error);
                }
            }

            if (!await c.FillAsync())
            {
                throw new IOException("client closed mid-body");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _listener.Dispose();
        foreach (Conn c in _connections.Values)
        {
            c.Close();
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}
