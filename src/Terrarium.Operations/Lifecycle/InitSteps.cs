using System.Net;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Operations.Lifecycle;

/// <summary>The one table of init's steps: the journal's order and `init --dry-run`'s plan.</summary>
public static class InitSteps
{
    public const string Mesh = "mesh", Firewall = "firewall", LxdCluster = "lxd-cluster", SharedConfig = "shared-config", Ovn = "ovn",
        Agent = "agent", WorkloadNetwork = "workload-network";

    public static readonly IReadOnlyList<string> Order = [Mesh, Firewall, LxdCluster, SharedConfig, Ovn, Agent, WorkloadNetwork];

    public static IReadOnlyList<PlanStep> Plan(string member, MeshSettings mesh, IPAddress address, HostEndpoint endpoint, string ovnUplink)
    {
        var actions = new Dictionary<string, string>
        {
            [Mesh] = $"make a WireGuard key and bring up {mesh.Interface} as {address}/{mesh.PrefixLength} (endpoint {endpoint})",
            [Firewall] = $"load table inet terrarium: cluster ports only through {mesh.Interface}, UDP {mesh.Port} open for members",
            [LxdCluster] = $"LXD listens on {address}:{MeshSettings.LxdPort} only and becomes a cluster of one named {member}",
            [SharedConfig] = $"create the terrarium project with the mesh settings ({mesh.Cidr}, port {mesh.Port}, MTU {mesh.Mtu}) and this member",
            [Ovn] = $"make the OVN CA here and plan the central set (uplink {ovnUplink})",
            [Agent] = "install and start terrarium-mesh and terrarium-agent",
            [WorkloadNetwork] = "wait until LXD created terrarium-ovn, so the cluster can take an invite",
        };
        return Order.Select(step => new PlanStep(step, actions[step])).ToList();
    }
}
