using System.Security.Cryptography.X509Certificates;

namespace Terrarium.Lxd.Transport;

/// <summary>Where an LXD daemon listens: its local unix socket, or its HTTPS address across members.</summary>
public abstract record LxdEndpoint
{
    /// <summary>Base URI used for request paths ("http://lxd" for the socket, the real URL for HTTPS).</summary>
    public abstract Uri BaseUri { get; }

    public static LxdEndpoint UnixSocket(string path) => new UnixSocketEndpoint(path);

    public static LxdEndpoint Https(Uri url, X509Certificate2? clientCertificate, X509Certificate2 serverCertificate) =>
        new HttpsEndpoint(url, clientCertificate, serverCertificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant());

    /// <summary>HTTPS pinned by the SHA-256 fingerprint a join token carries.</summary>
    public static LxdEndpoint Https(Uri url, X509Certificate2? clientCertificate, string serverFingerprintSha256) =>
        new HttpsEndpoint(url, clientCertificate, serverFingerprintSha256.ToLowerInvariant());
}

public sealed record UnixSocketEndpoint(string SocketPath) : LxdEndpoint
{
    public override Uri BaseUri { get; } = new("http://lxd");
    public override string ToString() => $"unix:{SocketPath}";
}

/// <summary>
/// HTTPS to a member. LXD serves a self-signed cluster certificate, so the server certificate is pinned by
/// its SHA-256 fingerprint (like lxc's servercerts/ and join tokens), and the client proves itself with a
/// trusted client certificate (none = an untrusted caller, enough for GET /1.0).
/// </summary>
public sealed record HttpsEndpoint(Uri Url, X509Certificate2? ClientCertificate, string ServerFingerprintSha256) : LxdEndpoint
{
    public override Uri BaseUri => Url;
    public override string ToString() => Url.ToString();
}
