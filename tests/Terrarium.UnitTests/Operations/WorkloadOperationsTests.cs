using Terrarium.Cluster.Placement;
using Terrarium.Operations.Workloads;
using Terrarium.UnitTests.Lxd;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Operations;

/// <summary>Workload operations against the fake daemon, with a clock that never really waits.</summary>
public class WorkloadOperationsTests
{
    private static async Task<FakeLxd> ClusterAsync(params string[] instancesOnNode1)
    {
        var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.OperationTime = TimeSpan.FromMilliseconds(20);
        fake.Clustered = true;
        foreach (var n in new[] { "node1", "node2", "node3" }) fake.Members.Add((n, "Online", ["database"]));
        foreach (var i in instancesOnNode1) fake.Instances.Add(DaemonContractTests.Instance(i, "node1", "Running"));
        return fake;
    }

    [Fact]
    public async Task I10_an_evacuation_with_one_failing_move_moves_the_others_brings_the_failed_one_back_up_and_does_not_mark_the_member()
    {
        await using var fake = await ClusterAsync("a", "b", "c");
        fake.MoveRefusals["b"] = new(["Failed to transfer the root disk"]);
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var plan = await operations.PlanEvacuationAsync("node1", CancellationToken.None);
        Assert.Equal(["a", "b", "c"], plan.Moves.Select(m => m.Name).Order());
        Assert.Equal(0, fake.Count("POST /1.0/instances/")); // planning moves nothing
        var result = await operations.EvacuateAsync(plan, parallel: 3, CancellationToken.None);

        Assert.False(result.MarkedEvacuated);
        Assert.Equal("Online", fake.Members.Single(m => m.Name == "node1").Status);
        var failed = Assert.Single(result.Moves, m => !m.Succeeded);
        Assert.Equal("b", failed.Instance.Name);
        Assert.Contains("Failed to transfer the root disk (left on node1, running again)", failed.Detail);
        var b = fake.Instances.Single(i => (string?)i["name"] == "b");
        Assert.Equal(("node1", "Running"), ((string?)b["location"], (string?)b["status"]));
        Assert.All(fake.Instances.Where(i => (string?)i["name"] != "b"), i => Assert.NotEqual("node1", (string?)i["location"]));
    }

    [Fact]
    public async Task X3_an_evacuation_killed_half_way_is_finished_by_the_next_run_on_the_same_server()
    {
        // The killed run had stopped a (still on node1) and b; LXD then moved b to node2 alone, without its origin.
        await using var fake = await ClusterAsync("a", "c");
        fake.Instances.Single(i => (string?)i["name"] == "a")["status"] = "Stopped";
        fake.Instances.Add(DaemonContractTests.Instance("b", "node2", "Stopped"));
        var env = DaemonContractTests.Environment(fake, new InstantTime());
        var journal = MoveOffJournal.Open(env.Layout, "node1");
        journal.Begin([(InstanceRef.Of(null, "a"), true), (InstanceRef.Of(null, "b"), true), (InstanceRef.Of(null, "c"), true)]);
        var operations = new WorkloadOperations(env);

        var plan = await operations.PlanEvacuationAsync("node1", CancellationToken.None);
        Assert.Equal(["a", "b", "c"], plan.Interrupted.Select(i => i.Name).Order());
        Assert.Equal(["a", "c"], plan.Moves.Select(m => m.Name).Order());
        var result = await operations.EvacuateAsync(plan, parallel: 2, CancellationToken.None);

        Assert.True(result.MarkedEvacuated, string.Join("; ", result.Moves.Select(m => m.Detail)));
        Assert.All(fake.Instances, i => Assert.Equal("Running", (string?)i["status"])); // all three run again
        Assert.All(fake.Instances, i => Assert.NotEqual("node1", (string?)i["location"]));
        Assert.Equal(1, fake.Count("PATCH /1.0/instances/b")); // b's origin recorded
        Assert.Contains(result.Moves, m => m.Instance.Name == "b" && m.Method == "resumed" && m.Detail.Contains("started"));
        Assert.False(File.Exists(MoveOffJournal.PathOf(env.Layout, "node1")));
    }

    [Fact]
    public async Task X3_the_next_run_waits_for_a_transfer_LXD_still_runs_for_the_killed_one()
    {
        await using var fake = await ClusterAsync("a");
        fake.OperationTime = TimeSpan.FromMilliseconds(600);
        var a = fake.Instances.Single();
        a["status"] = "Stopped";
        var env = DaemonContractTests.Environment(fake, new InstantTime());
        MoveOffJournal.Open(env.Layout, "node1").Begin([(InstanceRef.Of(null, "a"), true)]);
        var transfer = fake.Start("Migrating instance", onSuccess: () => a["location"] = "node3").On(FakeLxd.InstancePath(a));
        fake.OperationTime = TimeSpan.FromMilliseconds(20);
        var operations = new WorkloadOperations(env);

        var plan = await operations.PlanEvacuationAsync("node1", CancellationToken.None);

        Assert.True(transfer.Finished);
        Assert.Empty(plan.Moves); // LXD moved it: nothing left to move, only to finish
        var result = await operations.EvacuateAsync(plan, parallel: 1, CancellationToken.None);
        Assert.True(result.MarkedEvacuated);
        Assert.Equal(("node3", "Running"), ((string?)a["location"], (string?)a["status"]));
        Assert.Equal(0, fake.Count("POST /1.0/instances/a"));
    }

    [Fact]
    public async Task X3_an_evacuation_that_completes_leaves_no_journal_and_one_that_fails_keeps_it()
    {
        await using var fake = await ClusterAsync("a", "b");
        fake.MoveRefusals["b"] = new(["Failed to transfer the root disk"]);
        var env = DaemonContractTests.Environment(fake, new InstantTime());
        var operations = new WorkloadOperations(env);

        var failed = await operations.EvacuateAsync(await operations.PlanEvacuationAsync("node1", CancellationToken.None), 2, CancellationToken.None);

        Assert.False(failed.MarkedEvacuated);
        Assert.Equal(["b"], MoveOffJournal.Open(env.Layout, "node1").Pending.Select(i => i.Name));
        Assert.Equal(("node1", "Running"), ((string?)fake.Instances[1]["location"], (string?)fake.Instances[1]["status"]));
        var again = await operations.EvacuateAsync(await operations.PlanEvacuationAsync("node1", CancellationToken.None), 2, CancellationToken.None);
        Assert.True(again.MarkedEvacuated);
        Assert.False(File.Exists(MoveOffJournal.PathOf(env.Layout, "node1")));
    }

    [Theory]
    [InlineData("Failed to connect to destination server \"10.255.54.2:8443\": Missing event connection with target cluster member")] // LXD
    [InlineData("Failed to connect to destination server \"10.255.54.2:8443\": Server isn't ready yet")] // Incus 6.0.4
    // The target missed the source's 10 s window to connect (lxd/migrate_instance.go, lxd-5.0.2), seen at 9 members:
    [InlineData("Copy instance operation failed: Failed instance creation: Error transferring instance data: websocket: bad handshake")]
    [InlineData("Copy instance operation failed: Timed out waiting for migration connections")]
    // A transfer cut on a saturated member (seen at 9 members on 2 CPUs):
    [InlineData("Copy instance operation failed: Failed instance creation: Error transferring instance data: read tcp 10.255.54.3:41234->10.255.54.9:8443: i/o timeout")]
    [InlineData("Failed to begin transaction: context deadline exceeded")]
    public async Task I8_I11_a_move_refused_before_anything_moved_is_tried_once_more_after_a_pause(string refusal)
    {
        await using var fake = await ClusterAsync("a");
        fake.MoveRefusals["a"] = new([refusal]);
        var time = new InstantTime();
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, time));

        var moved = await operations.MoveAsync("a", "node2", project: null, dryRun: false, progress: null, CancellationToken.None);

        Assert.True(moved.Succeeded, moved.Detail);
        Assert.Equal(2, fake.Count("POST /1.0/instances/a"));
        Assert.Contains(Terrarium.Operations.Timings.Workloads.EventReconnectWait, time.Waited);
        Assert.Equal("node2", (string?)fake.Instances[0]["location"]);
    }

    [Fact]
    public async Task I8_a_clean_shutdown_that_fails_but_stops_the_instance_does_not_fail_the_move()
    {
        // Seen on LXD 5.0.2 right after a launch: the shutdown operation fails, the container stops anyway, and the
        // forced stop then fails with "The instance is already stopped" (LXD's own evacuation ignores that error too,
        // lxd/api_cluster.go ErrInstanceIsStopped, lxd-5.0.2).
        await using var fake = await ClusterAsync("a");
        fake.ShutdownFailsButStops["a"] = "Failed shutting down instance, status is \"Error\": shutting down the container failed";
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var moved = await operations.MoveAsync("a", "node2", project: null, dryRun: false, progress: null, CancellationToken.None);

        Assert.True(moved.Succeeded, moved.Detail);
        var a = fake.Instances.Single();
        Assert.Equal(("node2", "Running"), ((string?)a["location"], (string?)a["status"]));
    }

    [Fact]
    public async Task I11_a_cut_transfer_that_LXD_finished_anyway_is_not_moved_again()
    {
        await using var fake = await ClusterAsync("a");
        fake.MoveRefusals["a"] = new(["Failed to begin transaction: context deadline exceeded"]);
        fake.RefusedMovesFinish["a"] = true;
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var moved = await operations.MoveAsync("a", "node2", project: null, dryRun: false, progress: null, CancellationToken.None);

        Assert.True(moved.Succeeded, moved.Detail);
        Assert.Equal(1, fake.Count("POST /1.0/instances/a"));
        Assert.Equal(("node2", "Running"), ((string?)fake.Instances[0]["location"], (string?)fake.Instances[0]["status"]));
    }

    [Fact]
    public async Task I11_a_transfer_that_misses_the_window_twice_fails_and_stays_where_it_was()
    {
        await using var fake = await ClusterAsync("a");
        const string missed = "Copy instance operation failed: Failed instance creation: Error transferring instance data: websocket: bad handshake";
        fake.MoveRefusals["a"] = new([missed, missed]);
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var moved = await operations.MoveAsync("a", "node2", project: null, dryRun: false, progress: null, CancellationToken.None);

        Assert.False(moved.Succeeded);
        Assert.Equal(2, fake.Count("POST /1.0/instances/a"));
        Assert.Contains("(left on node1, running again)", moved.Detail);
        Assert.Equal(("node1", "Running"), ((string?)fake.Instances[0]["location"], (string?)fake.Instances[0]["status"]));
    }

    [Fact]
    public async Task I8_other_move_failures_are_not_retried()
    {
        await using var fake = await ClusterAsync("a");
        fake.MoveRefusals["a"] = new(["Instance is busy running a stop operation"]);
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var moved = await operations.MoveAsync("a", "node2", project: null, dryRun: false, progress: null, CancellationToken.None);

        Assert.False(moved.Succeeded);
        Assert.Equal(1, fake.Count("POST /1.0/instances/a"));
    }
}

public class MemberRestoreTests
{
    // node1 evacuated: a and b (running) and c (stopped) wait on node2 and node3 with their origin recorded where LXD's
    // own evacuation records it.
    private static async Task<FakeLxd> EvacuatedAsync()
    {
        var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.OperationTime = TimeSpan.FromMilliseconds(20);
        fake.Clustered = true;
        fake.Members.Add(("node1", "Evacuated", ["database"]));
        foreach (var n in new[] { "node2", "node3" }) fake.Members.Add((n, "Online", ["database"]));
        foreach (var (name, at, status) in new[] { ("a", "node2", "Running"), ("b", "node3", "Running"), ("c", "node2", "Stopped") })
        {
            var i = DaemonContractTests.Instance(name, at, status);
            i["config"]![WorkloadOperations.OriginKey] = "node1";
            fake.Instances.Add(i);
        }
        return fake;
    }

    private static (string Location, string Status) Where(FakeLxd fake, string name) =>
        fake.Instances.Single(i => (string?)i["name"] == name) is var i ? ((string)i["location"]!, (string)i["status"]!) : default;

    [Theory]
    [InlineData("Error transferring instance data: websocket: bad handshake")] // lxd/migrate_instance.go, lxd-5.0.2
    [InlineData("Timed out waiting for migration connections")] // internal/server/instance/drivers/driver_lxc.go, Incus v6.0.4
    [InlineData("Failed to restore instances: Failed to stop instance \"b\": container is not running: \"b\"")] // Incus 6.0.4, seen in clean-clone run N
    public async Task C7_I11_a_restore_whose_transfer_misses_the_window_is_run_again_and_starts_what_it_had_stopped(string miss)
    {
        await using var fake = await EvacuatedAsync();
        fake.RestoreRefusals["b"] = new([miss]);
        var time = new InstantTime();
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, time));
        var plan = await operations.PlanRestoreAsync("node1", CancellationToken.None);

        var result = await operations.RestoreAsync(plan, progress: null, CancellationToken.None);

        Assert.Equal(["a", "b", "c"], result.Returned.Select(r => r.Name).Order());
        Assert.Equal(2, fake.Count("POST /1.0/cluster/members/node1/state"));
        Assert.Contains(Terrarium.Operations.Timings.Workloads.RestoreRetryWait, time.Waited);
        Assert.Equal(("node1", "Running"), Where(fake, "a"));
        Assert.Equal(("node1", "Running"), Where(fake, "b")); // stopped by the first attempt, moved by the second
        Assert.Equal(("node1", "Stopped"), Where(fake, "c")); // stopped before: stays stopped
        Assert.Equal("Online", fake.Members.Single(m => m.Name == "node1").Status);
    }

    [Fact]
    public async Task C7_a_restore_that_fails_otherwise_is_not_repeated_and_what_it_stopped_runs_again_where_it_is()
    {
        await using var fake = await EvacuatedAsync();
        fake.RestoreRefusals["b"] = new(["Failed creating instance record: Storage pool full"]);
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));
        var plan = await operations.PlanRestoreAsync("node1", CancellationToken.None);

        var e = await Assert.ThrowsAsync<Terrarium.Operations.OperationFailedException>(() => operations.RestoreAsync(plan, progress: null, CancellationToken.None));

        Assert.Contains("Storage pool full", e.Message);
        Assert.Contains("run `terrariumctl cluster restore node1 --yes` again", e.Message);
        Assert.Equal(1, fake.Count("POST /1.0/cluster/members/node1/state"));
        Assert.Equal(("node3", "Running"), Where(fake, "b")); // left where it was, running again
        Assert.Equal(("node1", "Running"), Where(fake, "a")); // moved before the failure: stays moved
        Assert.Equal("Evacuated", fake.Members.Single(m => m.Name == "node1").Status); // LXD's revert; run restore again
    }

    [Fact]
    public async Task C7_I8_a_restore_LXD_still_runs_for_a_killed_command_is_waited_for_not_called_nothing_to_restore()
    {
        // Seen in the lab: `cluster restore` killed with SIGKILL; LXD's restore goes on, and has marked the member
        // schedulable as it began, so a re-run read "not evacuated; nothing to restore" while instances were still coming back.
        await using var fake = await EvacuatedAsync();
        fake.OperationTime = TimeSpan.FromMilliseconds(100);
        fake.Members[0] = ("node1", "Online", ["database"]);
        var earlier = fake.Start(WorkloadOperations.RestoreDescription, onSuccess: () =>
        {
            foreach (var i in fake.Instances)
            {
                i["location"] = "node1";
                ((System.Text.Json.Nodes.JsonObject)i["config"]!).Remove(WorkloadOperations.OriginKey);
            }
        }).UntilWaited(); // CI once planned after a 500 ms operation had already ended
        earlier.Location = "node1";
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));

        var plan = await operations.PlanRestoreAsync("node1", CancellationToken.None);
        Assert.False(plan.Nothing);
        Assert.Equal(earlier.Id, plan.InFlight);
        var result = await operations.RestoreAsync(plan, progress: null, CancellationToken.None);

        Assert.True(result.WasEvacuated);
        Assert.Equal(["a", "b", "c"], result.Returned.Select(r => r.Name).Order());
        Assert.Equal(0, fake.Count("POST /1.0/cluster/members/node1/state")); // waited, not started again
        Assert.All(fake.Instances, i => Assert.Equal("node1", (string?)i["location"]));
    }

    [Fact]
    public async Task C7_a_window_missed_twice_fails_the_restore_after_one_retry()
    {
        await using var fake = await EvacuatedAsync();
        const string miss = "Error transferring instance data: websocket: bad handshake";
        fake.RestoreRefusals["b"] = new([miss, miss]);
        var operations = new WorkloadOperations(DaemonContractTests.Environment(fake, new InstantTime()));
        var plan = await operations.PlanRestoreAsync("node1", CancellationToken.None);

        await Assert.ThrowsAsync<Terrarium.Operations.OperationFailedException>(() => operations.RestoreAsync(plan, progress: null, CancellationToken.None));

        Assert.Equal(2, fake.Count("POST /1.0/cluster/members/node1/state"));
        Assert.Equal(("node3", "Running"), Where(fake, "b"));
    }
}

/// <summary>A clock whose timers fire at once and which records what was waited for.</summary>
public sealed class InstantTime : TimeProvider
{
    public System.Collections.Concurrent.ConcurrentBag<TimeSpan> Waited { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Waited.Add(dueTime);
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new Fired();
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
