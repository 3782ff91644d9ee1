using System.Net;

namespace HttpGen.Server;

/// <summary>Where a server listens, and the limits and timeouts that keep it safe. Defaults are safe for the internet.</summary>
public sealed class HttpServerOptions
{
    /// <summary>
    /// Plain (TCP) endpoints to listen on. Default, when neither this list nor <see cref="HttpEndpoints"/> has any:
    /// 127.0.0.1:8080. Add <see cref="IPAddress.IPv6Any"/> or <see cref="IPAddress.Any"/> as needed.
    /// </summary>
    public IList<IPEndPoint> Endpoints { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Endpoints with settings of their own, such as a TLS certificate (see <see cref="Listen"/>). They are bound after
    /// <see cref="Endpoints"/>, in order, and appear in that order in
    /// <see cref="HttpServer{TRequest, TResponse}.LocalEndPoints"/>.
    /// </summary>
    public IList<HttpEndpoint> HttpEndpoints { get; } = new List<HttpEndpoint>();

    /// <summary>Adds an endpoint to <see cref="HttpEndpoints"/>, configured by <paramref name="configure"/> (for TLS: set its certificate).</summary>
    /// <param name="endPoint">The address and port (0 for any free port).</param>
    /// <param name="configure">Sets the endpoint's options; null for a plain endpoint.</param>
    /// <returns>The endpoint.</returns>
    public HttpEndpoint Listen(IPEndPoint endPoint, Action<HttpEndpoint>? configure = null)
    {
        var endpoint = new HttpEndpoint(endPoint);
        configure?.Invoke(endpoint);
        HttpEndpoints.Add(endpoint);
        return endpoint;
    }

    /// <summary>
    /// Time a TLS connection may take, from its accept, to complete its handshake: a client that stalls, or that does
    /// not speak TLS, is closed without a word when it passes. Default 10 s.
    /// </summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Sets SO_REUSEPORT on the listening sockets (Linux), so that several processes can listen on one port and the
    /// kernel spreads connections among them. Off by default.
    /// </summary>
    public bool ReusePort { get; set; }

    /// <summary>
    /// Opt-in, Linux (x86-64, arm64) only: plain (not TLS) connections run on HttpGen's own epoll loops, one thread per
    /// processor, instead of .NET's socket engine. A connection's code, the handler included, runs on its loop's thread
    /// until it waits for the network, so a request costs no thread-pool hop: faster for short handlers, but a handler
    /// that blocks its thread (synchronous I/O, <c>Task.Wait</c>, long CPU work before its first await) holds up every
    /// connection of that loop. Off by default; TLS endpoints and other systems always use .NET's sockets. The
    /// environment variable <c>HTTPGEN_SERVER_EPOLL=1</c> turns it on for every server of the process, and
    /// <c>HTTPGEN_SERVER_EPOLL_THREADS=N</c> sets the number of loops (shared by the servers of the process).
    /// </summary>
    public bool UseEpoll { get; set; } = Environment.GetEnvironmentVariable("HTTPGEN_SERVER_EPOLL") == "1";

    /// <summary>Listen backlog. Default 512.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>Most connections open at once; connections beyond it are closed as soon as they are accepted. Default 10,000.</summary>
    public int MaxConcurrentConnections { get; set; } = 10_000;

    /// <summary>Time allowed from the first byte of a request head to its blank line (slowloris defence): 408, then close. Default 30 s.</summary>
    public TimeSpan RequestHeadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time an idle keep-alive connection may wait for its next request before it is closed. Default 60 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for each read of a request body to make progress. Default 30 s.</summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The slowest a request body may arrive, counted over the time the server spends waiting for its bytes: after the
    /// grace period, a body that has come in slower than this gets 408 and the connection is closed. Default 240 B/s
    /// after 5 s; null turns the check off (<see cref="BodyReadTimeout"/> still applies).
    /// </summary>
    public MinDataRate? MinRequestBodyDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>
    /// The slowest a client may read a response: every send (of at most 16 KiB) must complete within the grace period
    /// plus its length at this rate, or the connection is aborted and the handler's token cancelled. Default 240 B/s
    /// after 5 s (a client that reads nothing is dropped within about 75 s); null turns the check off.
    /// </summary>
    public MinDataRate? MinResponseDataRate { get; set; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>Largest request body accepted, declared or chunked (413 beyond it). Default 32 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// A response body up to this size is buffered and sent with Content-Length; a larger one is streamed with chunked
    /// coding (or, to an HTTP/1.0 client, until the connection closes). Default 64 KiB.
    /// </summary>
    public int MaxBufferedResponseBody { get; set; } = 64 * 1024;

    /// <summary>Most unread request body bytes the server reads and discards to keep a connection alive. Default 256 KiB.</summary>
    public long MaxBodyDrainSize { get; set; } = 256 * 1024;

    /// <summary>How long <see cref="HttpServer{TRequest, TResponse}.StopAsync"/> lets in-flight requests finish. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Parser limits for request heads; null keeps each request type's own options.</summary>
    public ParserOptions? ParserOptions { get; set; }

    /// <summary>Initial size of a connection's receive buffer. Default 4 KiB; it grows up to the head limits.</summary>
    public int ReceiveBufferSize { get; set; } = 4096;

    internal void Validate()
    {
        if (MaxConcurrentConnections <= 0 || Backlog <= 0 || MaxRequestBodySize < 0 || MaxBufferedResponseBody <= 0 || ReceiveBufferSize < 256)
        {
            throw new ArgumentException("Server limits must be positive (and the receive buffer at least 256 bytes).");
        }

        foreach (HttpEndpoint endpoint in HttpEndpoints)
        {
            endpoint.Validate();
        }
    }
}
