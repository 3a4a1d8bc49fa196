using System.Net;

namespace Terrarium.Cluster.Mesh;

/// <summary>One desired peer (M-1): AllowedIPs is exactly the peer's /32 mesh address.</summary>
public sealed record WireGuardPeer(string Name, string PublicKey, IPAddress MeshAddress, HostEndpoint? Endpoint);
