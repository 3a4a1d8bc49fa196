namespace Terrarium.Cluster.Agent;

/// <summary>
/// What the agent's one-second host watch does about the mesh interface and the firewall table, as a pure function of
/// what it sees (C-12, I-8). It is level-triggered: a watch that acted only on a change from "up" to "down" missed a
/// second deletion made within the second after its heal (workload S05 on Incus: the interface stayed gone, behind a
/// pass waiting on LXD).
/// </summary>
public sealed class HostWatchState
{
    /// <summary>The longest wait between two heal attempts that keep failing.</summary>
    public static readonly TimeSpan MaxHealBackoff = TimeSpan.FromSeconds(16);

    private int _failedHeals;
    private TimeSpan _lastHealAttempt;
    private long _driftWokenAtPass = -1;
    private TimeSpan _lastDriftWake;

    /// <summary>True when the mesh interface is down and a heal is due: at once, or after a backoff while heals fail.</summary>
    /// <param name="now">A monotonic time (the watch's elapsed time).</param>
    public bool HealDue(bool meshDown, TimeSpan now)
    {
        if (!meshDown)
        {
            _failedHeals = 0;
            return false;
        }
        return _failedHeals == 0 || now - _lastHealAttempt >= HealBackoff(_failedHeals);
    }

    /// <summary>Records a heal attempt's end.</summary>
    public void Healed(bool succeeded, TimeSpan now)
    {
        _lastHealAttempt = now;
        _failedHeals = succeeded ? 0 : _failedHeals + 1;
    }

    /// <summary>1 s, 2 s, 4 s … up to <see cref="MaxHealBackoff"/> after the first, second, third … failure.</summary>
    public static TimeSpan HealBackoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxHealBackoff.TotalSeconds, Math.Pow(2, Math.Clamp(failures - 1, 0, 30))));

    /// <summary>The shortest time between two wakes for a drift that outlives a pass (a firewall concern that keeps failing).</summary>
    public static readonly TimeSpan DriftRewake = TimeSpan.FromSeconds(10);

    /// <summary>
    /// True when a drifted table should wake the cluster worker: at once when first seen, and again only after a pass
    /// has completed since the last wake and <see cref="DriftRewake"/> has passed (a pass that could not fix it, or a
    /// new drift after it) — never a full pass per second.
    /// </summary>
    /// <param name="passesCompleted">How many cluster passes have completed so far.</param>
    /// <param name="now">A monotonic time (the watch's elapsed time).</param>
    public bool WakeForDrift(bool drifted, long passesCompleted, TimeSpan now)
    {
        if (!drifted)
        {
            _driftWokenAtPass = -1;
            return false;
        }
        if (_driftWokenAtPass >= 0 && (passesCompleted <= _driftWokenAtPass || now - _lastDriftWake < DriftRewake)) return false;
        (_driftWokenAtPass, _lastDriftWake) = (passesCompleted, now);
        return true;
    }
}
