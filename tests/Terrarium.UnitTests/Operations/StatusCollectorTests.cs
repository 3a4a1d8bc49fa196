using Terrarium.Cluster.Status;
using Terrarium.Cli.Commands;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Status;
using Terrarium.UnitTests.Lxd;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Operations;

public class StatusCollectorTests
{
    [Fact]
    public async Task Status_answers_within_its_bound_while_lxds_database_does_not_and_shows_terrariums_records()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        var time = new ManualTime();
        var env = DatabaseAway(fake, time,
        [
            new("node2", "Knode2", System.Net.IPAddress.Parse("10.255.54.2"), null),
            new("node3", "Knode3", System.Net.IPAddress.Parse("10.255.54.3"), null),
        ]);

        var collect = new StatusCollector(env).CollectAsync();
        for (var i = 0; i < 500 && (fake.Count("GET /1.0/cluster/members") == 0 || fake.Count("GET /1.0/projects/terrarium") == 0); i++) await Task.Delay(10);
        Assert.False(collect.IsCompleted);
        time.Advance(Terrarium.Operations.Timings.Status.DatabaseTimeout);
        var r = await collect.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(r.Initialised);
        Assert.False(r.LxdMembersKnown);
        Assert.Equal(["node1", "node2", "node3"], r.Members.Select(m => m.Name));
        Assert.All(r.Members, m => Assert.Equal("Unknown", m.Status));
        Assert.Equal("10.255.54.2", r.Members[1].MeshAddress);
        var p = r.Problems[0];
        Assert.Equal((ProblemSeverity.Error, "LXD's database did not answer within 5 s: its leader may be away or quorum lost."), (p.Severity, p.Message));
        Assert.Contains("run `terrariumctl cluster status` again", p.Fix);
        Assert.DoesNotContain(r.Problems, x => x.Message.Contains("mesh record") || x.Message.Contains("member(s)"));
        Assert.Contains("Quorum:  unknown: LXD's database did not answer", StatusCommand.Render(r));
    }

    /// <summary>
    /// A member of three whose LXD waits for its database leader (the member list and the shared configuration do not
    /// answer), with its identity and a WireGuard configuration naming <paramref name="peers"/>.
    /// </summary>
    internal static global::Terrarium.Operations.NodeEnvironment DatabaseAway(FakeLxd fake, ManualTime time, IEnumerable<global::Terrarium.Cluster.Mesh.WireGuardPeer> peers)
    {
        fake.Clustered = true;
        foreach (var n in new[] { "node1", "node2", "node3" }) fake.Members.Add((n, "Online", ["database"]));
        fake.Hangs.Add("/1.0/cluster/members");
        fake.Hangs.Add("/1.0/projects/terrarium");
        var env = DaemonContractTests.Environment(fake, time);
        new NodeIdentity { Member = "node1", MeshAddress = "10.255.54.1", MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" }.Save(env.Layout);
        var wg = env.Layout.WireGuardConfig("terrarium-wg0");
        Directory.CreateDirectory(Path.GetDirectoryName(wg)!);
        File.WriteAllText(wg, global::Terrarium.Cluster.Mesh.WireGuardConfigRenderer.Render("PRIVATE", 51820, peers));
        return env;
    }
}

/// <summary>A clock that moves only when the test says so: timers due by then fire on <see cref="Advance"/>.</summary>
public sealed class ManualTime : TimeProvider
{
    private readonly List<Timer> _timers = [];
    private DateTimeOffset _now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() { lock (_timers) return _now; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_timers)
        {
            var timer = new Timer(this, _now + dueTime, () => callback(state));
            _timers.Add(timer);
            return timer;
        }
    }

    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_timers)
        {
            _now += by;
            due = _timers.Where(t => t.Due <= _now).ToList();
            _timers.RemoveAll(due.Contains);
        }
        foreach (var t in due) t.Fire();
    }

    private sealed class Timer(ManualTime owner, DateTimeOffset due, Action fire) : ITimer
    {
        public DateTimeOffset Due { get; } = due;
        public void Fire() => fire();
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { lock (owner._timers) owner._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}

public class StatusJudgedWaitTests
{
    /// <summary>A recorded member whose LXD port does not accept: the database is not waited for past the probe bound.</summary>
    [Fact]
    public async Task Status_stops_waiting_for_lxds_database_after_the_probe_bound_when_a_recorded_member_does_not_answer()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        var time = new ManualTime();
        // TEST-NET-1 addresses: nothing accepts there, whether the connect is refused, unreachable or cut by the bound.
        var env = StatusCollectorTests.DatabaseAway(fake, time,
        [
            new("node2", "Knode2", System.Net.IPAddress.Parse("192.0.2.2"), global::Terrarium.Cluster.Mesh.HostEndpoint.Parse("198.51.100.2:51820", 51820)),
            new("node3", "Knode3", System.Net.IPAddress.Parse("192.0.2.3"), global::Terrarium.Cluster.Mesh.HostEndpoint.Parse("198.51.100.3:51820", 51820)),
        ]);

        var collect = new StatusCollector(env).CollectAsync();
        for (var i = 0; i < 500 && fake.Count("GET /1.0/cluster/members") == 0; i++) await Task.Delay(10);
        time.Advance(Terrarium.Operations.Timings.Status.MemberTimeout);
        var r = await collect.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(r.LxdMembersKnown);
        Assert.Equal("LXD's database did not answer within 1.2 s: its leader may be away or quorum lost.", r.Problems[0].Message);
        Assert.All(r.Members.Where(m => !m.IsSelf), m => Assert.False(m.Reachable));
        Assert.Contains(r.Problems, p => p.Message.StartsWith("node2 does not answer (its LXD port on the mesh", StringComparison.Ordinal));
        Assert.Contains(r.Problems, p => p.Message.StartsWith("node3 does not answer", StringComparison.Ordinal));
    }
}
