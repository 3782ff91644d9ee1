using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HttpGen.Tests.Client;

/// <summary>
/// Certificates for the TLS tests, made in-process with <see cref="CertificateRequest"/> (ECDSA P-256, valid from an
/// hour ago for a day) and never stored in the repository: a self-signed server certificate for <c>localhost</c>, and a
/// client certificate issued by a test CA. Written as PEM files where a peer (nginx) needs them.
/// </summary>
internal static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> s_server = new(() => CreateServer("localhost"));
    private static readonly Lazy<(X509Certificate2 Ca, X509Certificate2 Client)> s_client = new(CreateClientChain);

    /// <summary>A self-signed certificate for the DNS name <c>localhost</c> only (not for 127.0.0.1), with its key.</summary>
    public static X509Certificate2 Server => s_server.Value;

    /// <summary>The CA that issued <see cref="Client"/> (no private key needed by anyone but this class).</summary>
    public static X509Certificate2 ClientCa => s_client.Value.Ca;

    /// <summary>A client-authentication certificate with its key, issued by <see cref="ClientCa"/>.</summary>
    public static X509Certificate2 Client => s_client.Value.Client;

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/>, with its key.</summary>
    internal static X509Certificate2 CreateServer(string dnsName)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}, O=HttpGen tests", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        return WithUsableKey(certificate);
    }

    private static (X509Certificate2, X509Certificate2) CreateClientChain()
    {
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=HttpGen test client CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));

        using ECDsa clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=httpgen-client, O=HttpGen tests", clientKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using X509Certificate2 issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(clientKey);
        return (X509CertificateLoader.LoadCertificate(ca.RawData), WithUsableKey(withKey));
    }

    // A PKCS#12 round trip gives a key every TLS backend accepts (an ephemeral one is not always enough).
    private static X509Certificate2 WithUsableKey(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);

    /// <summary>Writes <paramref name="certificate"/> (PEM) and, when it has one, its private key (PKCS#8 PEM).</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string? keyPath = null)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        if (keyPath is not null)
        {
            using ECDsa key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no private key");
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        }
    }

    /// <summary>
    /// A validation callback that trusts <see cref="Server"/> by its thumbprint (pinning) instead of a root store, and
    /// leaves every other check to the platform: the host name must still match.
    /// </summary>
    public static bool TrustTestServer(HttpGen.Client.HttpOrigin origin, X509Certificate2? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate is not null
        && certificate.Thumbprint == Server.Thumbprint
        && (errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) == System.Net.Security.SslPolicyErrors.None;
}
