using Terrarium.Cluster.Agent;

namespace Terrarium.UnitTests.Cluster;

/// <summary>C-12/I-8: the agent's host watch judges what it sees each second, not only its changes.</summary>
public class HostWatchStateTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void I8_a_mesh_deleted_again_within_the_second_after_a_heal_is_healed_again()
    {
        // Workload S05 on Incus: healed at 10 s, deleted again before the next look; the watch never saw it up.
        var state = new HostWatchState();
        Assert.True(state.HealDue(meshDown: true, S(10)));
        state.Healed(succeeded: true, S(10.4));
        Assert.True(state.HealDue(meshDown: true, S(11)));
    }

    [Fact]
    public void I8_an_interface_that_is_up_needs_no_heal()
    {
        var state = new HostWatchState();
        Assert.False(state.HealDue(meshDown: false, S(1)));
    }

    [Fact]
    public void I8_failing_heals_are_retried_with_a_growing_bounded_backoff_and_a_success_resets_it()
    {
        var state = new HostWatchState();
        Assert.True(state.HealDue(true, S(0)));
        state.Healed(false, S(0));
        Assert.False(state.HealDue(true, S(0.5)));
        Assert.True(state.HealDue(true, S(1)));
        state.Healed(false, S(1));
        Assert.False(state.HealDue(true, S(2)));
        Assert.True(state.HealDue(true, S(3)));
        Assert.Equal(S(4), HostWatchState.HealBackoff(3));
        Assert.Equal(HostWatchState.MaxHealBackoff, HostWatchState.HealBackoff(50));
        // Up again (someone else restored it): the next deletion is healed at once.
        Assert.False(state.HealDue(false, S(4)));
        Assert.True(state.HealDue(true, S(4.1)));
    }

    [Fact]
    public void F4_a_drift_wakes_the_worker_once_and_again_only_after_a_completed_pass_left_it_and_ten_seconds()
    {
        var state = new HostWatchState();
        Assert.True(state.WakeForDrift(drifted: true, passesCompleted: 7, S(0)));
        Assert.False(state.WakeForDrift(true, 7, S(1))); // the pass has not run yet: no wake per second
        Assert.False(state.WakeForDrift(true, 7, S(30))); // nor later: a failing pass is retried on the worker's schedule
        Assert.True(state.WakeForDrift(true, 8, S(31))); // a pass completed and the table still differs
        Assert.False(state.WakeForDrift(true, 9, S(32))); // a firewall concern that keeps failing: not a pass per second
        Assert.True(state.WakeForDrift(true, 9, S(41)));
        Assert.False(state.WakeForDrift(false, 10, S(42)));
        Assert.True(state.WakeForDrift(true, 10, S(42.5))); // a new drift after a clean look: at once
    }
}
