using System.Net;

namespace Terrarium.Cluster.Firewall;

/// <summary>
/// What the host firewall must enforce (F-1, F-2): cluster ports only through the mesh, WireGuard only from
/// members' and invitees' underlay addresses.
/// </summary>
public sealed record FirewallPlan(string MeshInterface, string MeshCidr, int WireGuardPort, IReadOnlyList<IPAddress> WireGuardPeers)
{
    /// <summary>Mesh addresses of pending invites not yet seen from their own address (InviteBinding): no cluster ports.</summary>
    public IReadOnlyList<IPAddress> UnboundInvites { get; init; } = [];

    public const string Table = "terrarium";

    /// <summary>LXD 8443, OVN NB 6641, SB 6642, NB/SB raft 6643-6644.</summary>
    public static readonly IReadOnlyList<int> TunnelOnlyTcpPorts =
    [
        Mesh.MeshSettings.LxdPort, Ovn.OvnNetworkSettings.NorthboundPort, Ovn.OvnNetworkSettings.SouthboundPort,
        Ovn.OvnNetworkSettings.NorthboundRaftPort, Ovn.OvnNetworkSettings.SouthboundRaftPort,
    ];

    /// <summary>Geneve.</summary>
    public static readonly IReadOnlyList<int> TunnelOnlyUdpPorts = [6081];

    public static FirewallPlan Create(string meshInterface, string meshCidr, int wireGuardPort, IEnumerable<IPAddress> peers) =>
        new(meshInterface, meshCidr, wireGuardPort,
            peers.Distinct().Order(AddressOrder).ToList());

    /// <summary>Numeric order of addresses, so rendered sets are deterministic.</summary>
    public static readonly IComparer<IPAddress> AddressOrder =
        Comparer<IPAddress>.Create((x, y) => x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes()));
}
