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
/// It keeps what it last saw: an event about a few instances refreshes only those (every LXD call crosses the
/// mesh to the database leader), a full sync refreshes everything, members included.
/// </summary>
public sealed class RouteSync(NodeEnvironment env)
{
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private HashSet<string>? _online;

    /// <param name="changed">Instances an event named; null (or a first sync) means look at everything.</param>
    public async Task<RouteSyncResult> SyncAsync(LxdClient lxd, CancellationToken ct, IReadOnlyCollection<string>? changed = null)
    {
        if (changed is null || _online is null)
        {
            var membersCall = lxd.GetClusterMembersAsync(ct);
            var instancesCall = lxd.GetInstancesAsync(ct: ct);
            _online = (await membersCall).Where(m => m.Status == "Online").Select(m => m.ServerName).ToHashSet();
            _instances.Clear();
            foreach (var i in await instancesCall) _instances[i.Name] = i;
            await Task.WhenAll(_instances.Values.Where(Serving).Select(i => LoadStateAsync(lxd, i, ct)));
        }
        else
        {
            await Task.WhenAll(changed.Select(name => RefreshAsync(lxd, name, ct)));
        }
        var plan = RoutePlanner.Plan(_instances.Values.Select(i => new RoutedInstance(i.Name, i.Status, i.Location, i.Config, WorkloadAddress(i))), _online);
        var written = AtomicFile.WriteIfChanged(env.Layout.TraefikDynamicFile, TraefikConfigRenderer.Render(plan.Backends));
        var routes = plan.Backends.Select(b => (b.Route.Host, b.Route.PathPrefix)).Distinct().Count();
        return new RouteSyncResult(written, routes, plan.Backends.Count, plan.Errors, plan.AwaitingAddress);
    }

    /// <summary>Re-reads one instance; its address is kept while it runs on the same member, else asked for again.</summary>
    private async Task RefreshAsync(LxdClient lxd, string name, CancellationToken ct)
    {
        Instance fresh;
        try
        {
            fresh = await lxd.GetInstanceAsync(name, ct: ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            _instances.Remove(name);
            return;
        }
        if (_instances.TryGetValue(name, out var known) && known.Status == fresh.Status && known.Location == fresh.Location &&
            WorkloadAddress(known) is not null)
            fresh.State = known.State;
        _instances[name] = fresh;
        if (fresh.State is null && Serving(fresh)) await LoadStateAsync(lxd, fresh, ct);
    }

    // Runtime state (addresses) is only worth asking for routed instances that can serve.
    private bool Serving(Instance i) =>
        i.Status == "Running" && _online!.Contains(i.Location) &&
        i.Config.Keys.Any(k => k.StartsWith(RouteDeclaration.KeyPrefix, StringComparison.Ordinal));

    private static async Task LoadStateAsync(LxdClient lxd, Instance instance, CancellationToken ct) =>
        instance.State = await TryStateAsync(lxd, instance.Name, ct);

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
