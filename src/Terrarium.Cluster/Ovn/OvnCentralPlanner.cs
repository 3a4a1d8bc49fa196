namespace Terrarium.Cluster.Ovn;

/// <summary>A member as the central-set planner sees it.</summary>
public sealed record OvnCandidate(string Name, bool Online, bool CurrentlyCentral);

/// <summary>
/// O-2: the OVN NB/SB databases run on an odd number of members, all when the count is odd and all but one
/// when it is even (1→1, 2→1, 3→3, 4→3, 5→5 …), so raft always has a strict majority — capped at
/// <see cref="DefaultMax"/> (every write waits for a majority and the leader streams to every server;
/// OVN recommends 3 or 5, LXD itself keeps 3 voters). Members beyond the cap are chassis only. Online members are
/// preferred, then members already in the set (no needless raft churn), then names (deterministic).
/// </summary>
public static class OvnCentralPlanner
{
    public const int DefaultMax = 5;

    /// <summary>The caps `cluster ovn configure --max` accepts: odd, so the set keeps a strict majority.</summary>
    public static readonly IReadOnlyList<int> AllowedMax = [1, 3, 5, 7];

    public static int SizeFor(int members, int max = DefaultMax)
    {
        var odd = members <= 0 ? 0 : members % 2 == 1 ? members : members - 1;
        return Math.Min(odd, max % 2 == 1 ? max : max - 1);
    }

    /// <summary>
    /// The planned central addresses that the raft cluster already counts as servers (given as `ssl:IP:RAFTPORT`,
    /// as `cluster/status` lists them); all of them when the raft view is unknown or would leave none.
    /// </summary>
    public static IReadOnlyList<string> InRaft(IReadOnlyList<string> central, IEnumerable<string>? raftServers)
    {
        if (raftServers is null) return central;
        var inRaft = raftServers.Select(s => s.Split(':') is [_, var ip, _] ? ip : s).ToHashSet(StringComparer.Ordinal);
        var caughtUp = central.Where(inRaft.Contains).ToList();
        return caughtUp.Count == 0 ? central : caughtUp;
    }

    /// <summary>
    /// The servers LXD's northbound connection should list: the caught-up central servers. While the set is still
    /// growing, a current list whose servers all remain central and in raft is kept, so LXD (which restarts its OVN
    /// clients on every change of the key) sees one change per growth, not one per server.
    /// </summary>
    public static IReadOnlyList<string> NorthboundForLxd(IReadOnlyList<string> central, IEnumerable<string>? raftServers, IReadOnlyList<string> current)
    {
        var caughtUp = InRaft(central, raftServers);
        var growing = caughtUp.Count < central.Count;
        var currentStillGood = current.Count > 0 && current.All(caughtUp.Contains);
        return growing && currentStillGood ? current : caughtUp;
    }

    public static IReadOnlyList<string> Plan(IEnumerable<OvnCandidate> members, int max = DefaultMax)
    {
        var all = members.ToList();
        return all.OrderByDescending(m => m.Online).ThenByDescending(m => m.CurrentlyCentral).ThenBy(m => m.Name, StringComparer.Ordinal)
            .Take(SizeFor(all.Count, max)).Select(m => m.Name).Order(StringComparer.Ordinal).ToList();
    }
}
