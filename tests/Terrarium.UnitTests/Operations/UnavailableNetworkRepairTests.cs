using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Ovn;
using Terrarium.Cluster.Ovn;
using static Terrarium.Cluster.Ovn.NetworkRepairPlanner;
using static Terrarium.Operations.Ovn.UnavailableNetworkRepair;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// When the agent restarts LXD for an OVN network it reports unavailable: only once the daemon's own retry failed
/// again while the chassis ran (CI: an Incus `cluster restore` failed to start the network once, the agent restarted
/// Incus at once, and the restore's next move met "Daemon is starting up").
/// </summary>
public class UnavailableNetworkRepairTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

    // The planner with the agent's bounds.
    private static (Step Step, Seen? Remember) Decide(NetworkRepairPlanner.Warning? current, Seen? seen, bool lifecycle, DateTimeOffset now) =>
        NetworkRepairPlanner.Decide(current, seen, lifecycle, now, Timings.Ovn.RepairStuckAfter);

    private static bool MayRestartAgain(DateTimeOffset? last, DateTimeOffset? lifecycleStartedAt, DateTimeOffset now) =>
        NetworkRepairPlanner.MayRestartAgain(last, lifecycleStartedAt, now, Timings.Ovn.RepairMinimumInterval);

    private static NetworkRepairPlanner.Warning W(long count, string uuid = "w1") => new(uuid, count);

    private static Terrarium.Lxd.Wire.Warning Unavailable(long count, string uuid = "w1", string location = "node2", string status = "new") => new()
    {
        Uuid = uuid, Type = "Network unavailable", Location = location, Status = status, Count = count,
        LastMessage = "Failed starting: Failed getting OVN chassis ID: ovn-controller not ready",
    };

    [Fact]
    public void O1_a_first_sighting_waits_for_the_daemons_own_retry_and_is_remembered()
    {
        var (step, remember) = Decide(W(1), null, lifecycle: false, T0);
        Assert.Equal(Step.Wait, step);
        Assert.Equal(new Seen("w1", 1, T0), remember);
    }

    [Fact]
    public void O1_the_same_count_again_keeps_waiting_and_keeps_the_first_sighting()
    {
        var seen = new Seen("w1", 1, T0);
        Assert.Equal((Step.Wait, seen), Decide(W(1), seen, false, T0.AddSeconds(45)));
    }

    [Fact]
    public void O1_a_retry_that_failed_again_since_restarts()
    {
        Assert.Equal((Step.Restart, (Seen?)null), Decide(W(2), new Seen("w1", 1, T0), false, T0.AddSeconds(70)));
    }

    [Fact]
    public void O1_a_warning_no_retry_records_again_restarts_after_a_while()
    {
        var seen = new Seen("w1", 1, T0);
        Assert.Equal(Step.Wait, Decide(W(1), seen, false, T0 + Timings.Ovn.RepairStuckAfter - TimeSpan.FromSeconds(1)).Step);
        Assert.Equal(Step.Restart, Decide(W(1), seen, false, T0 + Timings.Ovn.RepairStuckAfter).Step);
    }

    [Fact]
    public void O1_a_resolved_warning_is_forgotten_and_a_new_one_starts_over()
    {
        Assert.Equal((Step.None, (Seen?)null), Decide(null, new Seen("w1", 1, T0), false, T0));
        Assert.Equal((Step.Wait, new Seen("w2", 7, T0)), Decide(W(7, "w2"), new Seen("w1", 1, T0), false, T0));
    }

    [Fact]
    public void O1_init_and_join_restart_at_once_their_failure_predates_their_chassis()
    {
        Assert.Equal(Step.Restart, Decide(W(1), null, lifecycle: true, T0).Step);
    }

    [Fact]
    public void O1_C3_the_restart_is_spaced_but_a_later_init_or_join_may_restart_once_for_itself()
    {
        Assert.True(MayRestartAgain(null, null, T0)); // never restarted
        Assert.False(MayRestartAgain(T0, null, T0 + Timings.Ovn.RepairMinimumInterval - TimeSpan.FromSeconds(1)));
        Assert.True(MayRestartAgain(T0, null, T0 + Timings.Ovn.RepairMinimumInterval));
        // A server removed and joined again two minutes after its first join's restart: its new join restarts once.
        var rejoin = T0.AddMinutes(2);
        Assert.True(MayRestartAgain(T0, rejoin, rejoin.AddSeconds(10)));
        // ... and not twice: its own restart is after its start.
        Assert.False(MayRestartAgain(rejoin.AddSeconds(10), rejoin, rejoin.AddSeconds(40)));
    }

    [Fact]
    public async Task O1_C3_the_journal_says_when_the_lifecycle_in_progress_began_even_when_unreadable()
    {
        var root = Directory.CreateTempSubdirectory("trm-journal-").FullName;
        try
        {
            var layout = new NodeLayout(root);
            Assert.Null(Terrarium.Operations.Journal.OperationJournal.LifecycleStartedAt(layout));
            var journal = Terrarium.Operations.Journal.OperationJournal.Open(layout, "join", _ => { }, T0);
            await journal.StepAsync("prepare", () => Task.CompletedTask);
            Assert.Equal(T0, Terrarium.Operations.Journal.OperationJournal.LifecycleStartedAt(layout));
            File.WriteAllText(Path.Join(layout.JournalDir, "join.json"), "{ torn");
            Assert.True(Terrarium.Operations.Journal.OperationJournal.LifecycleInProgress(layout));
            Assert.NotNull(Terrarium.Operations.Journal.OperationJournal.LifecycleStartedAt(layout));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task O1_a_join_or_restore_waits_for_the_daemons_retry_to_start_the_network()
    {
        var reads = 0;
        var lxd = new InMemoryLxd { Warnings = () => ++reads < 3 ? [Unavailable(1)] : [Unavailable(2, status: "resolved")] };
        var log = new List<string>();
        var time = new SteppingTime(T0);

        await WaitAvailableAsync(Environment(lxd, log, time), lxd, "node2", CancellationToken.None);

        Assert.Equal(3, reads);
        Assert.Contains(log, l => l.StartsWith("waiting for LXD to start terrarium-ovn on node2", StringComparison.Ordinal));
        Assert.Contains("terrarium-ovn runs on node2", log);
    }

    [Fact]
    public async Task O1_the_wait_ends_after_a_little_over_one_retry_and_says_so()
    {
        var lxd = new InMemoryLxd { Warnings = () => [Unavailable(1)] };
        var log = new List<string>();
        var time = new SteppingTime(T0);

        await WaitAvailableAsync(Environment(lxd, log, time), lxd, "node2", CancellationToken.None);

        Assert.InRange(time.Elapsed, Timings.Ovn.AvailableWait, Timings.Ovn.AvailableWait + TimeSpan.FromSeconds(5));
        Assert.Contains(log, l => l.StartsWith("LXD still reports terrarium-ovn unavailable on node2", StringComparison.Ordinal));
    }

    private static NodeEnvironment Environment(InMemoryLxd lxd, List<string> log, TimeProvider time) =>
        new(new NodeLayout(Path.GetTempPath()), ToolPaths.FromEnvironment(), "/nonexistent.socket", log.Add, time, () => lxd);

    [Fact]
    public void O1_only_this_members_unresolved_ovn_warning_counts()
    {
        Terrarium.Lxd.Wire.Warning[] others =
        [
            Unavailable(3, location: "node3"), Unavailable(3, status: "resolved"),
            new() { Uuid = "b", Type = "Network unavailable", Location = "node2", Status = "new", LastMessage = "bridge lxdbr0: failed" },
        ];
        Assert.Null(UnavailableNetworkRepair.Unavailable(others, "node2"));
        Assert.Equal("w9", UnavailableNetworkRepair.Unavailable([.. others, Unavailable(1, "w9")], "node2")?.Uuid);
    }
}
