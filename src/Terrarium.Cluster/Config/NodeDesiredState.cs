using System.Net;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Cluster.Config;

/// <summary>
/// S-3: everything a node's local files must say, derived from the shared configuration alone:
/// its mesh address, its peers (every other member plus every live invite) and its firewall plan.
/// </summary>
public sealed record NodeDesiredState(MeshSettings Mesh, IPAddress MeshAddress, IReadOnlyList<WireGuardPeer> Peers, FirewallPlan Firewall)
{
    public static NodeDesiredState Compute(SharedConfig config, string self, DateTimeOffset now)
    {
        var settings = config.Settings ?? throw new InvalidOperationException("The shared configuration has no settings row.");
        var mesh = MeshSettings.Create(settings.MeshCidr, settings.Port, settings.Mtu, settings.Interface);
        var me = config.Member(self) ?? throw new InvalidOperationException($"'{self}' is not a mesh member.");

        var peers = config.Members.Where(m => m.Name != self)
            .Select(m => new WireGuardPeer(m.Name, m.PublicKey, IPAddress.Parse(m.MeshAddress),
                m.Endpoint.Length > 0 ? HostEndpoint.Parse(m.Endpoint, mesh.Port) : null))
            .ToList();
        // A live invite is pre-authorised everywhere so the joiner can reach every database member. It gets no
        // endpoint: the joiner initiates, and WireGuard then records where the invite's key really came from
        // (InviteBinding), which a configured endpoint would mask.
        var invites = LiveInvites(config, self, now).ToList();
        peers.AddRange(invites.Select(i => new WireGuardPeer(i.Name, i.PublicKey, IPAddress.Parse(i.MeshAddress), null)));

        var firewallPeers = peers.Select(p => p.Endpoint?.Host).Concat(invites.Select(i => i.Address)).OfType<string>()
            .Select(h => IPAddress.TryParse(h, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new NodeDesiredState(mesh, IPAddress.Parse(me.MeshAddress), peers,
            FirewallPlan.Create(mesh.Interface, mesh.Cidr, mesh.Port, firewallPeers) with
            {
                // Default deny: an invite reaches the cluster ports only once seen from its own address (InviteBinding).
                UnboundInvites = Invites.InviteBinding.Unbound(invites, new Dictionary<string, string?>()),
            });
    }

    public static IEnumerable<InviteRecord> LiveInvites(SharedConfig config, string self, DateTimeOffset now) =>
        config.Invites.Where(i => i.ExpiresAt > now && config.Member(i.Name) is null && i.Name != self);
}
