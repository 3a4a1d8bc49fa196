namespace Terrarium.Cluster.Ovn;

/// <summary>A member as the central-set planner sees it.</summary>
public sealed record OvnCandidate(string Name, bool Online, bool CurrentlyCentral);

/// <summary>
/// O-2: the OVN NB/SB databases run on an odd number of members, all when the count is odd and all but one
/// when it is even (1→1, 2→1, 3→3, 4→3, 5→5 …), so raft always has a strict majority. Online members are
/// preferred, then members already in the set (no needless raft churn), then names (deterministic).
/// </summary>
public static class OvnCentralPlanner
{
    public static int SizeFor(int members) => members <= 0 ? 0 : members % 2 == 1 ? members : members - 1;

    public static IReadOnlyList<string> Plan(IEnumerable<OvnCandidate> members)
    {
        var all = members.ToList();
        return all.OrderByDescending(m => m.Online).ThenByDescending(m => m.CurrentlyCentral).ThenBy(m => m.Name, StringComparer.Ordinal)
            .Take(SizeFor(all.Count)).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
    }
}
