using Terrarium.Cluster.Config;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Status;

namespace Terrarium.UnitTests.Cluster;

public class InstanceRulesTests
{
    private static InstanceView I(string status, string location = "node2", string project = "default", string name = "web", params (string Key, string Value)[] config) =>
        new(InstanceRef.Of(project, name), location, PowerStates.Parse(status), config.ToDictionary(c => c.Key, c => c.Value));

    [Fact]
    public void A_stopped_instance_that_ran_when_its_member_went_down_is_a_problem_with_a_start_fix()
    {
        var p = InstanceRules.StoppedAfterMemberWentDown(I("Stopped", project: "shop", config: [(PowerStates.LastPowerKey, "RUNNING")]), memberUp: true, "lxc");
        Assert.NotNull(p);
        Assert.Equal(ProblemSeverity.Warning, p.Severity);
        Assert.Equal("web (project shop) on node2 is stopped but was running when its member went down.", p.Message);
        Assert.Equal("lxc start web --project shop", p.Fix);
        Assert.Equal("incus start web --project shop",
            InstanceRules.StoppedAfterMemberWentDown(I("Stopped", project: "shop", config: [(PowerStates.LastPowerKey, "RUNNING")]), true, "incus")!.Fix);
    }

    [Theory]
    [InlineData("Running", "RUNNING", "true", true)] // running: fine
    [InlineData("Stopped", "STOPPED", "", true)] // a clean stop
    [InlineData("Stopped", "", "", true)] // never ran
    [InlineData("Stopped", "RUNNING", "false", true)] // LXD is told not to start it
    [InlineData("Stopped", "RUNNING", "", false)] // its member is down: the member's problem says what to do
    public void Instances_that_should_not_run_now_are_no_problem(string status, string power, string autostart, bool memberUp)
    {
        var i = I(status, config: [(PowerStates.LastPowerKey, power), (PowerStates.AutostartKey, autostart)]);
        Assert.Null(InstanceRules.StoppedAfterMemberWentDown(i, memberUp, "lxc"));
    }

    [Fact]
    public void A_pre_copy_copy_or_a_swapped_copy_left_by_a_move_is_a_problem_whose_fix_is_the_move_again()
    {
        var copy = InstanceRules.UnfinishedMove(I("Stopped", location: "node3", project: "shop", name: PreCopyMarkers.CopyName("web"), config: [(PreCopyMarkers.Of, "web")]));
        Assert.Equal($"{PreCopyMarkers.CopyName("web")} (project shop) on node3 is the copy of web that a move is making, or that an interrupted move left.", copy!.Message);
        Assert.Equal("terrariumctl cluster move web node3 --project shop (once no move of it runs: it finishes the move)", copy.Fix);
        var swapped = InstanceRules.UnfinishedMove(I("Stopped", location: "node3", config: [(PreCopyMarkers.Of, "web")]));
        Assert.Contains("interrupted after the swap", swapped!.Message);
        Assert.Null(InstanceRules.UnfinishedMove(I("Running")));
    }

    [Fact]
    public void An_instance_left_stopped_away_from_its_restored_origin_is_a_problem_with_a_fix()
    {
        var members = new Dictionary<string, string> { ["node1"] = "Online", ["node2"] = "Online", ["node3"] = "Evacuated" };
        var p = InstanceRules.StoppedAwayFromRestoredOrigin(I("Stopped", config: [(InstanceRules.EvacuateOrigin, "node1")]), members, "lxc");
        Assert.NotNull(p);
        Assert.Equal("web (project default) on node2 is stopped and was evacuated from node1, which is no longer evacuated: the restore left it behind.", p.Message);
        Assert.Equal("terrariumctl cluster restore node1 --yes (it moves the instance back), or start it where it is: lxc start web --project default", p.Fix);

        // Still evacuated (the restore has not run), running, or no origin: nothing to say.
        Assert.Null(InstanceRules.StoppedAwayFromRestoredOrigin(I("Stopped", config: [(InstanceRules.EvacuateOrigin, "node3")]), members, "lxc"));
        Assert.Null(InstanceRules.StoppedAwayFromRestoredOrigin(I("Running", config: [(InstanceRules.EvacuateOrigin, "node1")]), members, "lxc"));
        Assert.Null(InstanceRules.StoppedAwayFromRestoredOrigin(I("Stopped"), members, "lxc"));
    }

    [Fact]
    public void Names_from_lxd_are_escaped_in_messages_and_fixes()
    {
        var p = InstanceRules.StoppedAfterMemberWentDown(I("Stopped", "node\n2", "p\u001b[2J", "w\neb", (PowerStates.LastPowerKey, "RUNNING")), true, "lxc")!;
        Assert.DoesNotContain('\n', p.Message + p.Fix);
        Assert.DoesNotContain('\u001b', p.Message + p.Fix);
        Assert.Equal(@"w\neb (project p\u001b[2J) on node\n2 is stopped but was running when its member went down.", p.Message);
    }

    [Fact]
    public void Status_reports_each_stopped_instance_once_and_skips_members_that_are_down()
    {
        var config = new SharedConfig(new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            new[] { "node1", "node2", "node3" }.Select((m, i) => new MemberRecord { Name = m, PublicKey = $"K{m}", MeshAddress = $"10.255.54.{i + 1}" }).ToList(), [], []);
        var members = new[] { "node1", "node2", "node3" }.Select(n => new LxdMemberView(n, "Online", "", ["database"])).ToList();
        var local = new LocalObservations(null, true, true, new Dictionary<string, int>(), new Dictionary<string, long>())
        {
            Unreachable = new HashSet<string> { "node3" }, Client = "incus",
            Instances =
            [
                I("Stopped", "node2", "default", "a", (PowerStates.LastPowerKey, "RUNNING"), (InstanceRules.EvacuateOrigin, "node1")),
                I("Stopped", "node3", "default", "b", (PowerStates.LastPowerKey, "RUNNING")),
                I("Stopped", "node1", "default", "c", (InstanceRules.EvacuateOrigin, "node2")),
            ],
        };
        var r = StatusAnalyzer.Analyze("node1", config, members, local, DateTimeOffset.UnixEpoch);
        var stopped = r.Problems.Where(p => p.Message.Contains(" is stopped ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stopped.Count);
        Assert.StartsWith("a (project default) on node2 is stopped but was running", stopped[0].Message);
        Assert.Equal("incus start a --project default", stopped[0].Fix);
        Assert.StartsWith("c (project default) on node1 is stopped and was evacuated from node2", stopped[1].Message);
    }
}
