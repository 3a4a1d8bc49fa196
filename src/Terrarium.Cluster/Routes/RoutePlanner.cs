namespace Terrarium.Cluster.Routes;

/// <summary>An instance as the route planner needs it; Address is its IPv4 on the workload network, if any.</summary>
public sealed record RoutedInstance(string Name, string Status, string Member, IReadOnlyDictionary<string, string> Config, string? Address);

/// <summary>What the routes of the cluster are now, plus what is wrong or still settling.</summary>
public sealed record RoutePlan(IReadOnlyList<RouteBackend> Backends, IReadOnlyList<string> Errors, IReadOnlyList<string> AwaitingAddress);

/// <summary>
/// T-3: a route has a backend only while its instance runs on an online member and has an address; a stopped
/// instance or an offline member drops out within one sync and comes back the same way.
/// </summary>
public static class RoutePlanner
{
    public static RoutePlan Plan(IEnumerable<RoutedInstance> instances, IReadOnlySet<string> onlineMembers)
    {
        var backends = new List<RouteBackend>();
        var errors = new List<string>();
        var awaiting = new List<string>();
        foreach (var i in instances.OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            var (routes, bad) = RouteDeclaration.FromConfig(i.Name, i.Config);
            errors.AddRange(bad);
            if (routes.Count == 0 || i.Status != "Running" || !onlineMembers.Contains(i.Member)) continue;
            if (i.Address is null)
            {
                awaiting.Add(i.Name); // just started: its address comes with DHCP in a moment
                continue;
            }
            backends.AddRange(routes.Select(r => new RouteBackend(r, i.Address, i.Member)));
        }
        return new RoutePlan(backends, errors, awaiting);
    }
}
