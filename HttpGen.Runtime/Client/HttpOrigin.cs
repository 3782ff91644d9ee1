using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpGen.Parsing;

namespace HttpGen.Client;

/// <summary>
/// Where requests go: scheme, host and port (RFC 9110 §4.3.1). The client keeps one connection pool per origin.
/// Create one per origin and reuse it: sending to an existing origin allocates nothing. The scheme is <c>http</c>
/// (plain TCP) or <c>https</c> (TLS, with the server's certificate checked against <see cref="Host"/>).
/// </summary>
public sealed class HttpOrigin : IEquatable<HttpOrigin>
{
    /// <summary>Creates an <c>http</c> origin.</summary>
    /// <param name="host">A host name, an IPv4 address, or an IPv6 address (with or without brackets).</param>
    /// <param name="port">The TCP port, 1 to 65535. Default 80.</param>
    /// <exception cref="ArgumentException">The host is empty or has bytes a host cannot hold.</exception>
    public HttpOrigin(string host, int port = 80)
        : this("http", host, port >= 1 ? port : throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 1 to 65535."))
    {
    }

    /// <summary>Creates an origin with a scheme.</summary>
    /// <param name="scheme"><c>http</c> or <c>https</c> (any case).</param>
    /// <param name="host">A host name, an IPv4 address, or an IPv6 address (with or without brackets). For
    /// <c>https</c> it is also the TLS server name (SNI) and the name the server's certificate must carry.</param>
    /// <param name="port">The TCP port, 1 to 65535; 0 (the default) means the scheme's: 80 or 443.</param>
    /// <exception cref="ArgumentException">The host is empty or has bytes a host cannot hold.</exception>
    /// <exception cref="NotSupportedException">The scheme is neither <c>http</c> nor <c>https</c>.</exception>
    public HttpOrigin(string scheme, string host, int port = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentException.ThrowIfNullOrEmpty(host);
        IsHttps = string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase);
        if (!IsHttps && !string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"Scheme '{scheme}' is not supported: the HttpGen client speaks HTTP/1.1 over http and https only.");
        }

        int defaultPort = IsHttps ? 443 : 80;
        if (port == 0)
        {
            port = defaultPort;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (IPAddress.TryParse(host, out IPAddress? address) && (address.AddressFamily == AddressFamily.InterNetworkV6 || !host.Contains(':')))
        {
            Address = address;
            host = address.ToString();
        }
        else if (!Ascii.IsValid(host) || !HeaderValueParsing.IsValidHostAndPort(Encoding.ASCII.GetBytes(host), requirePort: false) || host.Contains(':'))
        {
            throw new ArgumentException($"'{host}' is not a valid host name or IP address.", nameof(host));
        }

        Host = host;
        Port = port;
        string authority = Address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (port != defaultPort)
        {
            authority += ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        HostHeader = Encoding.ASCII.GetBytes(authority);
        _text = Scheme + "://" + authority;
        AddressList = Address is null ? null : [Address];
    }

    /// <summary>Creates the origin of an absolute <c>http</c> or <c>https</c> URI.</summary>
    /// <param name="uri">An absolute URI such as <c>https://example.com:8443/path</c>; the path and query are ignored.</param>
    /// <returns>The origin.</returns>
    /// <exception cref="NotSupportedException">The scheme is neither <c>http</c> nor <c>https</c>.</exception>
    public static HttpOrigin FromUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The URI must be absolute.", nameof(uri));
        }

        if (!string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase) && !string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"Scheme '{uri.Scheme}' is not supported: the HttpGen client speaks HTTP/1.1 over http and https only.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException("User information in the URI is not supported.", nameof(uri));
        }

        return new HttpOrigin(uri.Scheme, uri.IdnHost, uri.Port);
    }

    /// <summary>Parses an absolute <c>http</c> or <c>https</c> URI and returns its origin.</summary>
    /// <param name="uri">The URI text.</param>
    /// <returns>The origin.</returns>
    public static HttpOrigin Parse(string uri) => FromUri(new Uri(uri, UriKind.Absolute));

    /// <summary>True for <c>https</c>: connections to this origin use TLS.</summary>
    public bool IsHttps { get; }

    /// <summary>The scheme, in lower case: <c>http</c> or <c>https</c>.</summary>
    public string Scheme => IsHttps ? "https" : "http";

    /// <summary>The host name, or the IP address in its canonical text form (without brackets).</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The IP address when <see cref="Host"/> is an IP literal (no name lookup is done); otherwise null.</summary>
    public IPAddress? Address { get; }

    /// <summary>The Host header value: the host, bracketed when IPv6, with <c>:port</c> unless it is the scheme's default (80 or 443).</summary>
    public ReadOnlyMemory<byte> HostHeader { get; }

    internal IPAddress[]? AddressList { get; }

    private readonly string _text;

    /// <inheritdoc/>
    public bool Equals(HttpOrigin? other) =>
        other is not null && Port == other.Port && IsHttps == other.IsHttps && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HttpOrigin);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port, IsHttps);

    /// <summary>The origin as <c>scheme://host:port</c> (the port omitted when it is the scheme's default).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _text;
}
