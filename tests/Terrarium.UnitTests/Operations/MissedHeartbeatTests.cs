using System.Net;
using System.Net.Sockets;
using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Lifecycle;

namespace Terrarium.UnitTests.Operations;

/// <summary>A member LXD lists offline right after a daemon restart is waited for when it answers, and only then.</summary>
public class MissedHeartbeatTests
{
    private readonly InMemoryLxd _lxd = new();
    private readonly List<string> _log = [];

    private NodeEnvironment Env(TimeProvider? time = null) =>
        new(new NodeLayout(Path.GetTempPath()), ToolPaths.FromEnvironment(), "/nonexistent.socket", _log.Add, time, () => _lxd);

    [Fact]
    public async Task A_member_that_answers_is_waited_for_until_lxd_lists_it_online_again()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _lxd.Members.Add(("node3", "Offline", true));
        _lxd.MemberUrls["node3"] = $"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var heartbeat = Task.Delay(1500).ContinueWith(_ => _lxd.Members[0] = ("node3", "Online", true));

        var members = await MissedHeartbeat.WaitAsync(Env(), _lxd, Offline(), CancellationToken.None);
        await heartbeat;
        Assert.Equal("Online", members.Single().Status);
        Assert.Contains(_log, l => l.StartsWith("node3 answers but LXD lists it offline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_that_does_not_answer_is_not_waited_for()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there any more: the connection is refused at once
        _lxd.Members.Add(("node3", "Offline", true));
        _lxd.MemberUrls["node3"] = $"https://127.0.0.1:{port}";

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var members = await MissedHeartbeat.WaitAsync(Env(), _lxd, Offline(), CancellationToken.None);
        Assert.Equal("Offline", members.Single().Status);
        Assert.True(clock.Elapsed < Terrarium.Operations.Timings.Lifecycle.MissedHeartbeat, $"took {clock.Elapsed}");
        Assert.Empty(_log);
    }

    [Fact]
    public async Task A_joined_member_listed_online_is_not_waited_for()
    {
        _lxd.Members.Add(("node3", "Online", true));
        var time = new SteppingTime();
        Assert.True(await MissedHeartbeat.UntilListedAsync(Env(time), _lxd, "node3", CancellationToken.None));
        Assert.Equal(TimeSpan.Zero, time.Elapsed);
        Assert.Empty(_log);
    }

    [Fact]
    public async Task A_joined_member_listed_offline_is_waited_for_until_the_next_heartbeat_and_said_once()
    {
        _lxd.Members.Add(("node3", "Offline", true));
        var time = new SteppingTime { OnWait = waited => { if (waited >= TimeSpan.FromSeconds(3)) _lxd.Members[0] = ("node3", "Online", true); } };
        Assert.True(await MissedHeartbeat.UntilListedAsync(Env(time), _lxd, "node3", CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(3), time.Elapsed);
        Assert.Equal(["LXD lists node3 offline until its next heartbeat: waiting up to 25 s"], _log);
    }

    [Fact]
    public async Task A_joined_member_still_listed_offline_after_the_bound_is_reported_not_waited_on_forever()
    {
        _lxd.Members.Add(("node3", "Offline", true));
        var time = new SteppingTime();
        Assert.False(await MissedHeartbeat.UntilListedAsync(Env(time), _lxd, "node3", CancellationToken.None));
        Assert.InRange(time.Elapsed, Terrarium.Operations.Timings.Lifecycle.MissedHeartbeat, Terrarium.Operations.Timings.Lifecycle.MissedHeartbeat + TimeSpan.FromSeconds(1));
    }

    private ClusterMember Offline() => _lxd.GetClusterMembersAsync().Result.Single();
}
