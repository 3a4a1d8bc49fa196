using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Routes;

/// <summary>
/// An instance as the route planner needs it. <see cref="Address"/> is its IPv4 on <see cref="Network"/> (the
/// network of the NIC that serves its routes); <see cref="Subnet"/> is that network's IPv4 subnet and
/// <see cref="Gateway"/> the host's address on it, where LXD manages the network.
/// </summary>
public sealed record RoutedInstance(string Name, PowerState Status, string Member, IReadOnlyDictionary<string, string> Config, string? Address)
{
    public string Project { get; init; } = InstanceRef.DefaultProject;
    public DateTimeOffset CreatedAt { get; init; }
    public string? Network { get; init; } = RoutePlanner.ClusterNetwork;
    public IPNetwork? Subnet { get; init; }
    public IPAddress? Gateway { get; init; }

    public InstanceRef Ref => InstanceRef.Of(Project, Name);
    public bool ClusterWide => Network == RoutePlanner.ClusterNetwork;
}

/// <summary>A route that is not served because another project owns its host.</summary>
public sealed record RouteConflict(InstanceRef Instance, string Host, string Path, string Owner)
{
    public override string ToString() =>
        $"{EchoText.Escaped(Instance.ToString())}: {Host}{(Path == "/" ? "" : Path)} is on host {Host}, which belongs to project {EchoText.Escaped(Owner)} (it declared a route there first); this route is not served.";
}

/// <summary>Routes whose instance is reachable only on its own member (a member-local network such as a bridge).</summary>
public sealed record LocalRoute(InstanceRef Instance, IReadOnlyList<string> Hosts, string? Network, string Member)
{
    public override string ToString() =>
        $"{EchoText.Escaped(Instance.ToString())} routes {string.Join(", ", Hosts)} over {(Network is null ? "a member-local network" : EchoText.Escaped(Network))}, which only {EchoText.Escaped(Member)} reaches: only {EchoText.Escaped(Member)} serves it.";
}

/// <summary>What the routes of the cluster are now (for one member's Traefik), plus what is wrong or still settling.</summary>
public sealed record RoutePlan(IReadOnlyList<RouteBackend> Backends, IReadOnlyList<string> Errors, IReadOnlyList<string> AwaitingAddress)
{
    /// <summary>Route keys refused by <see cref="RouteGrammar"/>; their sentences are in <see cref="Errors"/> too.</summary>
    public IReadOnlyList<RouteRefusal> Refused { get; init; } = [];

    /// <summary>Routes not served because another project owns their host (one sentence each).</summary>
    public IReadOnlyList<RouteConflict> Conflicts { get; init; } = [];

    /// <summary>Routes served only by the member their instance runs on (its network is member-local).</summary>
    public IReadOnlyList<LocalRoute> LocalOnly { get; init; } = [];

    public OwnershipDecision Ownership { get; init; } = new(new Dictionary<string, string>(), [], []);

    /// <summary>
    /// Instances with routes held back because their member is not online, LXD could not reach it for their state
    /// (status "Error": lxd/instances_get.go, lxd-5.0.2), or it has not started them again after its restart yet
    /// (see <see cref="RoutePlanner.WaitsOnMember"/>): they return when it answers again.
    /// </summary>
    public IReadOnlyList<InstanceRef> AwaitingMember { get; init; } = [];
}

/// <summary>
/// T-3: a route has a backend only while its instance runs on an online member and has an address; a stopped
/// instance or an offline member drops out within one sync and comes back the same way. Routes of
/// every project, one owner project per host (<see cref="RouteOwnership"/>); a backend on terrarium-ovn is served
/// by every member, a backend on a member-local network (a bridge: every member's lxdbr0 has the same subnet) only
/// by the member it runs on; an address outside its network's subnet, or the host's own, is never a backend.
/// </summary>
public static class RoutePlanner
{
    public const string ClusterNetwork = "terrarium-ovn";

    /// <param name="self">The member whose Traefik file is rendered; null renders none of the member-local backends.</param>
    /// <param name="claims">Recorded host owners (host → project).</param>
    /// <param name="hostNetworks">Networks no backend may be in (the mesh): a route must never point at a host.</param>
    public static RoutePlan Plan(IEnumerable<RoutedInstance> instances, IReadOnlySet<string> onlineMembers, string? self = null,
        IReadOnlyDictionary<string, string>? claims = null, IReadOnlyList<IPNetwork>? hostNetworks = null)
    {
        var all = instances.OrderBy(i => i.Project, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
        var refused = new List<RouteRefusal>();
        var declared = all.Select(i =>
        {
            var (routes, bad) = RouteDeclaration.Read(i.Ref, i.Config);
            refused.AddRange(bad);
            return (Instance: i, Routes: routes);
        }).Where(x => x.Routes.Count > 0).ToList();
        var errors = refused.Select(r => r.ToString()).ToList();
        var ownership = RouteOwnership.Decide(
            declared.SelectMany(x => x.Routes.Select(r => new HostDeclaration(r.Host, x.Instance.Project, x.Instance.CreatedAt))),
            claims ?? new Dictionary<string, string>());

        var backends = new List<RouteBackend>();
        var awaiting = new List<string>();
        var awaitingMember = new List<InstanceRef>();
        var conflicts = new List<RouteConflict>();
        var localOnly = new List<LocalRoute>();
        foreach (var (i, routes) in declared)
        {
            var owned = new List<RouteDeclaration>();
            foreach (var r in routes)
            {
                var owner = ownership.Owners[r.Host];
                if (owner == i.Project) owned.Add(r);
                else conflicts.Add(new RouteConflict(i.Ref, r.Host, r.PathPrefix, owner));
            }
            if (owned.Count > 0 && !i.ClusterWide)
                localOnly.Add(new LocalRoute(i.Ref, owned.Select(r => r.Host).Distinct().ToList(), i.Network, i.Member));
            if (owned.Count > 0 && (!onlineMembers.Contains(i.Member) || WaitsOnMember(i.Status, i.Config))) awaitingMember.Add(i.Ref);
            if (owned.Count == 0 || !i.Status.Serves() || !onlineMembers.Contains(i.Member)) continue;
            if (!i.ClusterWide && i.Member != self) continue;
            if (i.Address is null)
            {
                awaiting.Add(i.Ref.ToString()); // just started: its address comes with DHCP in a moment
                continue;
            }
            if (Unroutable(i, hostNetworks) is { } why)
            {
                errors.Add($"{EchoText.Escaped(i.Ref.ToString())}: address {EchoText.Quoted(i.Address, 64)} {why}; its routes are not served.");
                continue;
            }
            // The address as the parser read it: the instance wrote the text, Traefik's file gets only the canonical form.
            var address = IPAddress.Parse(i.Address).ToString();
            backends.AddRange(owned.Select(r => new RouteBackend(r, address, i.Member)));
        }
        return new RoutePlan(backends, errors, awaiting) { Refused = refused, Conflicts = conflicts, LocalOnly = localOnly, Ownership = ownership, AwaitingMember = awaitingMember };
    }

    /// <summary>
    /// An instance whose state comes with its member, not with an event: "Error" (LXD could not reach the member), or
    /// stopped with <c>volatile.last_state.power=RUNNING</c>, which LXD records for what ran when the daemon stopped
    /// (every other stop records STOPPED) and starts at its next start unless boot.autostart is false
    /// (lxd/instances.go `instancesStart`, lxd-5.0.2; Incus the same). Its start event is lost to the members that have
    /// not reconnected to the restarted one yet. One whose start failed keeps waiting: a read every 5 s per agent.
    /// </summary>
    public static bool WaitsOnMember(PowerState status, IReadOnlyDictionary<string, string> config) =>
        status == PowerState.Error || status.WasRunningWhenMemberWentDown(config);

    /// <summary>
    /// An instance reports its own addresses (from inside it), so its owner can claim any address: only one inside
    /// its network's subnet, other than the host's, may be a backend — never loopback, the mesh or another host.
    /// </summary>
    public static string? Unroutable(RoutedInstance i, IReadOnlyList<IPNetwork>? hostNetworks)
    {
        if (!IPAddress.TryParse(i.Address, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork) return "is not an IPv4 address";
        var b = ip.GetAddressBytes();
        if (IPAddress.IsLoopback(ip) || b[0] == 0 || b[0] >= 224 || (b[0] == 169 && b[1] == 254)) return "is not a unicast address";
        foreach (var host in hostNetworks ?? [])
            if (host.Contains(ip)) return $"is inside the cluster's mesh network {host}";
        if (i.Gateway is not null && i.Gateway.Equals(ip)) return $"is the host's own address on {EchoText.Escaped(i.Network)}";
        if (i.Subnet is { } subnet && !subnet.Contains(ip)) return $"is outside {EchoText.Escaped(i.Network)}'s subnet {subnet}";
        return null;
    }
}
