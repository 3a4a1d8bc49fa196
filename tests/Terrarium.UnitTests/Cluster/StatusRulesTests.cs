using Terrarium.Cluster.Config;
using Terrarium.Cluster.Members;
using Terrarium.Cluster.Status;
using Terrarium.Cluster.Status.Rules;

namespace Terrarium.UnitTests.Cluster;

/// <summary>C-4: each status rule on its own: when it speaks, what it says, and the chains' order (first rule wins).</summary>
public class StatusRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static SharedConfig Config(params string[] members) => StatusFixtures.Config(members);

    private static LocalObservations Local(bool handshakes = true) =>
        new(handshakes ? new Dictionary<string, DateTimeOffset?>() : null, true, true, new Dictionary<string, int>(), new Dictionary<string, long>());

    private static StatusFacts Facts(SharedConfig? config = null, LocalObservations? local = null, params LxdMemberView[] members) =>
        new("node1", config ?? Config("node1", "node2", "node3"), members.Length > 0 ? members : [View("node1"), View("node2"), View("node3")], local ?? Local(), Now);

    private static LxdMemberView View(string name, string status = "Online", string message = "Fully operational") => new(name, status, message, ["database"]);

    private static MemberFacts Member(StatusFacts f, string name, string status = "Online", bool reachable = true, long? handshake = 5, string? overlay = null, string message = "")
    {
        var record = f.Config.Member(name);
        return new MemberFacts(View(name, status, message), record,
            new MemberStatus { Name = name, IsSelf = name == f.Self, Status = status, Reachable = reachable, HandshakeAgeSeconds = handshake, Overlay = overlay });
    }

    [Theory]
    [InlineData("Online", MemberState.Online, true)]
    [InlineData("Evacuated", MemberState.Evacuated, true)]
    [InlineData("Evacuating", MemberState.Evacuating, true)]
    [InlineData("Restoring", MemberState.Restoring, true)]
    [InlineData("Offline", MemberState.Offline, false)]
    [InlineData("Blocked", MemberState.Other, false)]
    [InlineData("", MemberState.Other, false)]
    public void A_member_state_is_parsed_once_and_knows_whether_the_member_is_up(string status, MemberState state, bool alive)
    {
        Assert.Equal(state, MemberStates.Parse(status));
        Assert.Equal(alive, MemberStates.Parse(status).IsAlive());
    }

    [Fact]
    public void A_member_lxd_lists_up_that_does_not_answer_is_an_error_before_its_evacuated_note()
    {
        var f = Facts();
        var p = MemberRules.State(f, Member(f, "node2", "Evacuated", reachable: false))!;
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.Equal("node2 does not answer (LXD still lists it evacuated until its offline threshold passes).", p.Message);
        Assert.Null(MemberRules.Unanswered(f, Member(f, "node2", "Offline", reachable: false))); // Down says it
    }

    [Fact]
    public void A_member_in_transition_is_a_note_and_an_evacuated_one_a_note_with_the_restore_command()
    {
        var f = Facts();
        Assert.Equal((ProblemSeverity.Info, "node2 is restoring."), (MemberRules.State(f, Member(f, "node2", "Restoring"))!.Severity, MemberRules.State(f, Member(f, "node2", "Restoring"))!.Message));
        var evacuated = MemberRules.State(f, Member(f, "node2", "Evacuated"))!;
        Assert.Equal((ProblemSeverity.Info, "terrariumctl cluster restore node2 --yes"), (evacuated.Severity, evacuated.Fix));
        Assert.Null(MemberRules.State(f, Member(f, "node2")));
    }

    [Fact]
    public void A_down_member_is_an_error_with_lxds_message_escaped()
    {
        var f = Facts();
        var p = MemberRules.State(f, Member(f, "node2", "Blocked", message: "version\u001b[31m skew"))!;
        Assert.Equal(ProblemSeverity.Error, p.Severity);
        Assert.StartsWith("node2 is blocked (", p.Message);
        Assert.DoesNotContain("\u001b", p.Message);
        Assert.Contains("terrariumctl cluster remove node2 --force", p.Fix);
    }

    [Fact]
    public void Nothing_is_judged_from_lxds_view_when_its_member_list_did_not_answer()
    {
        var f = Facts(local: Local() with { LxdMembersTimedOut = TimeSpan.FromSeconds(5) });
        Assert.Empty(MemberRules.For(f, Member(f, "node2", "Offline")));
        Assert.Equal(ProblemSeverity.Error, DatabaseRules.NotAnswered(f)!.Severity);
        Assert.Null(DatabaseRules.TooFewMembers(f));
        Assert.Null(DatabaseRules.NoQuorum(f, new QuorumSummary { Voters = 3, VotersOnline = 1 }));
    }

    [Fact]
    public void A_member_without_a_record_is_a_warning_unless_its_invite_or_a_lagging_copy_explains_it()
    {
        var f = Facts(Config("node1", "node2"));
        Assert.Equal("node3 is an LXD member without a mesh record.", MemberRules.Mesh(f, Member(f, "node3"))!.Message);
        var invited = Facts(Config("node1", "node2") with { Invites = [new InviteRecord { Name = "node3" }] });
        Assert.Null(MemberRules.Mesh(invited, Member(invited, "node3")));
        var lagging = Facts(Config("node1", "node2"), Local() with { SharedConfigTimedOut = true });
        Assert.Null(MemberRules.Mesh(lagging, Member(lagging, "node3")));
        Assert.Equal("Terrarium's shared configuration did not load in time: the mesh records shown are this node's own copy.", DatabaseRules.NotAnswered(lagging)!.Message);
    }

    [Theory]
    [InlineData(null, "No WireGuard handshake with node2 yet.")]
    [InlineData(181L, "The last WireGuard handshake with node2 was 3m01s ago.")]
    [InlineData(180L, null)]
    public void A_missing_or_stale_handshake_is_a_warning_with_the_port_and_endpoint_to_check(long? age, string? message)
    {
        var f = Facts();
        var p = MemberRules.Mesh(f, Member(f, "node2", handshake: age));
        Assert.Equal(message, p?.Message);
        if (p is not null) Assert.Equal("check that UDP 51820 reaches 10.0.0.12:51820 and that terrarium-agent runs on node2", p.Fix);
        Assert.Null(MemberRules.StaleHandshake(f, Member(f, "node1", handshake: null))); // this node itself
        Assert.Null(MemberRules.StaleHandshake(Facts(local: Local(handshakes: false)), Member(f, "node2", handshake: null))); // wg not readable here
    }

    [Fact]
    public void A_silent_host_port_is_a_problem_only_after_its_grace_and_over_a_live_tunnel()
    {
        var config = Config("node1", "node2", "node3");
        config.Members[1].OvnHostAddress = "10.99.0.3";
        config.Members[1].OvnHostSince = Now - StatusAnalyzer.OverlayGrace;
        var f = Facts(config);
        Assert.Contains("(10.99.0.3) does not answer from here", MemberRules.Mesh(f, Member(f, "node2", overlay: "silent"))!.Message);
        Assert.StartsWith("No WireGuard handshake", MemberRules.Mesh(f, Member(f, "node2", overlay: "silent", handshake: null))!.Message);
        Assert.Null(MemberRules.Mesh(f, Member(f, "node2", overlay: "answers")));
        config.Members[1].OvnHostSince = Now - StatusAnalyzer.OverlayGrace + TimeSpan.FromSeconds(1);
        Assert.Null(MemberRules.Mesh(f, Member(f, "node2", overlay: "silent")));
    }

    [Fact]
    public void A_record_without_an_lxd_member_is_named_with_the_remove_command_when_both_lists_answered()
    {
        var f = Facts(Config("node1", "node2", "node3", "node4"));
        Assert.Equal("terrariumctl cluster remove node4 --force", Assert.Single(MemberRules.RecordsWithoutMember(f)).Fix);
        Assert.Empty(MemberRules.RecordsWithoutMember(Facts(Config("node1", "node2", "node3", "node4"), Local() with { SharedConfigTimedOut = true })));
    }

    [Fact]
    public void No_quorum_is_an_error_naming_the_recovery_command_of_the_daemon_and_two_members_a_note()
    {
        var incus = Facts(local: Local() with { Client = "incus" });
        var p = DatabaseRules.NoQuorum(incus, new QuorumSummary { Voters = 3, VotersOnline = 1 })!;
        Assert.Equal("LXD's database has no quorum: 1 of 3 voters are online, it needs 2.", p.Message);
        Assert.Contains("incus admin cluster recover-from-quorum-loss", p.Fix);
        Assert.Null(DatabaseRules.NoQuorum(incus, new QuorumSummary { Voters = 3, VotersOnline = 2, HasQuorum = true }));
        Assert.Equal(ProblemSeverity.Info, DatabaseRules.TooFewMembers(Facts(Config("node1", "node2"), null, View("node1"), View("node2")))!.Severity);
        Assert.Null(DatabaseRules.TooFewMembers(Facts()));
    }

    [Fact]
    public void The_ovn_central_set_and_ca_holder_are_judged_against_lxds_members_and_a_changing_raft_is_a_note()
    {
        var ovn = new OvnRecord { Central = ["node1", "node2", "node9"], Signer = "node9" };
        var f = Facts(local: Local() with { Raft = [new RaftView { Database = "OVN_Northbound", Servers = ["a", "b"] }] });
        var problems = OvnRules.For(f, ovn).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Equal("The OVN central set (node1, node2, node9) does not match the 3 member(s).", problems[0].Message);
        Assert.Equal("The OVN CA holder node9 is gone: new members cannot get OVN certificates.", problems[1].Message);
        Assert.Equal(ProblemSeverity.Info, problems[2].Severity);
        Assert.Empty(OvnRules.For(Facts(), new OvnRecord { Central = ["node1", "node2", "node3"], Signer = "node1" }));
    }

    [Fact]
    public void A_restored_member_with_instances_still_away_is_a_note_with_the_restore_command()
    {
        var config = Config("node1", "node2", "node3") with
        {
            Evacuations = [new EvacuationRecord { Member = "node2", Instances = [new EvacuatedInstance { Name = "c1", Project = "default" }, new EvacuatedInstance { Name = "c2", Project = "web" }] }],
        };
        var p = Assert.Single(WorkloadRules.RestoredWithInstancesAway(Facts(config)));
        Assert.Contains("2 instance(s) evacuated from it are still elsewhere (c1, web/c2)", p.Message);
        Assert.Empty(WorkloadRules.RestoredWithInstancesAway(Facts(config, null, View("node1"), View("node2", "Evacuated"), View("node3"))));
    }

    [Fact]
    public void A_missing_mesh_interface_or_firewall_table_is_an_error_on_this_node()
    {
        var f = Facts(local: Local() with { MeshInterfaceUp = false, FirewallLoaded = false });
        Assert.Equal(["The mesh interface terrarium-wg0 is missing on this node.", "The nftables table inet terrarium is not loaded on this node: cluster ports are exposed."],
            HostRules.For(f).Select(p => p.Message));
        Assert.All(HostRules.For(f), p => Assert.Equal(ProblemSeverity.Error, p.Severity));
        Assert.Empty(HostRules.For(Facts()));
    }

    [Fact]
    public void Severities_print_and_serialise_as_lowercase_words()
    {
        Assert.Equal(["info", "warning", "error"], new[] { ProblemSeverity.Info, ProblemSeverity.Warning, ProblemSeverity.Error }.Select(s => s.Label()));
        var json = System.Text.Json.JsonSerializer.Serialize(new StatusReport { Problems = [new Problem { Severity = ProblemSeverity.Error }] }, StatusJsonContext.Default.StatusReport);
        Assert.Contains("\"severity\": \"error\"", json);
    }
}
