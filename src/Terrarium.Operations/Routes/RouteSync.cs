using Terrarium.Cluster.Ovn;
using Terrarium.Cluster.Routes;
using Terrarium.Host.Files;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Routes;

/// <summary>What one route sync found.</summary>
public sealed record RouteSyncResult(bool Changed, int Routes, int Backends, IReadOnlyList<string> Errors, IReadOnlyList<string> AwaitingAddress);

/// <summary>
/// T-1..T-3: renders Traefik's dynamic configuration on this node from the routes declared on every instance
/// of the cluster, and writes it atomically, only when it changed (Traefik's file provider reloads on rename).
/// </summary>
public sealed class RouteSync(NodeEnvironment env)
{
    public async Task<RouteSyncResult> SyncAsync(LxdClient lxd, CancellationToken ct)
    {
        var members = await lxd.GetClusterMembersAsync(ct);
        var online = members.Where(m => m.Status == "Online").Select(m => m.ServerName).ToHashSet();
        var instances = await lxd.GetInstancesWithStateAsync(ct: ct);
        var plan = RoutePlanner.Plan(instances.Select(i => new RoutedInstance(i.Name, i.Status, i.Location, i.Config, WorkloadAddress(i))), online);
        var changed = AtomicFile.WriteIfChanged(env.Layout.TraefikDynamicFile, TraefikConfigRenderer.Render(plan.Backends));
        var routes = plan.Backends.Select(b => (b.Route.Host, b.Route.PathPrefix)).Distinct().Count();
        return new RouteSyncResult(changed, routes, plan.Backends.Count, plan.Errors, plan.AwaitingAddress);
    }

    /// <summary>
    /// The IPv4 other members reach the instance at: its address on the terrarium-ovn workload network when it
    /// has a NIC there, else the first global IPv4 of its first NIC (single-network setups).
    /// </summary>
    public static string? WorkloadAddress(Instance instance)
    {
        if (instance.State?.Network is not { } network) return null;
        var nics = instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic")
            .OrderByDescending(d => d.Value.GetValueOrDefault("network") == OvnNetworkSettings.NetworkName)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => d.Value.GetValueOrDefault("name", d.Key));
        foreach (var nic in nics)
            if (network.TryGetValue(nic, out var state) &&
                state.Addresses.FirstOrDefault(a => a.Family == "inet" && a.Scope == "global") is { } address)
                return address.Address;
        return null;
    }
}
