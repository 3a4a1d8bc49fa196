using Terrarium.Cluster.Agent;

namespace Terrarium.UnitTests.Cluster;

/// <summary>C-12 agent timing as a pure function.</summary>
public class AgentTimingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(30);

    [Fact]
    public void C12_a_quiet_pass_waits_for_the_resync() =>
        Assert.Equal((Resync, 0), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false), Now, 0));

    [Fact]
    public void C12_a_failed_pass_or_an_ovn_error_retries_in_five_seconds_even_with_a_shorter_resync()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(true), Now, 0).Wait);
        Assert.Equal(TimeSpan.FromSeconds(5), AgentTiming.NextClusterWait(TimeSpan.FromSeconds(1), new ClusterPassOutcome(false, OvnError: true), Now, 0).Wait);
    }

    [Fact]
    public void C12_pending_work_shortens_the_wait_to_the_soonest_reason()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, AwaitingCertificate: true), Now, 0).Wait);
        Assert.Equal(TimeSpan.FromSeconds(2), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, AwaitingCertificate: true, MembershipPending: true), Now, 0).Wait);
        Assert.Equal(TimeSpan.FromSeconds(3.2), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, NextExpiry: Now.AddSeconds(3)), Now, 0).Wait);
        // An invite that expired a moment ago: look at once (never a negative wait).
        Assert.Equal(TimeSpan.FromMilliseconds(200), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, NextExpiry: Now.AddSeconds(-10)), Now, 0).Wait);
    }

    [Fact]
    public void C12_a_member_event_brings_two_follow_ups_five_seconds_apart_then_the_resync()
    {
        var (wait, owed) = AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, MemberEvent: true), Now, 0);
        Assert.Equal((TimeSpan.FromSeconds(5), 1), (wait, owed));
        (wait, owed) = AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false), Now, owed);
        Assert.Equal((TimeSpan.FromSeconds(5), 0), (wait, owed));
        Assert.Equal((Resync, 0), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false), Now, owed));
        // a shorter reason keeps the follow-up owed
        Assert.Equal((TimeSpan.FromSeconds(2), 2), AgentTiming.NextClusterWait(Resync, new ClusterPassOutcome(false, MembershipPending: true, MemberEvent: true), Now, 0));
    }
}
