using System.Net;

namespace Terrarium.Cluster.Mesh;

/// <summary>One desired peer (M-1): AllowedIPs is exactly the peer's /32 mesh address.</summary>
public sealed record WireGuardPeer(string Name, string PublicKey, IPAddress MeshAddress, HostEndpoint? Endpoint)
{
    /// <summary>"10.255.54.2/32": the config file and the live comparison say it the same way (the mesh is IPv4 only).</summary>
    public string AllowedIp => $"{MeshAddress}/32";
}
