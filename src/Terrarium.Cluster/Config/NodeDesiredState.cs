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
        // A live invite is pre-authorised everywhere so the joiner can reach every database member.
        peers.AddRange(config.Invites.Where(i => i.ExpiresAt > now && config.Member(i.Name) is null && i.Name != self)
            .Select(i => new WireGuardPeer(i.Name, i.PublicKey, IPAddress.Parse(i.MeshAddress),
                new HostEndpoint(i.Address, mesh.Port))));

        var firewallPeers = peers.Select(p => p.Endpoint?.Host).OfType<string>()
            .Select(h => IPAddress.TryParse(h, out var ip) ? ip : null).OfType<IPAddress>()
            .Where(ip => ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return new NodeDesiredState(mesh, IPAddress.Parse(me.MeshAddress), peers,
            FirewallPlan.Create(mesh.Interface, mesh.Cidr, mesh.Port, firewallPeers));
    }
}
