using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using HttpGen.Transport;

namespace HttpGen.Client;

/// <summary>
/// The client side of TLS for an <c>https</c> origin: the handshake on a connected socket (SNI and certificate name =
/// the origin's host, ALPN <c>http/1.1</c>, the client's certificates), bounded by the connect timeout, with its
/// failures turned into the client's error kinds.
/// </summary>
internal static class ClientTls
{
    private static readonly List<SslApplicationProtocol> s_http11 = [SslApplicationProtocol.Http11];

    /// <summary>Runs the handshake; the socket is closed when it fails.</summary>
    public static async ValueTask<NetworkTransport> HandshakeAsync(Socket socket, ClientSettings settings, HttpOrigin origin, long deadline, CancellationToken cancellationToken)
    {
        long remaining = ClientSettings.Remaining(deadline);
        long timeoutMs = Math.Min(settings.ConnectTimeoutMs, remaining);
        var check = new CertificateCheck(origin, settings.ServerCertificateValidation);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = origin.Host,
            ApplicationProtocols = s_http11,
            ClientCertificates = settings.ClientCertificates,
            RemoteCertificateValidationCallback = check.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeoutMs != long.MaxValue)
        {
            timeout.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs));
        }

        try
        {
            return await TlsTransport.AuthenticateAsClientAsync(socket, options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool requestDeadline = timeoutMs == remaining && remaining != long.MaxValue && settings.ConnectTimeoutMs > remaining;
            throw requestDeadline
                ? new HttpGenClientException(HttpClientErrorKind.RequestTimeout, $"The request to {origin} timed out during the TLS handshake.", e)
                : new HttpGenClientException(HttpClientErrorKind.ConnectTimeout, $"The TLS handshake with {origin} took longer than {timeoutMs} ms.", e);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or ObjectDisposedException)
        {
            throw check.Rejection is { } reason
                ? new HttpGenClientException(HttpClientErrorKind.CertificateRejected, $"The certificate of {origin} was rejected: {reason}.", e)
                : new HttpGenClientException(HttpClientErrorKind.TlsHandshakeFailed, $"The TLS handshake with {origin} failed: {e.Message}", e);
        }
    }

    /// <summary>The certificate decision for one handshake, and why it said no.</summary>
    private sealed class CertificateCheck(HttpOrigin origin, Func<HttpOrigin, X509Certificate2?, X509Chain?, SslPolicyErrors, bool>? custom)
    {
        public string? Rejection { get; private set; }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            bool accepted = custom is null ? errors == SslPolicyErrors.None : custom(origin, certificate as X509Certificate2, chain, errors);
            if (!accepted)
            {
                Rejection = Describe(certificate, chain, errors, custom is not null);
            }

            return accepted;
        }

        private static string Describe(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool custom)
        {
            var text = new StringBuilder();
            text.Append(custom ? "refused by ServerCertificateValidation" : "not valid");
            if (errors != SslPolicyErrors.None)
            {
                text.Append(" (").Append(errors.ToString());
                if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain is not null)
                {
                    foreach (X509ChainStatus status in chain.ChainStatus)
                    {
                        text.Append(", ").Append(status.Status.ToString());
                    }
                }

                text.Append(')');
            }

            if (certificate is not null)
            {
                text.Append("; subject ").Append(certificate.Subject);
            }

            return text.ToString();
        }
    }
}
