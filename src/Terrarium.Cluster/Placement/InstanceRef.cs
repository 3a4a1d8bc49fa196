namespace Terrarium.Cluster.Placement;

/// <summary>
/// An instance is named by its project and its name (the same name may exist in several LXD projects).
/// Printed as "name" in the default project and "project/name" elsewhere; LXD names cannot contain '/'.
/// </summary>
public sealed record InstanceRef(string Project, string Name) : IComparable<InstanceRef>
{
    public const string DefaultProject = "default";

    public static InstanceRef Of(string? project, string name) => new(string.IsNullOrEmpty(project) ? DefaultProject : project, name);

    public override string ToString() => Project == DefaultProject ? Name : $"{Project}/{Name}";

    public int CompareTo(InstanceRef? other) => other is null ? 1 :
        string.CompareOrdinal(Project, other.Project) is var p and not 0 ? p : string.CompareOrdinal(Name, other.Name);
}
