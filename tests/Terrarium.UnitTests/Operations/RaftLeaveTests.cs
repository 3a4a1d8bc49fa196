using Terrarium.Cluster.Layout;
using Terrarium.Host.Ovn;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Ovn;

namespace Terrarium.UnitTests.Operations;

/// <summary>A removal waits, converging OVN here, until raft no longer lists the leaving member's database servers.</summary>
public sealed class RaftLeaveTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
    private readonly NodeLayout _layout = new(Directory.CreateTempSubdirectory("terrarium-raft-leave-").FullName);
    private readonly RecordingRunner _runner = new();

    public void Dispose() => Directory.Delete(_layout.Root, recursive: true);

    private static string Status(int port, params int[] hosts) =>
        "Role: leader\nStatus: cluster member\nLeader: self\nServers:\n" +
        string.Concat(hosts.Select(h => $"    a{h} (a{h} at ssl:10.255.54.{h}:{port}){(h == 1 ? " (self)" : " last msg 10 ms ago")}\n"));

    private NodeEnvironment Node(List<string> log, TimeProvider time) =>
        new(_layout, ToolPaths.FromEnvironment() with { Runner = _runner }, "/in-memory", log.Add, time);

    private void LocalDatabases()
    {
        var ovn = new OvnRuntime(ToolPaths.FromEnvironment(), _layout);
        foreach (var db in OvnDatabase.Both)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ovn.DbFile(db))!);
            Directory.CreateDirectory(Path.GetDirectoryName(ovn.Ctl(db))!);
            File.WriteAllText(ovn.DbFile(db), "");
            File.WriteAllText(ovn.Ctl(db), "");
        }
    }

    [Fact]
    public async Task O2_it_converges_until_both_databases_let_the_member_go()
    {
        LocalDatabases();
        var passes = 0;
        _runner.Answer = line => line.Contains("cluster/status OVN_Northbound")
            ? new ProcessResult(0, Status(6643, passes < 2 ? [1, 3] : [1]), "")
            : line.Contains("cluster/status OVN_Southbound") ? new ProcessResult(0, Status(6644, passes < 1 ? [1, 3] : [1]), "") : null;
        var log = new List<string>();

        var gone = await RaftLeave.WaitAsync(Node(log, new SteppingTime(T0)), "node3", "10.255.54.3", _ => { passes++; return Task.CompletedTask; }, CancellationToken.None);

        Assert.True(gone);
        Assert.Equal(2, passes);
        Assert.Contains(log, l => l.StartsWith("waiting for the OVN raft clusters to let node3's", StringComparison.Ordinal));
    }

    [Fact]
    public async Task O2_a_member_raft_never_listed_costs_no_pass()
    {
        LocalDatabases();
        _runner.Answer = line => line.Contains("cluster/status") ? new ProcessResult(0, Status(line.Contains("Northbound") ? 6643 : 6644, 1, 2), "") : null;
        var passes = 0;
        Assert.True(await RaftLeave.WaitAsync(Node([], new SteppingTime(T0)), "node3", "10.255.54.3", _ => { passes++; return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(0, passes);
    }

    [Fact]
    public async Task O2_without_a_local_database_it_cannot_see_raft_and_does_not_wait()
    {
        var passes = 0;
        Assert.True(await RaftLeave.WaitAsync(Node([], new SteppingTime(T0)), "node3", "10.255.54.3", _ => { passes++; return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(0, passes);
        Assert.Empty(_runner.Commands);
    }

    [Fact]
    public async Task O2_a_raft_that_never_lets_go_is_given_up_on_after_the_bound_and_said()
    {
        LocalDatabases();
        _runner.Answer = line => line.Contains("cluster/status") ? new ProcessResult(0, Status(line.Contains("Northbound") ? 6643 : 6644, 1, 3), "") : null;
        var log = new List<string>();
        var time = new SteppingTime(T0);

        Assert.False(await RaftLeave.WaitAsync(Node(log, time), "node3", "10.255.54.3", _ => Task.CompletedTask, CancellationToken.None));
        Assert.InRange(time.Elapsed, Timings.Ovn.RaftLeaveWait, Timings.Ovn.RaftLeaveWait + TimeSpan.FromSeconds(2));
        Assert.Contains(log, l => l.Contains("removing it anyway", StringComparison.Ordinal));
    }
}
