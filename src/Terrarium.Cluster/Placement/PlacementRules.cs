namespace Terrarium.Cluster.Placement;

/// <summary>A cluster member as placement rules see it: its name, cluster groups and <c>scheduler.instance</c> (all|manual|group).</summary>
public sealed record GroupedMember(string Name, IReadOnlyCollection<string> Groups, string Scheduler = "all");

/// <summary>
/// Which members an instance may run on, by LXD's own rules, so Terrarium never places an instance where LXD's
/// scheduler would not:
/// <list type="bullet">
/// <item>A member with <c>scheduler.instance=manual</c> only gets instances targeted at it by name, and one with
/// <c>scheduler.instance=group</c> only instances placed in one of its groups (lxd/db/node.go GetCandidateMembers).</item>
/// <item>A restricted project (<c>restricted=true</c>) with <c>restricted.cluster.groups</c> may only use members of
/// those groups (lxd/project/limits/permissions.go AllowClusterMember, GetRestrictedClusterGroups; the same keys in
/// Incus internal/server/project/permissions.go).</item>
/// <item>An instance created with <c>--target @GROUP</c> records <c>volatile.cluster.group</c> and LXD's evacuation
/// keeps it in that group (lxd/instance_post.go, lxd/api_cluster_evacuation.go: TargetDetect of that key).</item>
/// </list>
/// <c>restricted.cluster.target=block</c> forbids non-admin users to pick a member; it does not exclude any member,
/// and LXD lets a server administrator (Terrarium, on the unix socket) target even then
/// (CheckClusterTargetRestriction: "Allow server administrators to move instances around even when restricted").
/// </summary>
public static class PlacementRules
{
    public const string ClusterGroupKey = "volatile.cluster.group";

    /// <returns>The members the instance may be placed on automatically (an evacuation or a balanced move).</returns>
    /// <param name="targeted">The operator named the member (`cluster move`): scheduler.instance does not apply, as in LXD.</param>
    public static IReadOnlySet<string> AllowedMembers(IReadOnlyDictionary<string, string> projectConfig,
        IReadOnlyDictionary<string, string> instanceConfig, IReadOnlyCollection<GroupedMember> members, bool targeted = false)
    {
        var restricted = IsTrue(projectConfig.GetValueOrDefault("restricted")) ? Split(projectConfig.GetValueOrDefault("restricted.cluster.groups")) : [];
        var group = instanceConfig.GetValueOrDefault(ClusterGroupKey)?.TrimStart('@') ?? "";
        return members.Where(m =>
                (targeted || (m.Scheduler != "manual" && (m.Scheduler != "group" || (group.Length > 0 && m.Groups.Contains(group))))) &&
                (group.Length == 0 || m.Groups.Contains(group)) &&
                (restricted.Count == 0 || m.Groups.Any(restricted.Contains)))
            .Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Why an instance's members are limited, for a plan that cannot place it (empty when nothing limits it).</summary>
    public static string Why(IReadOnlyDictionary<string, string> projectConfig, IReadOnlyDictionary<string, string> instanceConfig)
    {
        var reasons = new List<string>();
        if (IsTrue(projectConfig.GetValueOrDefault("restricted")) && Split(projectConfig.GetValueOrDefault("restricted.cluster.groups")) is { Count: > 0 } groups)
            reasons.Add($"its project allows only the cluster group(s) {string.Join(", ", groups)} (restricted.cluster.groups)");
        if (instanceConfig.GetValueOrDefault(ClusterGroupKey) is { Length: > 0 } group)
            reasons.Add($"it was placed in cluster group {group.TrimStart('@')} ({ClusterGroupKey})");
        if (reasons.Count == 0) reasons.Add("the other members only take instances targeted at them (scheduler.instance=manual or group)");
        return string.Join(" and ", reasons);
    }

    // LXD's shared.IsTrue: "true", "1", "yes", "on" (case-insensitive).
    private static bool IsTrue(string? value) => value?.ToLowerInvariant() is "true" or "1" or "yes" or "on";

    private static HashSet<string> Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
}
