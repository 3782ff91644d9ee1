using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace HttpGen.Server;

/// <summary>
/// One address the server listens on, plain TCP or TLS. An endpoint with a <see cref="Certificate"/> or a
/// <see cref="CertificateSelector"/> serves HTTPS: every connection runs a TLS handshake (the BCL's <see cref="SslStream"/>,
/// ALPN <c>http/1.1</c> or <c>http/1.0</c>, <see cref="TlsProtocols"/>) within <see cref="HttpServerOptions.TlsHandshakeTimeout"/>, then the
/// same HTTP/1.1 connection loop as a plain endpoint, over the decrypted stream.
/// </summary>
/// <example>
/// <code>
/// options.Listen(new IPEndPoint(IPAddress.Any, 8443), endpoint =&gt;
///     endpoint.Certificate = HttpEndpoint.LoadCertificate("cert.pem", "key.pem"));
/// </code>
/// </example>
public sealed class HttpEndpoint
{
    // ALPN: HTTP/1.1, and HTTP/1.0 for a client that offers only that (curl --http1.0 does); never h2.
    private static readonly List<SslApplicationProtocol> s_protocols = [SslApplicationProtocol.Http11, new("http/1.0")];

    // The handshake options, built once per endpoint for a fixed certificate, and once per certificate the selector
    // returns (the certificate context, with its chain, is the expensive part).
    private SslServerAuthenticationOptions? _fixed;
    private readonly ConditionalWeakTable<X509Certificate2, SslServerAuthenticationOptions> _selected = new();

    /// <summary>Creates a plain endpoint; set <see cref="Certificate"/> or <see cref="CertificateSelector"/> for TLS.</summary>
    /// <param name="endPoint">The address and port (0 for any free port).</param>
    public HttpEndpoint(IPEndPoint endPoint) => EndPoint = endPoint ?? throw new ArgumentNullException(nameof(endPoint));

    /// <summary>The address and port to listen on.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// The server certificate, with its private key (see <see cref="LoadCertificate"/>). Used for every handshake, or
    /// when <see cref="CertificateSelector"/> returns null.
    /// </summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Chooses the certificate by the host name the client asked for (SNI; an empty string when it sent none), for an
    /// endpoint that serves several names. Returning null falls back to <see cref="Certificate"/>; with none, the
    /// handshake fails. Called on every handshake: return certificates loaded once, not new ones.
    /// </summary>
    public Func<string, X509Certificate2?>? CertificateSelector { get; set; }

    /// <summary>The TLS versions offered. Default TLS 1.2 and TLS 1.3.</summary>
    public SslProtocols TlsProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>Whether connections to this endpoint use TLS.</summary>
    public bool IsTls => Certificate is not null || CertificateSelector is not null;

    /// <summary>
    /// Loads a certificate with its private key: from a PEM certificate file and a PEM key file (PKCS#8, PKCS#1 or
    /// SEC1), from one PEM file that holds both, or from a PKCS#12 (PFX) file with its password.
    /// </summary>
    /// <param name="certificatePath">The PEM certificate (a chain may follow it) or the PFX file.</param>
    /// <param name="keyPath">The PEM private key, when it is in a file of its own.</param>
    /// <param name="password">The PFX password, or the password of an encrypted PEM key.</param>
    /// <returns>The certificate with its key.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The files do not hold a certificate and its key.</exception>
    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(certificatePath);
        bool pem = keyPath is not null || File.ReadAllText(certificatePath).Contains("-----BEGIN", StringComparison.Ordinal);
        if (!pem)
        {
            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
        }

        X509Certificate2 certificate = password is null
            ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        // Windows' TLS stack cannot use a key that only lives in memory: give it a persisted one through PKCS#12.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>The handshake options for a client that asked for <paramref name="hostName"/>; null when there is no certificate.</summary>
    internal SslServerAuthenticationOptions? TlsOptionsFor(string? hostName)
    {
        X509Certificate2? certificate = CertificateSelector?.Invoke(hostName ?? "") ?? Certificate;
        if (certificate is null)
        {
            return null;
        }

        if (ReferenceEquals(certificate, Certificate))
        {
            return _fixed ??= CreateOptions(certificate);
        }

        return _selected.GetValue(certificate, CreateOptions);
    }

    /// <summary>Whether a handshake needs the client's hello first (to choose the certificate by name).</summary>
    internal bool SelectsByName => CertificateSelector is not null;

    private SslServerAuthenticationOptions CreateOptions(X509Certificate2 certificate) => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
        ApplicationProtocols = s_protocols,
        EnabledSslProtocols = TlsProtocols,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    internal void Validate()
    {
        if (Certificate is { HasPrivateKey: false })
        {
            throw new ArgumentException($"The certificate of endpoint {EndPoint} has no private key.");
        }

        if (IsTls && (TlsProtocols & (SslProtocols.Tls12 | SslProtocols.Tls13)) == 0)
        {
            throw new ArgumentException($"Endpoint {EndPoint} enables neither TLS 1.2 nor TLS 1.3.");
        }
    }
}
