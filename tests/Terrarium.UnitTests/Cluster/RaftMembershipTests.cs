using Terrarium.Cluster.Ovn;

namespace Terrarium.UnitTests.Cluster;

/// <summary>O-2 raft membership decisions (decisions as pure functions, no lab needed).</summary>
public class RaftMembershipTests
{
    private static string A(int i) => $"ssl:10.255.54.{i}:6643";

    private static RaftObservation Leader(int self, params (int Node, bool Reachable)[] others) =>
        new("leader", false, [new RaftPeer($"s{self}", A(self), true, true), .. others.Select(o => new RaftPeer($"s{o.Node}", A(o.Node), false, o.Reachable))], 5000);

    private static HashSet<string> Set(params int[] nodes) => nodes.Select(A).ToHashSet();

    [Fact]
    public void O2_a_leader_with_the_planned_servers_does_nothing() =>
        Assert.Equal(RaftAction.Nothing, RaftMembership.Decide(Leader(1, (2, true), (3, true)), planned: true, Set(1, 2, 3), Set(1, 2, 3)));

    [Fact]
    public void O2_the_leader_removes_one_server_per_pass_the_unreachable_and_the_departed_first()
    {
        // 2: live member, no longer central; 4: dead; 5: a member LXD no longer has (but reachable).
        var observed = Leader(1, (2, true), (3, true), (4, false), (5, true));
        var first = RaftMembership.Decide(observed, planned: true, Set(1, 3), Set(1, 2, 3, 4));
        Assert.Equal((RaftActionKind.Kick, "s4", true, "unreachable"), (first.Kind, first.Target!.Id, first.More, first.Reason));
        var second = RaftMembership.Decide(Leader(1, (2, true), (3, true), (5, true)), planned: true, Set(1, 3), Set(1, 2, 3));
        Assert.Equal("s5", second.Target!.Id);
        var third = RaftMembership.Decide(Leader(1, (2, true), (3, true)), planned: true, Set(1, 3), Set(1, 2, 3));
        Assert.Equal(("s2", "no longer central"), (third.Target!.Id, third.Reason));
    }

    [Fact]
    public void O2_an_unplanned_leader_kicks_the_others_first_then_hands_over_and_leaves()
    {
        Assert.Equal(RaftActionKind.Kick, RaftMembership.Decide(Leader(1, (2, true), (3, true), (4, true)), planned: false, Set(2, 3), Set(1, 2, 3, 4)).Kind);
        var leave = RaftMembership.Decide(Leader(1, (2, true), (3, true)), planned: false, Set(2, 3), Set(1, 2, 3));
        Assert.Equal((RaftActionKind.Leave, true), (leave.Kind, leave.More));
    }

    [Fact]
    public void O2_an_unplanned_follower_waits_even_when_disconnected_and_discards_only_once_raft_let_it_go()
    {
        var follower = new RaftObservation("follower", false, [new RaftPeer("s2", A(2), true, true)], 5000);
        var waiting = RaftMembership.Decide(follower, planned: false, Set(1, 3), Set(1, 2, 3));
        Assert.Equal((RaftActionKind.None, true), (waiting.Kind, waiting.More));
        var disconnected = follower with { Role = "candidate" }; // electing: every server is "disconnected" then
        Assert.Equal(RaftActionKind.None, RaftMembership.Decide(disconnected, planned: false, Set(1, 3), Set(1, 2, 3)).Kind);
        Assert.Equal(RaftActionKind.Discard, RaftMembership.Decide(follower with { HasLeft = true }, planned: false, Set(1, 3), Set(1, 2, 3)).Kind);
        Assert.Equal(RaftActionKind.Discard, RaftMembership.Decide(null, planned: false, Set(1, 3), Set(1, 2, 3)).Kind);
    }

    [Fact]
    public void O2_a_planned_member_without_a_running_server_or_as_a_follower_does_nothing()
    {
        Assert.Equal(RaftAction.Nothing, RaftMembership.Decide(null, planned: true, Set(1, 2, 3), Set(1, 2, 3)));
        var follower = new RaftObservation("follower", false, [new RaftPeer("s2", A(2), true, true), new RaftPeer("s9", A(9), false, true)], 1000);
        Assert.Equal(RaftAction.Nothing, RaftMembership.Decide(follower, planned: true, Set(1, 2, 3), Set(1, 2, 3)));
    }

    [Fact]
    public void O2_a_planned_leader_raises_an_old_clusters_election_timer_in_doublings_once_membership_is_settled()
    {
        var old = Leader(1, (2, true), (3, true)) with { ElectionTimerMs = 1000 };
        var raise = RaftMembership.Decide(old, planned: true, Set(1, 2, 3), Set(1, 2, 3));
        Assert.Equal((RaftActionKind.RaiseElectionTimer, 2000), (raise.Kind, raise.ElectionTimerMs));
        // a stranger goes first
        Assert.Equal(RaftActionKind.Kick, RaftMembership.Decide(Leader(1, (2, true), (4, true)) with { ElectionTimerMs = 1000 }, planned: true, Set(1, 2), Set(1, 2)).Kind);
    }
}
