using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// The one table of the join's steps: the journal runs them in this order and refuses any other
/// (<see cref="Journal.OperationJournal"/>), `join --dry-run` prints each with what it will do here.
/// </summary>
public static class JoinSteps
{
    public const string Prepare = "prepare", Mesh = "mesh", Firewall = "firewall", Handshake = "handshake", Switch = "switch",
        LxdJoin = "lxd-join", RotateKey = "rotate-key", Register = "register", ActivateKey = "activate-key", OvnPlan = "ovn-plan",
        Ovn = "ovn", Agent = "agent";

    public static readonly IReadOnlyList<string> Order =
        [Prepare, Mesh, Firewall, Handshake, Switch, LxdJoin, RotateKey, Register, ActivateKey, OvnPlan, Ovn, Agent];

    public static IReadOnlyList<PlanStep> Plan(JoinBundle bundle, MeshSettings mesh, HostEndpoint endpoint, string clusterAddress, bool wipe)
    {
        var actions = new Dictionary<string, string>
        {
            [Prepare] = (wipe ? "delete this server's instances (--yes), then " : "") + $"record {bundle.Member} and the WireGuard key that came with the invite",
            [Mesh] = $"bring up {mesh.Interface} as {bundle.MeshAddress}/{mesh.PrefixLength} (WireGuard endpoint {endpoint}) with {bundle.Peers.Count} peer(s)",
            [Firewall] = $"load table inet terrarium: cluster ports only through {mesh.Interface}, UDP {mesh.Port} only from members",
            [Handshake] = $"wait for WireGuard handshakes with {bundle.Inviter} and LXD answering through the mesh",
            [Switch] = "start Open vSwitch (Incus creates the OVN network during the join)",
            [LxdJoin] = $"join LXD as {bundle.Member} through {clusterAddress} (LXD listens on {bundle.MeshAddress}:{MeshSettings.LxdPort} only)",
            [RotateKey] = "make a new WireGuard key here to replace the one that travelled in the invite",
            [Register] = "publish this member (new key, mesh address, endpoint) in the shared configuration",
            [ActivateKey] = "switch the mesh to the new key once the members expect it; converge mesh, firewall and records",
            [OvnPlan] = "recompute the OVN central set with this member",
            [Ovn] = "wait for this member's OVN certificate, start the chassis (and the databases when central)",
            [Agent] = "install and start terrarium-mesh and terrarium-agent; end once LXD lists this member online (its next heartbeat, up to 25 s)",
        };
        return Order.Select(step => new PlanStep(step, actions[step])).ToList();
    }
}
