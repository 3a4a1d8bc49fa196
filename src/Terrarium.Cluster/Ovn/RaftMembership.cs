namespace Terrarium.Cluster.Ovn;

/// <summary>One raft server as this node's database server lists it.</summary>
/// <param name="Reachable">The leader heard from it recently (only the leader knows; others say true).</param>
public sealed record RaftPeer(string Id, string Address, bool Self, bool Reachable);

/// <summary>What this node's database server says about its raft cluster; null when it is not running.</summary>
public sealed record RaftObservation(string Role, bool HasLeft, IReadOnlyList<RaftPeer> Servers, int? ElectionTimerMs)
{
    public bool IsLeader => Role == "leader";
}

public enum RaftActionKind { None, Discard, Kick, Leave, RaiseElectionTimer }

/// <summary>The one raft membership change this node makes in this pass, and whether to look again soon.</summary>
public sealed record RaftAction(RaftActionKind Kind, bool More, RaftPeer? Target = null, int? ElectionTimerMs = null, string Reason = "")
{
    public static readonly RaftAction Nothing = new(RaftActionKind.None, false);
}

/// <summary>
/// O-2: raft membership follows the plan one change at a time, always made by the leader: it removes one server
/// that is not planned per pass, unreachable servers and those of members LXD no longer has first, so that a live
/// server never goes while a dead one would stay and cost the majority. A leader that is itself not planned hands
/// over and leaves once it is the last such server. Any other server that is not planned waits for the leader,
/// then discards its copy of the database: being disconnected is no proof, since while the others elect a new
/// leader they all are, and a copy discarded then could cost them their majority.
/// </summary>
public static class RaftMembership
{
    /// <param name="planned">This member is in the central set.</param>
    /// <param name="wanted">Raft addresses (ssl:IP:PORT) of the central set.</param>
    /// <param name="members">Raft addresses of every member the cluster has.</param>
    public static RaftAction Decide(RaftObservation? observed, bool planned, IReadOnlySet<string> wanted, IReadOnlySet<string> members)
    {
        if (!planned && (observed is null || observed.HasLeft))
            return new RaftAction(RaftActionKind.Discard, false, Reason: "this member is out of the raft cluster");
        if (observed is null) return RaftAction.Nothing;
        if (!observed.IsLeader) return planned ? RaftAction.Nothing : new RaftAction(RaftActionKind.None, true, Reason: "waiting for the leader to remove this server");

        var strangers = observed.Servers.Where(s => !s.Self && !wanted.Contains(s.Address))
            .OrderBy(s => s.Reachable).ThenBy(s => members.Contains(s.Address)).ThenBy(s => s.Address, StringComparer.Ordinal).ToList();
        if (strangers.Count > 0)
            return new RaftAction(RaftActionKind.Kick, true, strangers[0], Reason: strangers[0].Reachable ? "no longer central" : "unreachable");
        if (planned)
            return OvnNetworkSettings.NextElectionTimer(observed.ElectionTimerMs) is { } timer
                ? new RaftAction(RaftActionKind.RaiseElectionTimer, true, ElectionTimerMs: timer)
                : RaftAction.Nothing;
        return new RaftAction(RaftActionKind.Leave, true, Reason: "no longer in the central set");
    }
}
