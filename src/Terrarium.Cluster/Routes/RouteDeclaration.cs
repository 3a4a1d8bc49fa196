using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Routes;

/// <summary>
/// T-2: a published route, declared on an instance as <c>user.terrarium.route.NAME = HOST[/PATH]:PORT</c>
/// (e.g. <c>user.terrarium.route.web = app.example.com:80</c>). HOST is what clients ask for, PORT is where
/// the instance listens. The grammar is <see cref="RouteGrammar"/>.
/// </summary>
public sealed record RouteDeclaration(string Instance, string Name, string Host, string PathPrefix, int Port)
{
    public const string KeyPrefix = "user.terrarium.route.";

    /// <summary>Every route an instance declares, plus one sentence per key that is refused.</summary>
    public static (List<RouteDeclaration> Routes, List<string> Errors) FromConfig(string instance, IReadOnlyDictionary<string, string> config)
    {
        var (routes, refused) = Read(InstanceRef.Of(null, instance), config);
        return (routes, refused.Select(r => r.ToString()).ToList());
    }

    /// <summary>Every route an instance declares, plus each key that is refused and why.</summary>
    public static (List<RouteDeclaration> Routes, List<RouteRefusal> Refused) Read(InstanceRef instance, IReadOnlyDictionary<string, string> config)
    {
        var routes = new List<RouteDeclaration>();
        var refused = new List<RouteRefusal>();
        foreach (var (key, value) in config.Where(kv => kv.Key.StartsWith(KeyPrefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var name = key[KeyPrefix.Length..];
            if (!RouteGrammar.IsName(name))
                refused.Add(new RouteRefusal(instance, key, value, RouteRefusal.NameRule) { IsBadName = true });
            else if (!RouteGrammar.TryParse(value, out var route, out var why))
                refused.Add(new RouteRefusal(instance, key, value, why));
            else
                routes.Add(new RouteDeclaration(instance.ToString(), name, route.Host, route.Path, route.Port));
        }
        return (routes, refused);
    }
}

/// <summary>A route key that is not served, and why (<see cref="Reason"/> is a clause; the sentence is <see cref="ToString"/>).</summary>
public sealed record RouteRefusal(InstanceRef Instance, string Key, string Value, string Reason)
{
    public static readonly string NameRule = $"NAME must be 1-{RouteGrammar.MaxName} lower-case letters, digits, '-' or '_', starting with a letter or digit";

    /// <summary>The key's NAME is refused (its value was not looked at).</summary>
    public bool IsBadName { get; init; }

    public override string ToString() => IsBadName
        ? $"{EchoText.Escaped(Instance.ToString())}: {EchoText.Quoted(Key)} has a bad route name: {Reason}."
        : $"{EchoText.Escaped(Instance.ToString())}: {Key} = {EchoText.Quoted(Value)} is not a valid HOST[/PATH]:PORT: {Reason}.";
}
