namespace Terrarium.Cli.Docs;

/// <summary>An argument whose values are names LXD knows: the completion scripts ask `terrariumctl __complete KIND` for them.</summary>
/// <param name="InstanceArgument">For route names: the argument of the same command that names the instance.</param>
public sealed record DynamicArgument(string CommandPath, string Argument, string Kind, string? InstanceArgument = null);

/// <summary>Which arguments complete with live names (the tests check each still exists in the command tree).</summary>
public static class DynamicValues
{
    public const string Members = "members";
    public const string Instances = "instances";
    public const string Routes = "routes";

    public static readonly string[] Kinds = [Members, Instances, Routes];

    public static readonly IReadOnlyList<DynamicArgument> Arguments =
    [
        new("cluster move", "instance", Instances),
        new("cluster move", "member", Members),
        new("cluster evacuate", "member", Members),
        new("cluster restore", "member", Members),
        new("cluster remove", "member", Members),
        new("route set", "instance", Instances),
        new("route unset", "instance", Instances),
        new("route unset", "name", Routes, InstanceArgument: "instance"),
    ];
}
