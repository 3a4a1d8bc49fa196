using Terrarium.Cluster.Placement;
using System.Net;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Routes;

/// <summary>
/// One declared route key of one instance, as `route list` shows it. <see cref="ServedBy"/> are the members whose
/// Traefik has a backend for it now; <see cref="State"/> is ok, conflict or refused, with <see cref="Reason"/> for the last two.
/// </summary>
public sealed record RouteRow(string Project, string Instance, string Name, string? Host, string? Path, string Entry, string? Backend,
    IReadOnlyList<string> ServedBy, string State, string? Reason)
{
    /// <summary>The host's certificate (valid until, ordering, failed: why), once the cluster has an ACME account; else null.</summary>
    public HostCertificate? Certificate { get; init; }
}

/// <summary>
/// `route list`: every route key of every instance in every project, judged by the very rules the agents render with:
/// the grammar refuses, the ownership rule decides conflicts, and the planner decides which member serves what (a
/// backend on terrarium-ovn on every online member, one on a member-local bridge only on its own member).
/// </summary>
public static class RouteListing
{
    public const string Ok = "ok";
    public const string Conflict = "conflict";
    public const string Refused = "refused";

    /// <param name="claims">Recorded host owners (host → project), as the shared configuration holds them.</param>
    /// <param name="mesh">Networks no backend may be in (the cluster's mesh).</param>
    public static List<RouteRow> Rows(IReadOnlyList<RoutedInstance> instances, IReadOnlySet<string> onlineMembers,
        IReadOnlyDictionary<string, string> claims, IReadOnlyList<IPNetwork>? mesh = null)
    {
        var cluster = RoutePlanner.Plan(instances, onlineMembers, null, claims, mesh);
        // One plan per member, the one its agent renders: who serves a backend is the planner's rule, not repeated here.
        var served = onlineMembers.Order(StringComparer.Ordinal)
            .SelectMany(m => RoutePlanner.Plan(instances, onlineMembers, m, claims, mesh).Backends.Select(b => (Member: m, Backend: b)))
            .ToList();
        var rows = new List<RouteRow>();
        foreach (var i in instances)
        {
            var (routes, refused) = RouteDeclaration.Read(i.Ref, i.Config);
            foreach (var r in routes)
            {
                var path = r.PathPrefix;
                var conflict = cluster.Conflicts.FirstOrDefault(c => c.Instance == i.Ref && c.Host == r.Host && c.Path == path);
                var backends = served.Where(s => s.Backend.Route == r).ToList();
                var backend = backends.Select(s => $"{s.Backend.Address}:{r.Port}").FirstOrDefault();
                rows.Add(new RouteRow(i.Project, i.Name, r.Name, r.Host, path, TraefikConfigRenderer.EntryPoint, backend,
                    backends.Select(s => s.Member).Distinct().ToList(), conflict is null ? Ok : Conflict,
                    conflict is null ? null : $"host {r.Host} belongs to project {conflict.Owner}"));
            }
            foreach (var bad in refused)
                rows.Add(new RouteRow(i.Project, i.Name, bad.Key[RouteDeclaration.KeyPrefix.Length..], null, null, TraefikConfigRenderer.EntryPoint, null, [],
                    Refused, bad.IsBadName ? bad.Reason : $"{EchoText.Quoted(bad.Value)} is not HOST[/PATH]:PORT: {bad.Reason}"));
        }
        return rows.OrderBy(r => r.Project, StringComparer.Ordinal).ThenBy(r => r.Instance, StringComparer.Ordinal)
            .ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The routes as this node's LXD sees them; no backend ever in this member's mesh (the agents' rule).</summary>
    public static async Task<List<RouteRow>> ListAsync(NodeEnvironment env, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        IReadOnlyList<IPNetwork> mesh = IPNetwork.TryParse(NodeIdentity.Load(env.Layout)?.MeshCidr ?? "", out var cidr) ? [cidr] : [];
        return await ListAsync(lxd, mesh, ct, env.Time);
    }

    /// <summary>Reads what the agents read (instances of every project, members, networks, recorded claims) and lists it.</summary>
    public static async Task<List<RouteRow>> ListAsync(ILxdClient lxd, IReadOnlyList<IPNetwork>? mesh, CancellationToken ct, TimeProvider? time = null)
    {
        var membersCall = lxd.GetClusterMembersAsync(ct);
        var instancesCall = lxd.GetAllInstancesAsync(ct);
        var networksCall = lxd.GetNetworksAsync(ct);
        var configCall = new SharedConfigStore(lxd).LoadAsync(ct);
        var online = RouteSync.Online(await membersCall);
        var instances = await instancesCall;
        var networks = (await networksCall).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var config = await configCall;
        var claims = config.RouteClaims.ToDictionary(c => c.Host, c => c.Project, StringComparer.Ordinal);
        // Addresses come with the runtime state, asked only of running routed instances (as the agent does).
        await Task.WhenAll(instances.Where(i => i.Power().Serves() && online.Contains(i.Location) && Routed(i)).Select(async i =>
        {
            try { i.State = await lxd.GetInstanceStateAsync(i.Name, ct, i.Project); }
            catch (LxdException e) when (e.IsNotFound) { i.State = null; } // deleted meanwhile
        }));
        var rows = Rows(instances.Select(i => RouteSync.Routed(i, networks)).ToList(), online, claims, mesh);
        return config.Tls is null ? rows : WithCertificates(rows, config, (time ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>Each served row with its host's certificate state (a conflict or refused row has none).</summary>
    public static List<RouteRow> WithCertificates(IEnumerable<RouteRow> rows, Cluster.Config.SharedConfig config, DateTimeOffset now) =>
        rows.Select(r => r is { State: Ok, Host: { } host }
            ? r with { Certificate = CertificatePlanner.Assess(host, config.Certificate(host), config.OrderLease(host), now) }
            : r).ToList();

    private static bool Routed(Instance i) => i.Config.Keys.Any(k => k.StartsWith(RouteDeclaration.KeyPrefix, StringComparison.Ordinal));
}
