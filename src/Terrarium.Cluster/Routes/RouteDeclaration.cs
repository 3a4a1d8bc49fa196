using System.Text.RegularExpressions;

namespace Terrarium.Cluster.Routes;

/// <summary>
/// T-2: a published route, declared on an instance as <c>user.terrarium.route.NAME = HOST[/PATH]:PORT</c>
/// (e.g. <c>user.terrarium.route.web = app.example.com:80</c>). HOST is what clients ask for, PORT is where
/// the instance listens.
/// </summary>
public sealed partial record RouteDeclaration(string Instance, string Name, string Host, string PathPrefix, int Port)
{
    public const string KeyPrefix = "user.terrarium.route.";

    /// <summary>Every route an instance declares, plus one sentence per key that is malformed.</summary>
    public static (List<RouteDeclaration> Routes, List<string> Errors) FromConfig(string instance, IReadOnlyDictionary<string, string> config)
    {
        var routes = new List<RouteDeclaration>();
        var errors = new List<string>();
        foreach (var (key, value) in config.Where(kv => kv.Key.StartsWith(KeyPrefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = key[KeyPrefix.Length..];
            var m = Pattern().Match(value.Trim());
            if (!NamePattern().IsMatch(name) || !m.Success || !int.TryParse(m.Groups["port"].Value, out var port) || port is < 1 or > 65535)
            {
                errors.Add($"{instance}: {key} = '{value}' is not HOST[/PATH]:PORT (e.g. app.example.com:80).");
                continue;
            }
            routes.Add(new RouteDeclaration(instance, name, m.Groups["host"].Value.ToLowerInvariant(),
                m.Groups["path"].Success ? m.Groups["path"].Value : "/", port));
        }
        return (routes, errors);
    }

    [GeneratedRegex(@"^(?<host>(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?<path>/[A-Za-z0-9._~/-]*)?:(?<port>[0-9]{1,5})$")]
    private static partial Regex Pattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")]
    private static partial Regex NamePattern();
}
