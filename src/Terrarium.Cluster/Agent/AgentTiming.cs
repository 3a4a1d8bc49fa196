namespace Terrarium.Cluster.Agent;

/// <summary>How one pass of the agent's cluster worker ended (what decides when it looks again).</summary>
/// <param name="MemberEvent">The pass was woken by a cluster-member event (a member joined or left).</param>
public sealed record ClusterPassOutcome(
    bool Failed, bool OvnError = false, bool AwaitingCertificate = false, bool MembershipPending = false,
    DateTimeOffset? NextExpiry = null, bool MemberEvent = false);

/// <summary>C-12: when the agent's cluster worker runs again without an event; a pure function of the pass.</summary>
public static class AgentTiming
{
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);
    /// <summary>LXD forwards a new member's events only once every member listens to it: look again soon, twice.</summary>
    public static readonly TimeSpan FollowUp = TimeSpan.FromSeconds(5);
    public const int FollowUpsAfterMemberEvent = 2;
    /// <summary>A raft membership change is under way: the next one can follow in a moment.</summary>
    public static readonly TimeSpan MembershipRetry = TimeSpan.FromSeconds(2);
    /// <summary>Woken just after an invite expires, so its cleanup is not a resync late.</summary>
    public static readonly TimeSpan AfterExpiry = TimeSpan.FromMilliseconds(200);

    /// <returns>The wait, and the follow-ups still owed after it.</returns>
    public static (TimeSpan Wait, int FollowUps) NextClusterWait(TimeSpan resync, ClusterPassOutcome pass, DateTimeOffset now, int followUps)
    {
        if (pass.Failed) return (RetryAfterFailure, followUps);
        var wait = resync;
        if (pass.OvnError) wait = RetryAfterFailure;
        if (pass.AwaitingCertificate) wait = Min(wait, RetryAfterFailure);
        if (pass.MembershipPending) wait = Min(wait, MembershipRetry);
        if (pass.NextExpiry is { } expiry) wait = Min(wait, Max(TimeSpan.Zero, expiry - now) + AfterExpiry);
        if (pass.MemberEvent) followUps = FollowUpsAfterMemberEvent;
        if (followUps > 0 && FollowUp < wait) return (FollowUp, followUps - 1);
        return (wait, followUps);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
