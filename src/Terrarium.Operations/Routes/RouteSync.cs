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
        var membersCall = lxd.GetClusterMembersAsync(ct);
        var instancesCall = lxd.GetInstancesAsync(ct: ct);
        var online = (await membersCall).Where(m => m.Status == "Online").Select(m => m.ServerName).ToHashSet();
        // Config for all, runtime state (addresses) only for routed instances that can serve: asking LXD for the
        // state of every instance costs a round trip to every member.
        var instances = await instancesCall;
        var serving = instances.Where(i => i.Status == "Running" && online.Contains(i.Location) &&
                                           i.Config.Keys.Any(k => k.StartsWith(RouteDeclaration.KeyPrefix, StringComparison.Ordinal))).ToList();
        var states = await Task.WhenAll(serving.Select(async i => (i.Name, State: await TryStateAsync(lxd, i.Name, ct))));
        foreach (var (name, state) in states) instances.First(i => i.Name == name).State = state;
        var plan = RoutePlanner.Plan(instances.Select(i => new RoutedInstance(i.Name, i.Status, i.Location, i.Config, WorkloadAddress(i))), online);
        var changed = AtomicFile.WriteIfChanged(env.Layout.TraefikDynamicFile, TraefikConfigRenderer.Render(plan.Backends));
        var routes = plan.Backends.Select(b => (b.Route.Host, b.Route.PathPrefix)).Distinct().Count();
        return new RouteSyncResult(changed, routes, plan.Backends.Count, plan.Errors, plan.AwaitingAddress);
    }

    private static async Task<InstanceState?> TryStateAsync(LxdClient lxd, string name, CancellationToken ct)
    {
        try
        {
            return await lxd.GetInstanceStateAsync(name, ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            return null; // deleted meanwhile: the next event re-renders
        }
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
