using System.Net;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Files;
using Terrarium.Host.WireGuard;
using Terrarium.Operations.Identity;

namespace Terrarium.Operations.Convergence;

/// <summary>M-4: this node's WireGuard interface, address and peers. Init and join use it for their mesh step with the peers they know then.</summary>
/// <param name="lockMesh">
/// Take the mesh lock around the change (the agent may be healing the same interface). Not inside init/join: the agent
/// does not heal while they run, and a refused join must leave no file behind, not even a lock.
/// </param>
public sealed class MeshReconciler(NodeEnvironment env, bool lockMesh = true) : IReconciler
{
    public const string Name = "mesh";

    public string Concern => Name;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        var desired = context.Desired;
        var changed = await ApplyAsync(desired.Mesh, desired.MeshAddress, desired.Peers, context.Key);
        return new MeshOutcome(changed, desired.Peers.Count);
    }

    /// <summary>
    /// Writes the wg(8) config (0600: it holds the private key; boot applies it) and changes the live interface where it
    /// differs from it: only the peers that differ, the whole file only for a new key or port (<see cref="WireGuardDelta"/>).
    /// True when the file or the interface changed.
    /// </summary>
    public async Task<bool> ApplyAsync(MeshSettings mesh, IPAddress address, IEnumerable<WireGuardPeer> peers, WireGuardKeyPair key)
    {
        var path = env.Layout.WireGuardConfig(mesh.Interface);
        var desired = peers.ToList();
        var changed = AtomicFile.WriteIfChanged(path, WireGuardConfigRenderer.Render(key.PrivateKey, mesh.Port, desired), AtomicFile.SecretMode);
        if (NodeIdentity.Load(env.Layout) is { } identity)
        {
            (identity.MeshCidr, identity.Port, identity.Mtu, identity.Interface) = (mesh.Cidr, mesh.Port, mesh.Mtu, mesh.Interface);
            identity.Save(env.Layout);
        }
        using var meshLock = lockMesh ? await Boot.MeshRestore.AcquireMeshLockAsync(env) : null;
        var wg = new WireGuardInterface(env.Tools, mesh.Interface);
        var existed = await wg.ExistsAsync();
        await wg.EnsureUpAsync(address, mesh.PrefixLength, mesh.Mtu);
        // Judged on the live interface on every pass, so hand edits are healed too.
        var live = await wg.ReadLiveAsync();
        var delta = live is null ? null : WireGuardDelta.Compute(key.PublicKey, mesh.Port, desired, live);
        if (delta is null || delta.InterfaceDiffers) await wg.SyncConfAsync(path);
        else if (delta.SetArguments.Count > 0) await wg.SetPeersAsync(delta.SetArguments);
        return changed || !existed || delta is not { IsEmpty: true };
    }
}
