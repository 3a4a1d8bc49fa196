using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Firewall;
using Terrarium.Host.WireGuard;
using Terrarium.Operations.Identity;

namespace Terrarium.Operations.Boot;

/// <summary>
/// Issue #8: what terrarium-mesh.service runs at boot, before LXD or Incus (which listen on the mesh address):
/// the WireGuard interface and the firewall table from this node's own files, without asking LXD anything.
/// The agent runs it too whenever LXD cannot be reached and the interface is gone.
/// </summary>
public sealed class MeshRestore(NodeEnvironment env)
{
    /// <returns>What was restored, for the log; null when this node is not a member (nothing to restore).</returns>
    public async Task<string?> RunAsync()
    {
        if (NodeIdentity.Load(env.Layout) is not { MeshCidr: { } cidr, Port: { } port, Mtu: { } mtu, Interface: { } iface } identity) return null;
        var mesh = MeshSettings.Create(cidr, port, mtu, iface);
        var wg = new WireGuardInterface(env.Tools, mesh.Interface);
        await wg.EnsureUpAsync(IPAddress.Parse(identity.MeshAddress), mesh.PrefixLength, mesh.Mtu);
        var config = env.Layout.WireGuardConfig(mesh.Interface);
        if (File.Exists(config)) await wg.SyncConfAsync(config);
        var firewall = new NftablesFirewall(env.Tools, env.Layout.NftablesFile);
        if (File.Exists(env.Layout.NftablesFile)) await firewall.LoadFileAsync();
        return $"{mesh.Interface} up as {identity.MeshAddress}/{mesh.PrefixLength}{(File.Exists(env.Layout.NftablesFile) ? ", table inet terrarium loaded" : "")}";
    }

    /// <summary>True when the mesh interface this node should have is missing (e.g. after a reboot).</summary>
    public async Task<bool> MeshDownAsync() =>
        NodeIdentity.Load(env.Layout) is { Interface: { } iface } && !await new WireGuardInterface(env.Tools, iface).ExistsAsync();
}
