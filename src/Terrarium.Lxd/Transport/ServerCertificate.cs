using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Terrarium.Lxd.Transport;

/// <summary>
/// Reads the certificate an LXD member presents in its TLS handshake, accepting it only when it has the
/// SHA-256 fingerprint a join token carries. This is how a joiner learns the cluster certificate (LXD does
/// not show it to untrusted callers), exactly like `lxd init` does.
/// </summary>
public static class ServerCertificate
{
    public static async Task<string> FetchPemAsync(string hostPort, string fingerprintSha256, CancellationToken ct = default)
    {
        var uri = new Uri($"https://{hostPort}");
        using var tcp = new TcpClient();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await tcp.ConnectAsync(uri.Host, uri.Port, limit.Token);
        }
        catch (SocketException e)
        {
            throw new LxdException($"Cannot reach LXD at {hostPort}: {e.Message}.", null, e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new LxdException($"LXD at {hostPort} did not answer within 15 seconds.", null, e);
        }
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            if (cert is null) return false;
            var candidate = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
            if (!string.Equals(candidate.GetCertHashString(HashAlgorithmName.SHA256), fingerprintSha256, StringComparison.OrdinalIgnoreCase))
            {
                candidate.Dispose();
                return false;
            }
            seen = candidate;
            return true;
        });
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = uri.Host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, limit.Token);
        }
        catch (AuthenticationException e)
        {
            throw new CertificateMismatchException($"LXD at {hostPort} does not present the certificate the join token names (fingerprint mismatch).", e);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && !ct.IsCancellationRequested)
        {
            throw new LxdException($"LXD at {hostPort} did not complete the TLS handshake: {e.Message}", null, e);
        }
        using (seen)
            return seen!.ExportCertificatePem();
    }
}
