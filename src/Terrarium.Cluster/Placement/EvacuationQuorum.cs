namespace Terrarium.Cluster.Placement;

/// <summary>A cluster member as the quorum rule sees it: LXD status and raft roles.</summary>
public sealed record QuorumMember(string Name, string Status, IReadOnlyCollection<string> Roles)
{
    public bool Voter => Roles.Contains("database") || Roles.Contains("database-leader");
    public bool Standby => Roles.Contains("database-standby");
    public bool Online => Members.MemberStates.Parse(Status) == Members.MemberState.Online;
}

/// <summary>
/// C-6 on LXD >= 6.9: the daemon refuses to evacuate an online database voter when the voters left would lose
/// their majority (lxd/api_cluster_member.go checkEvacuationQuorum; its cases are replayed in the unit tests).
/// Terrarium asks the same question before it moves anything, so a refusal never strands moved instances.
/// </summary>
public static class EvacuationQuorum
{
    /// <returns>Null when LXD would accept the evacuation, else why it would refuse.</returns>
    public static string? Check(IReadOnlyList<QuorumMember> members, string target)
    {
        var member = members.FirstOrDefault(m => m.Name == target);
        if (member is null || !member.Voter || !member.Online) return null; // standby, spare, offline or already evacuated
        var voters = members.Where(m => m.Voter).ToList();
        var onlineVoters = voters.Count(m => m.Online);
        if (onlineVoters < voters.Count / 2 + 1)
            return $"only {onlineVoters} of {voters.Count} database voters are online, below the majority the cluster needs now";
        var remaining = voters.Where(m => m.Name != target).ToList();
        var required = remaining.Count / 2 + 1;
        var have = remaining.Count(m => m.Online);
        // A standby can replace the voter, but LXD promotes only while more than one voter is online.
        if (onlineVoters > 1) have += Math.Min(required - Math.Min(have, required), members.Count(m => m.Standby && m.Online));
        return have >= required ? null
            : $"{target} is a database voter and only {Math.Min(have, remaining.Count(m => m.Online))} online voter(s) would remain where {required} are needed";
    }
}
