using Terrarium.Cluster.Config;
using Terrarium.Cluster.Status;

namespace Terrarium.UnitTests.Cluster;

public class StatusAnalyzerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static SharedConfig Config(params string[] members) => StatusFixtures.Config(members);

    private static LxdMemberView Online(string name, bool db = true) => new(name, "Online", "Fully operational", db ? ["database"] : []);

    private static LocalObservations Local(Dictionary<string, DateTimeOffset?>? handshakes, bool? mesh = true, bool? firewall = true) =>
        new(handshakes, mesh, firewall, new Dictionary<string, int> { ["node2"] = 4 }, new Dictionary<string, long> { ["node1"] = 1 << 30 });

    [Fact]
    public void C4_a_healthy_three_node_cluster_has_quorum_handshake_ages_and_no_problems()
    {
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "node2", "node3"), [Online("node1"), Online("node2"), Online("node3")],
            Local(new() { ["Knode2"] = Now.AddSeconds(-7), ["Knode3"] = Now.AddSeconds(-90) }), Now);
        Assert.True(r.Initialised);
        Assert.Equal([null, 7L, 90L], r.Members.Select(m => m.HandshakeAgeSeconds));
        Assert.True(r.Members[0].IsSelf);
        Assert.Equal(4, r.Members[1].Instances);
        Assert.Equal(1L << 30, r.Members[0].MemoryUsedBytes);
        Assert.Equal(3, r.Quorum.DatabaseMembers);
        Assert.Equal(1, r.Quorum.TolerableFailures);
        Assert.True(r.Quorum.HasQuorum);
        Assert.Empty(r.Problems);
    }

    [Fact]
    public void I8_a_member_lxd_still_lists_online_but_that_does_not_answer_is_shown_unreachable_with_a_fix()
    {
        var local = Local(new() { ["Knode2"] = Now.AddSeconds(-7), ["Knode3"] = Now.AddSeconds(-9) }) with { Unreachable = new HashSet<string> { "node3" } };
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "node2", "node3"), [Online("node1"), Online("node2"), Online("node3")], local, Now);
        Assert.Equal([true, true, false], r.Members.Select(m => m.Reachable));
        var problem = Assert.Single(r.Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.StartsWith("node3 does not answer", problem.Message);
        Assert.Contains("cluster remove node3 --force", problem.Fix);
    }

    private static SharedConfig WithHostPorts(SharedConfig config, TimeSpan age)
    {
        foreach (var (m, i) in config.Members.Select((m, i) => (m, i)))
            (m.OvnHostAddress, m.OvnHostSince) = ($"10.99.0.{i + 2}", Now - age);
        return config;
    }

    [Fact]
    public void I8_a_silent_host_port_on_terrarium_ovn_is_a_problem_once_it_had_time_to_wire_up()
    {
        var local = Local(new() { ["Knode2"] = Now.AddSeconds(-7), ["Knode3"] = Now.AddSeconds(-9) })
            with { OverlayAnswers = new Dictionary<string, bool> { ["node2"] = true, ["node3"] = false } };
        var members = new[] { Online("node1"), Online("node2"), Online("node3") };

        var r = StatusAnalyzer.Analyze("node1", WithHostPorts(Config("node1", "node2", "node3"), TimeSpan.FromMinutes(5)), members, local, Now);
        Assert.Equal([null, "answers", "silent"], r.Members.Select(m => m.Overlay));
        var problem = Assert.Single(r.Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.StartsWith("node3's host port on terrarium-ovn (10.99.0.4) does not answer from here", problem.Message);
        Assert.Contains("terrariumctl doctor", problem.Fix);

        // A host port that appeared seconds ago may still be wiring up in OVN: shown silent, not yet a problem.
        var fresh = StatusAnalyzer.Analyze("node1", WithHostPorts(Config("node1", "node2", "node3"), TimeSpan.FromSeconds(20)), members, local, Now);
        Assert.Equal("silent", fresh.Members[2].Overlay);
        Assert.Empty(fresh.Problems);
    }

    [Fact]
    public void I8_a_silent_overlay_over_a_stale_mesh_or_to_an_unreachable_member_is_not_reported_twice()
    {
        var config = WithHostPorts(Config("node1", "node2", "node3"), TimeSpan.FromMinutes(5));
        var overlay = new Dictionary<string, bool> { ["node2"] = false, ["node3"] = false };
        var local = Local(new() { ["Knode2"] = Now.AddMinutes(-10), ["Knode3"] = Now.AddSeconds(-9) })
            with { OverlayAnswers = overlay, Unreachable = new HashSet<string> { "node3" } };
        var r = StatusAnalyzer.Analyze("node1", config, [Online("node1"), Online("node2"), Online("node3")], local, Now);
        Assert.DoesNotContain(r.Problems, p => p.Message.Contains("terrarium-ovn"));
        Assert.Contains(r.Problems, p => p.Message.Contains("handshake with node2"));
        Assert.Contains(r.Problems, p => p.Message.StartsWith("node3 does not answer"));
    }

    [Fact]
    public void I8_members_not_probed_show_no_overlay_column_value()
    {
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "node2"), [Online("node1"), Online("node2")],
            Local(new() { ["Knode2"] = Now.AddSeconds(-7) }), Now);
        Assert.All(r.Members, m => Assert.Null(m.Overlay));
    }

    [Fact]
    public void C4_an_offline_member_a_silent_peer_and_a_missing_firewall_are_problems_with_fixes()
    {
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "node2", "node3"),
            [Online("node1"), new LxdMemberView("node2", "Offline", "No heartbeat for 2m", ["database"]), Online("node3")],
            Local(new() { ["Knode3"] = Now.AddMinutes(-10) }, firewall: false), Now);
        Assert.False(r.Quorum.HasQuorum && r.Quorum.DatabaseOnline == 3);
        Assert.Equal(2, r.Quorum.DatabaseOnline);
        Assert.Contains(r.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.StartsWith("node2 is offline") && p.Fix.Contains("cluster remove node2 --force"));
        Assert.Contains(r.Problems, p => p.Message.Contains("handshake with node3 was 10m00s ago"));
        Assert.Contains(r.Problems, p => p.Message.Contains("inet terrarium is not loaded") && p.Fix == "terrariumctl reconfigure");
    }

    [Fact]
    public void C4_missing_optional_tools_leave_columns_empty_without_problems()
    {
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "node2", "node3"), [Online("node1"), Online("node2"), Online("node3")],
            Local(handshakes: null, mesh: true, firewall: null), Now);
        Assert.All(r.Members, m => Assert.Null(m.HandshakeAgeSeconds));
        Assert.Empty(r.Problems);
    }

    [Fact]
    public void C4_records_out_of_step_with_lxd_and_small_clusters_are_reported()
    {
        var r = StatusAnalyzer.Analyze("node1", Config("node1", "gone"), [Online("node1"), Online("fresh", db: false)], Local(new()), Now);
        Assert.Contains(r.Problems, p => p.Message == "fresh is an LXD member without a mesh record.");
        Assert.Contains(r.Problems, p => p.Message.StartsWith("gone has a mesh record") && p.Fix == "terrariumctl cluster remove gone --force");
        Assert.Contains(r.Problems, p => p.Severity == ProblemSeverity.Info && p.Message.Contains("With 2 member(s)"));
        Assert.Equal(1, r.Quorum.DatabaseMembers);
    }

    [Fact]
    public void C4_pending_and_expired_invites_are_listed()
    {
        var config = Config("node1") with
        {
            Invites =
            [
                new InviteRecord { Name = "node2", Address = "10.0.0.12", MeshAddress = "10.255.54.2", ExpiresAt = Now.AddMinutes(30), CreatedBy = "node1" },
                new InviteRecord { Name = "node3", Address = "10.0.0.13", MeshAddress = "10.255.54.3", ExpiresAt = Now.AddMinutes(-1), CreatedBy = "node1" },
            ],
        };
        var r = StatusAnalyzer.Analyze("node1", config, [Online("node1")], Local(new()), Now);
        Assert.Equal([false, true], r.Invites.Select(i => i.Expired));
        Assert.Contains(r.Problems, p => p.Message.Contains("invite for node3 has expired"));
    }

    [Fact]
    public void I8_an_invite_lxd_took_is_joining_and_one_whose_token_is_gone_is_spent_each_with_a_fix()
    {
        InviteRecord Invite(string name, int minutes) => new() { Name = name, Address = $"10.0.0.{name[^1]}", MeshAddress = $"10.255.54.{name[^1]}", ExpiresAt = Now.AddMinutes(minutes) };
        var config = Config("node1") with { Invites = [Invite("node2", 30), Invite("node3", 30), Invite("node4", 30), Invite("node5", -5)] };
        var local = Local(new()) with { InviteTokenWaiting = new Dictionary<string, bool> { ["node2"] = false, ["node3"] = false, ["node4"] = true } };
        // node2: LXD lists it (the join was killed after LXD accepted it); node3: token gone, not a member; node4: waiting;
        // node5: expired and LXD could not be asked about its token.
        var r = StatusAnalyzer.Analyze("node1", config, [Online("node1"), Online("node2", db: false)], local, Now);
        Assert.Equal(["joining", "spent", "pending", "expired"], r.Invites.Select(i => i.State));
        Assert.Contains(r.Problems, p => p.Message == "LXD accepted node2 into the cluster, but its join has not finished." && p.Fix.Contains("join` line on node2 again"));
        Assert.Contains(r.Problems, p => p.Message.StartsWith("The invite for node3 was used or revoked") && p.Fix == "terrariumctl cluster invite node3 10.0.0.3 (a new invite replaces it)");
        Assert.DoesNotContain(r.Problems, p => p.Message.Contains("node4"));
        Assert.DoesNotContain(r.Problems, p => p.Message == "node2 is an LXD member without a mesh record.");
    }

    [Fact]
    public void C4_a_server_outside_any_cluster_gets_one_clear_problem()
    {
        var r = StatusAnalyzer.Analyze(null, SharedConfig.Empty, [], Local(null), Now);
        Assert.False(r.Initialised);
        var p = Assert.Single(r.Problems);
        Assert.Contains("cluster init", p.Fix);
    }

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(75, "1m15s")]
    [InlineData(7260, "2h01m")]
    [InlineData(90000, "1d1h")]
    public void Ages_read_like_kubectl(long seconds, string text) => Assert.Equal(text, StatusAnalyzer.Age(seconds));
}
