namespace Terrarium.Cluster.Routes;

/// <summary>A project declaring routes on a host, and when its earliest declaring instance was created.</summary>
public sealed record HostDeclaration(string Host, string Project, DateTimeOffset EarliestCreated);

/// <summary>What the ownership rule decided: each host's owner, the claims to record and the claims to drop.</summary>
public sealed record OwnershipDecision(
    IReadOnlyDictionary<string, string> Owners,
    IReadOnlyList<(string Host, string Project)> ToClaim,
    IReadOnlyList<string> ToRelease);

/// <summary>
/// A route host name belongs to ONE project — the first that declared a route on it, with every path
/// under it — so an instance owner in another project can neither capture a host nor add a path under it (a
/// longer PathPrefix would win in Traefik and take part of the traffic). The first claim is recorded in the
/// shared configuration and kept while the owning project still declares the host (stopped instances count);
/// when it stops, the claim is released and the host is free. Hosts nobody has claimed yet go to the project
/// whose declaring instance is oldest (then by project name), so every member decides the same before any claim exists.
/// </summary>
public static class RouteOwnership
{
    public static OwnershipDecision Decide(IEnumerable<HostDeclaration> declarations, IReadOnlyDictionary<string, string> claims)
    {
        var byHost = declarations.GroupBy(d => d.Host, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var toClaim = new List<(string, string)>();
        var toRelease = new List<string>();
        foreach (var (host, owner) in claims.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (byHost.TryGetValue(host, out var d) && d.Any(x => x.Project == owner)) owners[host] = owner;
            else toRelease.Add(host);
        }
        foreach (var (host, list) in byHost.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (owners.ContainsKey(host)) continue;
            var first = list.GroupBy(x => x.Project, StringComparer.Ordinal)
                .Select(g => (Project: g.Key, Created: g.Min(x => x.EarliestCreated)))
                .OrderBy(p => p.Created).ThenBy(p => p.Project, StringComparer.Ordinal).First().Project;
            owners[host] = first;
            toClaim.Add((host, first));
        }
        return new OwnershipDecision(owners, toClaim, toRelease);
    }
}
