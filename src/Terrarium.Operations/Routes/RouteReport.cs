using Terrarium.Cluster.Validation;

namespace Terrarium.Operations.Routes;

/// <summary>
/// The route worker's log lines for one sync. Everything in them that came from instance config or LXD is escaped
/// where the sentence is built (<see cref="EchoText"/>), so a route value cannot start a forged log line.
/// </summary>
public static class RouteReport
{
    /// <param name="reported">Sentences already logged: each refusal, conflict and local-only route is logged once.</param>
    public static IEnumerable<string> Lines(RouteSyncResult? result, string reason, ISet<string> reported)
    {
        if (result is null) yield break;
        if (result.Changed) yield return $"routes updated ({EchoText.Escaped(reason)}): {result.Routes} route(s), {result.Backends} backend(s)";
        foreach (var bad in result.Errors.Where(reported.Add)) yield return $"route ignored: {bad}";
        foreach (var conflict in result.Conflicts.Select(c => c.ToString()).Where(reported.Add)) yield return $"route conflict: {conflict}";
        foreach (var local in result.LocalOnly.Select(l => l.ToString()).Where(reported.Add)) yield return $"route served locally only: {local}";
    }
}
