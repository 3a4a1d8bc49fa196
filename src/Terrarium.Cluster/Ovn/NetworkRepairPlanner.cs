namespace Terrarium.Cluster.Ovn;

/// <summary>
/// Whether to restart LXD for its OVN network left "unavailable" on this member. LXD 5.0 keeps retrying a failed network
/// start with the settings it had at start-up; its own retry runs once a minute (lxd/networks.go networkStartup,
/// lxd-5.0.2; cmd/incusd/networks.go, v6.0.4). A restart is decided only once that retry failed again while this
/// member's chassis ran: a failure the daemon clears itself costs no restart (which would cut the moves that follow it).
/// </summary>
public static class NetworkRepairPlanner
{
    /// <summary>LXD's warning as the planner reads it: which warning, and how often it was raised.</summary>
    public sealed record Warning(string Uuid, long Count);

    /// <summary>The unresolved warning as this member last saw it, with its chassis running.</summary>
    public sealed record Seen(string Uuid, long Count, DateTimeOffset At);

    public enum Step { None, Wait, Restart }

    /// <summary>
    /// What to do about this member's unresolved warning (<paramref name="current"/>, null when none) given what was seen
    /// before, and what to remember for the next pass. Init and join restart at once; otherwise a count that grew (the
    /// daemon's retry failed again) or a warning unchanged for <paramref name="stuckAfter"/> restarts.
    /// </summary>
    public static (Step Step, Seen? Remember) Decide(Warning? current, Seen? seen, bool lifecycle, DateTimeOffset now, TimeSpan stuckAfter)
    {
        if (current is null) return (Step.None, null);
        if (lifecycle) return (Step.Restart, null);
        if (seen is not null && seen.Uuid == current.Uuid)
        {
            if (current.Count > seen.Count || now - seen.At >= stuckAfter) return (Step.Restart, null);
            return (Step.Wait, seen);
        }
        return (Step.Wait, new Seen(current.Uuid, current.Count, now));
    }

    /// <summary>
    /// At most one restart per <paramref name="minimumInterval"/>, except that an init or join that began after the last
    /// restart may restart once for itself: a server removed and joined again within minutes of its first join (or of the
    /// agent's restart) would otherwise wait out the interval with its network unavailable.
    /// </summary>
    public static bool MayRestartAgain(DateTimeOffset? lastRestart, DateTimeOffset? lifecycleStartedAt, DateTimeOffset now, TimeSpan minimumInterval) =>
        lastRestart is not { } last || now - last >= minimumInterval || lifecycleStartedAt is { } started && last < started;
}
