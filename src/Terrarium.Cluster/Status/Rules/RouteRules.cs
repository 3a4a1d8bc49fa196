using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>
/// Routes not served as declared: a host another project owns, a backend only one member can reach, a key the route
/// grammar refuses. Every name and value came from a tenant, so each is escaped.
/// </summary>
public static class RouteRules
{
    public static IEnumerable<Problem> For(LocalObservations local) =>
        local.RouteConflicts.Select(Conflict)
            .Concat(local.LocalRoutes.Select(ServedLocally))
            .Concat(local.RouteRefusals.DistinctBy(r => (r.Instance, r.Key)).Select(Refused));

    public static Problem Conflict(RouteConflict c) => new()
    {
        Message = c.ToString(),
        Fix = $"choose another host name for {EchoText.Escaped(c.Instance.ToString())} (its user.terrarium.route.* keys), or remove the routes on {c.Host} from project {EchoText.Escaped(c.Owner)} first",
    };

    public static Problem ServedLocally(LocalRoute l) => new()
    {
        Message = l.ToString(),
        Fix = $"attach it to {RoutePlanner.ClusterNetwork} so every member serves it: lxc config device add {EchoText.Escaped(l.Instance.Name)} ovn0 nic network={RoutePlanner.ClusterNetwork}" +
              ProjectFlag(l.Instance),
    };

    public static Problem Refused(RouteRefusal r) => new()
    {
        Message = r.ToString(),
        Fix = r.IsBadName
            ? $"declare the route under a valid NAME (e.g. {RouteDeclaration.KeyPrefix}web) and remove this key: lxc config unset {EchoText.Escaped(r.Instance.Name)} {EchoText.Quoted(r.Key)}{ProjectFlag(r.Instance)}"
            : $"set HOST[/PATH]:PORT with a DNS host name (e.g. {RouteGrammar.Example}): lxc config set {EchoText.Escaped(r.Instance.Name)} {r.Key}=HOST[/PATH]:PORT{ProjectFlag(r.Instance)}",
    };

    private static string ProjectFlag(InstanceRef i) => i.Project == InstanceRef.DefaultProject ? "" : $" --project {EchoText.Escaped(i.Project)}";
}
