using System.Net;
using System.Net.Sockets;
using System.Text;
using HttpGen.Parsing;

namespace HttpGen.Client;

/// <summary>
/// Where requests go: scheme, host and port (RFC 9110 §4.3.1). The client keeps one connection pool per origin.
/// Create one per origin and reuse it: sending to an existing origin allocates nothing. Only <c>http</c> is supported
/// (no TLS).
/// </summary>
public sealed class HttpOrigin : IEquatable<HttpOrigin>
{
    /// <summary>Creates an <c>http</c> origin.</summary>
    /// <param name="host">A host name, an IPv4 address, or an IPv6 address (with or without brackets).</param>
    /// <param name="port">The TCP port, 1 to 65535. Default 80.</param>
    /// <exception cref="ArgumentException">The host is empty or has bytes a host cannot hold.</exception>
    public HttpOrigin(string host, int port = 80)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
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
        if (port != 80)
        {
            authority += ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        HostHeader = Encoding.ASCII.GetBytes(authority);
        _text = "http://" + authority;
        AddressList = Address is null ? null : [Address];
    }

    /// <summary>Creates the origin of an absolute <c>http</c> URI.</summary>
    /// <param name="uri">An absolute URI such as <c>http://example.com:8080/path</c>; the path and query are ignored.</param>
    /// <returns>The origin.</returns>
    /// <exception cref="NotSupportedException">The scheme is not <c>http</c> (HTTPS is not supported).</exception>
    public static HttpOrigin FromUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The URI must be absolute.", nameof(uri));
        }

        if (!string.Equals(uri.Scheme, "http", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"Scheme '{uri.Scheme}' is not supported: the HttpGen client speaks plain HTTP/1.1 (http) only.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException("User information in the URI is not supported.", nameof(uri));
        }

        return new HttpOrigin(uri.IdnHost, uri.Port);
    }

    /// <summary>Parses an absolute <c>http</c> URI and returns its origin.</summary>
    /// <param name="uri">The URI text.</param>
    /// <returns>The origin.</returns>
    public static HttpOrigin Parse(string uri) => FromUri(new Uri(uri, UriKind.Absolute));

    /// <summary>The scheme: always <c>http</c>.</summary>
    public string Scheme => "http";

    /// <summary>The host name, or the IP address in its canonical text form (without brackets).</summary>
    public string Host { get; }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>The IP address when <see cref="Host"/> is an IP literal (no name lookup is done); otherwise null.</summary>
    public IPAddress? Address { get; }

    /// <summary>The Host header value: the host, bracketed when IPv6, with <c>:port</c> unless the port is 80.</summary>
    public ReadOnlyMemory<byte> HostHeader { get; }

    internal IPAddress[]? AddressList { get; }

    private readonly string _text;

    /// <inheritdoc/>
    public bool Equals(HttpOrigin? other) =>
        other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as HttpOrigin);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    /// <summary>The origin as <c>http://host:port</c> (the port omitted when 80).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _text;
}
