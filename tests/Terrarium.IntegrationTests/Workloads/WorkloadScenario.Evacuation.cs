using Terrarium.IntegrationTests.Support;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// A killed evacuation finished by the next run, on LXD only: what the re-run does (its journal, the operations it waits
/// for, the moves it finishes) is Terrarium's and unit-tested against the fake daemon (X3_* in WorkloadOperationsTests);
/// the daemon's own moves and waits run on Incus in S01 and S02.
/// </summary>
public partial class WorkloadScenario
{
    [Fact]
    [Needs]
    public Task S02b_X3_an_evacuation_killed_after_its_first_move_is_finished_by_the_next_run_and_restore_brings_all_home() => Lab.Steps.RunAsync(async () =>
    {
        var names = new[] { "kv1", "kv2", "kv3", "kv4" };
        foreach (var n in names) await LaunchAsync(n, "node3");
        using var lxd = Lab.Client(1);
        // Killed right after its first move finished (moved and started, its origin not yet recorded), while the
        // other moves of the batch are wherever LXD has them: stopped, half-transferred, or not begun.
        var killed = await Lab.Lab.TerrariumctlAsync(Lab.Node(1), new Dictionary<string, string> { ["TERRARIUM_CRASH_AFTER_STEP"] = "move:moved" },
            ["cluster", "evacuate", "node3", "--yes"]);
        ProcessAssert.Exit(137, killed);

        var resumed = await Lab.Ctl(1, "cluster", "evacuate", "node3", "--yes");
        MeshLab.AssertOk(resumed);
        Assert.Contains("was interrupted; this run finishes it too", resumed.StdOut);
        var after = (await lxd.GetInstancesAsync()).Where(i => names.Contains(i.Name)).ToList();
        Assert.Equal(4, after.Count);
        Assert.All(after, i => Assert.Equal(("Running", "node3"), (i.Status, i.Config.GetValueOrDefault("volatile.evacuate.origin"))));
        Assert.All(after, i => Assert.NotEqual("node3", i.Location));
        Assert.Equal("Evacuated", (await lxd.GetClusterMemberAsync("node3")).Status);

        MeshLab.AssertOk(await Lab.Ctl(1, "cluster", "restore", "node3", "--yes"));
        var back = (await lxd.GetInstancesAsync()).Where(i => names.Contains(i.Name)).ToList();
        Assert.Equal(4, back.Count);
        Assert.All(back, i => Assert.Equal(("node3", "Running"), (i.Location, i.Status)));
        foreach (var n in names)
        {
            await lxd.SetInstanceStateAsync(n, "stop", force: true);
            await lxd.DeleteInstanceAsync(n);
        }
    });

}
