using System.Text.Json;
using Terrarium.IntegrationTests.Support;
using Terrarium.IntegrationTests.Workloads;
using Terrarium.Lab.Runtime;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Scale;

/// <summary>
/// Issue #11 on 9 real members: every member joins, status covers them all, the OVN central set stays at five
/// (O-2's cap) on 9 and on 7 members, an evacuation spreads over the others, and members are removed.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
public class NineNodeScenario(ScaleLab lab) : IClassFixture<ScaleLab>
{
    private static readonly string[] Five = ["node1", "node2", "node3", "node4", "node5"];

    [Fact]
    public Task S01_I11_nine_members_are_online_and_ovn_runs_five_database_servers() => lab.Steps.RunAsync(async () =>
    {
        await MeshLab.EventuallyAsync(async () =>
        {
            using var status = await lab.StatusAsync(1);
            return OvnProbe.LocalRaft(status) is { Count: 2 } raft && raft.All(r => r.Servers == 5);
        }, TimeSpan.FromSeconds(120), "node1 is one of five NB and SB raft servers");
        using var s = await lab.StatusAsync(9);
        var members = s.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(9, members.Count);
        Assert.All(members, m => Assert.Equal("Online", m.GetProperty("status").GetString()));
        Assert.All(members, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        Assert.Equal(Five, s.RootElement.GetProperty("ovn").GetProperty("central").EnumerateArray().Select(c => c.GetString()));
        Assert.DoesNotContain(s.RootElement.GetProperty("problems").EnumerateArray(), p => p.GetProperty("severity").GetString() != "info");
        // Chassis only beyond the cap: node9 runs no database.
        Assert.Empty(OvnProbe.LocalRaft(s));
    });

    [Fact]
    public Task S02_I11_an_evacuation_spreads_over_the_other_eight() => lab.Steps.RunAsync(async () =>
    {
        for (var i = 1; i <= 4; i++) MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "launch", LabRunner.ImageAlias, $"s{i}", "--target", "node9"));
        var r = await lab.Ctl(1, "--output", "json", "cluster", "evacuate", "node9", "--yes");
        MeshLab.AssertOk(r);
        using var json = JsonDocument.Parse(r.StdOut);
        var targets = json.RootElement.GetProperty("plan").EnumerateArray().Select(p => p.GetProperty("target").GetString()).ToList();
        Assert.Equal(4, targets.Distinct().Count()); // one each on the four least busy members
        Assert.True(json.RootElement.GetProperty("evacuated").GetBoolean());
    });

    [Fact]
    public Task S03_I11_removing_two_members_keeps_five_database_servers_on_seven() => lab.Steps.RunAsync(async () =>
    {
        // Issue #8: plain `remove` with two survivors' containers pinging each other over terrarium-ovn.
        await using (var ping = await Workloads.OverlayPing.StartAsync(lab, "keep1", "node1", "keep2", "node2"))
        {
            var removed = await lab.Ctl(1, "cluster", "remove", "node9", "--yes"); // evacuated: nothing left on it
            ping.FaultOver();
            MeshLab.AssertOk(removed);
            var loss = await ping.StopAsync();
            Assert.True(loss.LostFraction < 0.01, $"overlay ping across remove lost {loss}");
            Assert.True(loss.LostLate == 0, $"overlay ping lost replies more than 5 s after the remove: {loss}");
            Assert.True(loss.LongestGap <= TimeSpan.FromSeconds(5), $"overlay ping across remove was cut for more than 5 s: {loss}");
        }
        MeshLab.AssertOk(await lab.Ctl(1, "cluster", "remove", "node8", "--move", "--yes")); // it may have taken one of them
        using var s = await lab.StatusAsync(1);
        Assert.Equal(7, s.RootElement.GetProperty("members").GetArrayLength());
        Assert.Equal(Five, s.RootElement.GetProperty("ovn").GetProperty("central").EnumerateArray().Select(c => c.GetString()));
        Assert.All(OvnProbe.LocalRaft(s), r => Assert.Equal(5, r.Servers));

        // Issue #10: the plan of a smaller cap, shown and not applied, and not applied unconfirmed.
        var planned = await lab.Ctl(1, "cluster", "ovn", "configure", "--max", "3", "--dry-run", "-o", "json");
        MeshLab.AssertOk(planned);
        using (var plan = System.Text.Json.JsonDocument.Parse(planned.StdOut))
        {
            Assert.True(plan.RootElement.GetProperty("dry_run").GetBoolean());
            Assert.Equal(Five, plan.RootElement.GetProperty("previous_central").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(3, plan.RootElement.GetProperty("central").GetArrayLength());
        }
        // A cap that moves raft servers asks first; without a terminal, --yes is the answer (exit 2, nothing changed).
        var unconfirmed = await lab.Ctl(1, "cluster", "ovn", "configure", "--max", "3");
        ProcessAssert.Exit(2, unconfirmed);
        Assert.Contains("add --yes to confirm", unconfirmed.StdErr);
        using (var after = await lab.StatusAsync(1))
            Assert.Equal(Five, after.RootElement.GetProperty("ovn").GetProperty("central").EnumerateArray().Select(c => c.GetString()));

        var refused = await lab.Ctl(1, "cluster", "ovn", "configure", "--max", "4");
        ProcessAssert.Exit(2, refused);
        Assert.Contains("--max must be one of", refused.StdErr);
    });
}
