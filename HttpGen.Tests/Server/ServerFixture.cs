using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using EchoServer;
using HttpGen.Server;
using HttpGen.Tests.Client;

namespace HttpGen.Tests.Server;

/// <summary>An in-process EchoServer on a free loopback port, stopped on dispose.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(HttpServer<EchoRequest, EchoResponse> server) => Server = server;

    public HttpServer<EchoRequest, EchoResponse> Server { get; }

    public IPEndPoint EndPoint => Server.LocalEndPoints[0];

    public int Port => EndPoint.Port;

    /// <summary>The first TLS endpoint, when the server has one (see <see cref="StartTlsAsync"/>).</summary>
    public IPEndPoint TlsEndPoint => Server.LocalEndPoints[Server.Options.Endpoints.Count + TlsEndpointIndex()];

    public int TlsPort => TlsEndPoint.Port;

    private int TlsEndpointIndex()
    {
        for (int i = 0; i < Server.Options.HttpEndpoints.Count; i++)
        {
            if (Server.Options.HttpEndpoints[i].IsTls)
            {
                return i;
            }
        }

        throw new InvalidOperationException("The server has no TLS endpoint.");
    }

    public static Task<RunningServer> StartAsync(Action<HttpServerOptions>? configure = null, IHttpHandler<EchoRequest, EchoResponse>? handler = null)
    {
        var options = new HttpServerOptions();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        configure?.Invoke(options);
        return StartAsync(options, handler ?? new EchoHandler());
    }

    /// <summary>A server with a plain endpoint and a TLS one (the test certificate for <c>localhost</c>), both on free ports.</summary>
    public static Task<RunningServer> StartTlsAsync(Action<HttpServerOptions>? configure = null, IHttpHandler<EchoRequest, EchoResponse>? handler = null) =>
        StartAsync(
            options =>
            {
                options.Listen(new IPEndPoint(IPAddress.Loopback, 0), endpoint => endpoint.Certificate = TestCertificates.Server);
                configure?.Invoke(options);
            },
            handler);

    /// <summary>A TLS connection to the TLS endpoint, trusting the test certificate, with <see cref="RawConnection"/>'s reader.</summary>
    public Task<RawConnection> ConnectTlsAsync(SslProtocols protocols = SslProtocols.None) => RawConnection.ConnectTlsAsync(TlsEndPoint, protocols);

    /// <summary>A connection to the TLS endpoint (<paramref name="tls"/>) or to the plain one.</summary>
    public async Task<RawConnection> ConnectAsync(bool tls, int? receiveBufferSize = null) =>
        tls ? await RawConnection.ConnectTlsAsync(TlsEndPoint, receiveBufferSize: receiveBufferSize) : new RawConnection(EndPoint, receiveBufferSize);

    /// <summary>A server with a TLS endpoint too (<paramref name="tls"/>), or a plain one only.</summary>
    public static Task<RunningServer> StartAsync(bool tls, Action<HttpServerOptions>? configure = null, IHttpHandler<EchoRequest, EchoResponse>? handler = null) =>
        tls ? StartTlsAsync(configure, handler) : StartAsync(configure, handler);

    private static async Task<RunningServer> StartAsync(HttpServerOptions options, IHttpHandler<EchoRequest, EchoResponse> handler)
    {
        var server = new HttpServer<EchoRequest, EchoResponse>(options, handler);
        await server.StartAsync();
        return new RunningServer(server);
    }

    public RawConnection Connect() => new(EndPoint);

    /// <summary>Waits until the server has no open connection, or fails after a few seconds.</summary>
    public async Task WaitForNoConnectionsAsync()
    {
        for (int i = 0; i < 200 && Server.ConnectionCount > 0; i++)
        {
            await Task.Delay(25);
        }

        if (Server.ConnectionCount != 0)
        {
            throw new Xunit.Sdk.XunitException($"{Server.ConnectionCount} connection(s) still open");
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>A response as the test client read it, independently of HttpGen's parser.</summary>
public sealed record RawResponse(string StatusLine, int StatusCode, List<(string Name, string Value)> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The trailer fields after the last chunk of a chunked body, as sent.</summary>
    public List<string> Trailers { get; init; } = new();

    public string BodyText => Encoding.Latin1.GetString(Body);
}

/// <summary>A raw TCP client that writes exact bytes and reads responses with its own small parser.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private SslStream? _tls;
    private int _start;
    private int _end;

    /// <param name="endPoint">Where to connect.</param>
    /// <param name="receiveBufferSize">SO_RCVBUF, set before connecting (a small one makes a client that reads slowly).</param>
    public RawConnection(IPEndPoint endPoint, int? receiveBufferSize = null)
    {
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is int size)
        {
            _socket.ReceiveBufferSize = size;
        }

        _socket.Connect(endPoint);
        _socket.ReceiveTimeout = 10_000;
    }

    /// <summary>Connects with TLS (SNI <c>localhost</c>, ALPN http/1.1), trusting only the test certificate.</summary>
    public static async Task<RawConnection> ConnectTlsAsync(IPEndPoint endPoint, SslProtocols protocols = SslProtocols.None, int? receiveBufferSize = null)
    {
        var connection = new RawConnection(endPoint, receiveBufferSize);
        var tls = new SslStream(new NetworkStream(connection._socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate?.GetCertHashString() == TestCertificates.Server.GetCertHashString() && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0,
        });
        connection._tls = tls;
        return connection;
    }

    public Socket Socket => _socket;

    /// <summary>The TLS stream of a connection made with <see cref="ConnectTlsAsync"/>.</summary>
    public SslStream Tls => _tls ?? throw new InvalidOperationException("not a TLS connection");

    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public void Send(ReadOnlySpan<byte> bytes)
    {
        if (_tls is not null)
        {
            _tls.Write(bytes);
            return;
        }

        while (!bytes.IsEmpty)
        {
            int sent = _socket.Send(bytes);
            bytes = bytes[sent..];
        }
    }

    // A receive from the socket or through TLS; a TLS read's timeout or reset surfaces as the socket's own exception.
    private int Receive(byte[] buffer, int offset = 0)
    {
        if (_tls is null)
        {
            return _socket.Receive(buffer, offset, buffer.Length - offset, SocketFlags.None);
        }

        try
        {
            return _tls.Read(buffer, offset, buffer.Length - offset);
        }
        catch (IOException e) when (e.InnerException is SocketException inner)
        {
            throw inner;
        }
    }

    /// <summary>Sends one byte at a time, with a tiny pause so that each arrives in its own segment.</summary>
    public async Task SendSlowlyAsync(string text, int delayMs = 1)
    {
        foreach (byte b in Encoding.Latin1.GetBytes(text))
        {
            Send(new[] { b });
            if (delayMs > 0)
            {
                await Task.Delay(delayMs);
            }
        }
    }

    public RawResponse ReadResponse(bool headRequest = false)
    {
        string statusLine = ReadLine();
        int status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new List<(string, string)>();
        for (string line = ReadLine(); line.Length > 0; line = ReadLine())
        {
            int colon = line.IndexOf(':');
            headers.Add((line[..colon], line[(colon + 1)..].Trim()));
        }

        var response = new RawResponse(statusLine, status, headers, Array.Empty<byte>());
        if (headRequest || status is < 200 or 204 or 304)
        {
            return response;
        }

        if (response.Header("Transfer-Encoding") is { } te)
        {
            if (!te.EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("unexpected Transfer-Encoding " + te);
            }

            var body = new MemoryStream();
            while (true)
            {
                int size = Convert.ToInt32(ReadLine().Split(';')[0], 16);
                if (size == 0)
                {
                    for (string trailer = ReadLine(); trailer.Length > 0; trailer = ReadLine())
                    {
                        response.Trailers.Add(trailer);
                    }

                    break;
                }

                body.Write(ReadExactly(size));
                if (ReadLine().Length != 0)
                {
                    throw new InvalidOperationException("chunk data not followed by CRLF");
                }
            }

            return response with { Body = body.ToArray() };
        }

        if (response.Header("Content-Length") is { } length)
        {
            return response with { Body = ReadExactly(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture)) };
        }

        return response with { Body = ReadToEnd() };
    }

    /// <summary>True when the server closed the connection (reads EOF, or a reset) within the timeout.</summary>
    public bool IsClosedByServer(int timeoutMs = 5000)
    {
        if (_end > _start)
        {
            return false;
        }

        _socket.ReceiveTimeout = timeoutMs;
        try
        {
            return Receive(_buffer) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return false;
        }
        finally
        {
            _socket.ReceiveTimeout = 10_000; // the usual wait for whatever the test reads next
        }
    }

    /// <summary>True when nothing arrives within <paramref name="timeoutMs"/>.</summary>
    public bool NothingArrives(int timeoutMs)
    {
        if (_end > _start)
        {
            return false;
        }

        _socket.ReceiveTimeout = timeoutMs;
        try
        {
            return Receive(_buffer) < 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return true;
        }
        finally
        {
            _socket.ReceiveTimeout = 10_000;
        }
    }

    public string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            byte b = ReadByte();
            if (b == '\n')
            {
                if (line.Length == 0 || line[^1] != '\r')
                {
                    throw new InvalidOperationException("bare LF from the server: " + line);
                }

                return line.ToString(0, line.Length - 1);
            }

            line.Append((char)b);
        }
    }

    private byte ReadByte()
    {
        if (_start == _end)
        {
            Fill();
        }

        return _buffer[_start++];
    }

    public byte[] ReadExactly(int count)
    {
        byte[] result = new byte[count];
        int copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                Fill();
            }

            int take = Math.Min(count - copied, _end - _start);
            _buffer.AsSpan(_start, take).CopyTo(result.AsSpan(copied));
            _start += take;
            copied += take;
        }

        return result;
    }

    private byte[] ReadToEnd()
    {
        var all = new MemoryStream();
        all.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        int n;
        while ((n = Receive(_buffer)) > 0)
        {
            all.Write(_buffer, 0, n);
        }

        return all.ToArray();
    }

    private void Fill()
    {
        _start = 0;
        _end = Receive(_buffer);
        if (_end == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _socket.Dispose();
    }
}
