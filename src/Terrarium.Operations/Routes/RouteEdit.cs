using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;

namespace Terrarium.Operations.Routes;

/// <summary>
/// `route set|unset`: writes or removes one <c>user.terrarium.route.NAME</c> key. The value is judged by the grammar the
/// agents use before LXD is asked, so a refused route is exit 2 with nothing changed, never a key the agents would ignore.
/// </summary>
public static class RouteEdit
{
    public static string Key(string name) => RouteDeclaration.KeyPrefix + name;

    /// <summary>Throws the grammar's sentence for a bad NAME or (when given) a bad HOST[/PATH]:PORT.</summary>
    public static void Check(string name, string? value)
    {
        if (!RouteGrammar.IsName(name)) throw new InputException($"{EchoText.Quoted(name)} is a bad route name: {RouteRefusal.NameRule}.");
        if (value is not null && !RouteGrammar.TryParse(value, out _, out var why))
            throw new InputException($"{EchoText.Quoted(value)} is not a valid HOST[/PATH]:PORT (e.g. {RouteGrammar.Example}): {why}.");
    }

    public static async Task SetAsync(ILxdClient lxd, InstanceRef instance, string name, string value, CancellationToken ct)
    {
        Check(name, value);
        await lxd.PatchInstanceConfigAsync(instance.Name, new() { [Key(name)] = value }, ct, instance.Project);
    }

    /// <summary>Removes the key; false when the instance has no such route (nothing changed).</summary>
    public static async Task<bool> UnsetAsync(ILxdClient lxd, InstanceRef instance, string name, CancellationToken ct)
    {
        Check(name, null);
        var current = await lxd.GetInstanceAsync(instance.Name, instance.Project, ct);
        if (!current.Config.ContainsKey(Key(name))) return false;
        // LXD stores no empty config value (lxd/db/instances.go CreateInstanceConfig skips them, 5.0 and later; Incus the
        // same), so an empty one in a PATCH removes the key and leaves the others as they are.
        await lxd.PatchInstanceConfigAsync(instance.Name, new() { [Key(name)] = "" }, ct, instance.Project);
        return true;
    }
}
