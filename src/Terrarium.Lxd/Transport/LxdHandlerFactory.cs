using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Terrarium.Lxd.Transport;

/// <summary>Builds the one HTTP handler that both REST calls and the events websocket share.</summary>
public static class LxdHandlerFactory
{
    public static SocketsHttpHandler Create(LxdEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
        };
        switch (endpoint)
        {
            case UnixSocketEndpoint unix:
                handler.ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(unix.SocketPath), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                };
                break;
            case HttpsEndpoint https:
                handler.SslOptions = new SslClientAuthenticationOptions
                {
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificates = https.ClientCertificate is null ? null : [https.ClientCertificate],
                    LocalCertificateSelectionCallback = (_, _, _, _, _) => https.ClientCertificate!,
                    RemoteCertificateValidationCallback = (_, cert, _, _) =>
                        cert is not null && string.Equals(cert.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256),
                            https.ServerFingerprintSha256, StringComparison.OrdinalIgnoreCase),
                };
                break;
        }
        return handler;
    }
}
