using System.Text.RegularExpressions;
using Terrarium.Cluster.Routes;
using Terrarium.Lxd;

namespace Terrarium.Cli.Docs;

/// <summary>The names `terrariumctl __complete` offers: cluster members, instances of a project, route names of an instance.</summary>
public static partial class CompletionNames
{
    public static async Task<IReadOnlyList<string>> ReadAsync(ILxdClient lxd, string kind, string? instance, string? project, CancellationToken ct)
    {
        IEnumerable<string> names = kind switch
        {
            DynamicValues.Members => (await lxd.GetClusterMembersAsync(ct)).Select(m => m.ServerName),
            DynamicValues.Instances => (await lxd.GetInstancesAsync(project, ct)).Select(i => i.Name),
            DynamicValues.Routes when instance is { Length: > 0 } => (await lxd.GetInstanceAsync(instance, project, ct)).Config.Keys
                .Where(k => k.StartsWith(RouteDeclaration.KeyPrefix, StringComparison.Ordinal))
                .Select(k => k[RouteDeclaration.KeyPrefix.Length..]),
            _ => [],
        };
        return names.Where(Offerable).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Only plain names reach the shell: bash's compgen -W expands what it is given, so a name someone set through
    /// lxc with $ or ` in it must not be offered.
    /// </summary>
    public static bool Offerable(string name) => SafeName().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SafeName();
}
