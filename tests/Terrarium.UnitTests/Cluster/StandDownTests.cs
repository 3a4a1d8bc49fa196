using Terrarium.Cluster.Agent;
using Terrarium.Cluster.Members;
using Terrarium.Cluster.Status;
using Terrarium.Cluster.Status.Rules;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

/// <summary>A server the cluster removed while it was down: how it knows (Isolation), stands down (StandDown), says so (status) and is reset (LeavePlanner).</summary>
public class StandDownTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, DateTimeOffset?> Handshakes(params (string Key, double? SecondsAgo)[] peers) =>
        peers.ToDictionary(p => p.Key, p => p.SecondsAgo is { } s ? Now - TimeSpan.FromSeconds(s) : (DateTimeOffset?)null);

    [Fact]
    public void A_member_reaches_no_peer_when_none_ever_completed_a_handshake_or_all_are_older_than_three_minutes()
    {
        Assert.True(Isolation.ReachesNoPeer(["K2", "K3"], Handshakes(("K2", null), ("K3", null)), Now));
        Assert.True(Isolation.ReachesNoPeer(["K2", "K3"], Handshakes(("K2", 181), ("K3", 600)), Now));
        Assert.True(Isolation.ReachesNoPeer(["K2"], Handshakes(), Now)); // the peer is not even on the interface
        Assert.False(Isolation.ReachesNoPeer(["K2", "K3"], Handshakes(("K2", null), ("K3", 179)), Now));
        Assert.False(Isolation.ReachesNoPeer([], Handshakes(), Now)); // a cluster of one reaches nobody and is fine
        Assert.False(Isolation.ReachesNoPeer(["K2"], null, Now)); // no interface: another problem says that
        Assert.Equal(TimeSpan.FromSeconds(30), Isolation.LatestHandshakeAge(Handshakes(("K2", 90), ("K3", 30), ("K4", null)), Now));
        Assert.Null(Isolation.LatestHandshakeAge(Handshakes(("K2", null)), Now));
    }

    [Fact]
    public void The_agent_stands_down_only_after_its_boot_grace_with_no_peer_and_no_lxd_and_resumes_when_either_answers()
    {
        var isolated = new StandDown.Observation(true, 2, TimeSpan.FromSeconds(61), LxdAnswers: false);
        var (down, line) = StandDown.Next(false, isolated);
        Assert.True(down);
        Assert.StartsWith("standing down: this member reaches none of its 2 peer(s)", line);
        Assert.Contains("terrariumctl cluster leave --yes", line);
        Assert.Equal((true, (string?)null), StandDown.Next(true, isolated)); // said once
        Assert.Equal((false, (string?)null), StandDown.Next(false, isolated with { Uptime = TimeSpan.FromSeconds(59) })); // just booted: handshakes take a moment
        Assert.Equal((false, (string?)null), StandDown.Next(false, isolated with { LxdAnswers = true }));
        Assert.Equal((false, "a peer answers over the mesh again: cluster work resumes"), StandDown.Next(true, isolated with { ReachesNoPeer = false }));
        Assert.Equal((false, "LXD answers again: cluster work resumes"), StandDown.Next(true, isolated with { LxdAnswers = true }));
    }

    [Fact]
    public void Status_says_an_isolated_member_may_have_been_removed_and_names_the_reset_only_while_lxds_database_does_not_answer()
    {
        var config = StatusFixtures.Config(["node1", "node2", "node3"]);
        var local = new LocalObservations(Handshakes(("Knode2", null), ("Knode3", 400)), true, true, new Dictionary<string, int>(), new Dictionary<string, long>())
        {
            LxdMembersTimedOut = TimeSpan.FromSeconds(1.2),
        };
        var p = DatabaseRules.Isolated(new StatusFacts("node1", config, [], local, Now))!;
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.StartsWith("This server reaches none of its 2 peer(s) over the mesh (no WireGuard handshake in 3 min)", p.Message);
        Assert.Contains("terrariumctl cluster leave --yes", p.Fix);
        Assert.Null(DatabaseRules.Isolated(new StatusFacts("node1", config, [], local with { LxdMembersTimedOut = null }, Now)));
        Assert.Null(DatabaseRules.Isolated(new StatusFacts("node1", config, [], local with { HandshakesByPublicKey = Handshakes(("Knode2", 10)) }, Now)));
    }

    private static LeaveFacts Facts(LxdClusterState lxd, double? handshakeSecondsAgo = null, string? member = "node5", bool mesh = true, bool units = true) =>
        new(member, lxd, handshakeSecondsAgo is { } s ? TimeSpan.FromSeconds(s) : null, mesh, units);

    [Fact]
    public void Leave_resets_lxd_then_terrarium_on_a_server_the_cluster_dropped_and_finishes_what_a_killed_leave_left()
    {
        Assert.Equal([LeaveStep.LxdReset, LeaveStep.Terrarium], LeavePlanner.Plan(Facts(LxdClusterState.NotAnswering)));
        Assert.Equal([LeaveStep.LxdReset, LeaveStep.Terrarium], LeavePlanner.Plan(Facts(LxdClusterState.NotAnswering, handshakeSecondsAgo: 400)));
        // Killed after the reset: LXD answers as a server of its own, the identity is still there.
        Assert.Equal([LeaveStep.Terrarium], LeavePlanner.Plan(Facts(LxdClusterState.Standalone)));
        // Killed after the identity went: the interface alone still says where the mesh was.
        Assert.Equal([LeaveStep.Terrarium], LeavePlanner.Plan(Facts(LxdClusterState.Standalone, member: null)));
        Assert.Equal([LeaveStep.Units], LeavePlanner.Plan(Facts(LxdClusterState.Standalone, member: null, mesh: false)));
        Assert.Empty(LeavePlanner.Plan(Facts(LxdClusterState.Standalone, member: null, mesh: false, units: false)));
        Assert.Equal(["lxd-reset", "leave", "units"], new[] { LeaveStep.LxdReset, LeaveStep.Terrarium, LeaveStep.Units }.Select(LeavePlanner.Name));
    }

    [Fact]
    public void Leave_is_refused_while_the_cluster_still_counts_this_server_or_when_there_is_no_membership_to_reset()
    {
        var clustered = Assert.Throws<InputException>(() => LeavePlanner.Plan(Facts(LxdClusterState.Clustered)));
        Assert.Equal("node5 is still a member of LXD's cluster (its database answers): remove it on another member with `terrariumctl cluster remove node5`; " +
                     "`cluster leave` resets a server the cluster removed while it was down.", clustered.Message);
        var talking = Assert.Throws<InputException>(() => LeavePlanner.Plan(Facts(LxdClusterState.NotAnswering, handshakeSecondsAgo: 12)));
        Assert.StartsWith("node5 still completes WireGuard handshakes with its peers (the latest 12 s ago)", talking.Message);
        var stopped = Assert.Throws<InputException>(() => LeavePlanner.Plan(Facts(LxdClusterState.NotAnswering, member: null, mesh: false)));
        Assert.StartsWith("LXD does not answer and this server holds no Terrarium membership", stopped.Message);
        Assert.Throws<InputException>(() => LeavePlanner.Plan(Facts(LxdClusterState.Clustered, member: null, mesh: false, units: false)));
    }
}
