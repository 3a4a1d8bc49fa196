using System.Net;
using System.Text.RegularExpressions;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Mesh;
using Terrarium.Operations.Journal;
using Terrarium.Operations.Lifecycle;

namespace Terrarium.UnitTests.Operations;

/// <summary>X-3 / one step table per lifecycle command, shared by the journal (resume) and `--dry-run` (plan).</summary>
public sealed class JoinJournalTests : IDisposable
{
    private readonly NodeLayout _layout = new(Directory.CreateTempSubdirectory("terrarium-journal-").FullName);

    public void Dispose() => Directory.Delete(_layout.Root, recursive: true);

    private OperationJournal Open() => OperationJournal.Open(_layout, "join", _ => { }, DateTimeOffset.UnixEpoch, JoinSteps.Order);

    /// <summary>Runs the join's steps as JoinOperation does; <paramref name="killAfter"/> stops the run like kill -9 right after that step was recorded.</summary>
    private async Task<bool> RunAsync(List<string> ran, string? killAfter = null, string? failInside = null)
    {
        var journal = Open();
        foreach (var step in JoinSteps.Order)
        {
            await journal.StepAsync(step, () =>
            {
                ran.Add(step);
                return step == failInside ? throw new IOException($"killed inside {step}") : Task.CompletedTask;
            });
            if (step == killAfter) return false;
        }
        journal.Complete();
        return true;
    }

    [Fact]
    public async Task X3_a_join_killed_after_any_step_resumes_at_the_next_and_never_repeats_a_recorded_step()
    {
        foreach (var killed in JoinSteps.Order)
        {
            var ran = new List<string>();
            Assert.False(await RunAsync(ran, killAfter: killed));
            Assert.True(OperationJournal.InProgress(_layout, "join"));
            Assert.True(await RunAsync(ran));
            Assert.Equal(JoinSteps.Order, ran); // each step once, in the table's order
            Assert.False(OperationJournal.InProgress(_layout, "join"));
        }
    }

    [Fact]
    public async Task X3_a_join_killed_inside_a_step_runs_that_step_again_and_only_that_one()
    {
        foreach (var killed in JoinSteps.Order)
        {
            var ran = new List<string>();
            await Assert.ThrowsAsync<IOException>(() => RunAsync(ran, failInside: killed));
            Assert.True(await RunAsync(ran));
            var at = JoinSteps.Order.ToList().IndexOf(killed);
            Assert.Equal([.. JoinSteps.Order.Take(at + 1), .. JoinSteps.Order.Skip(at)], ran);
        }
    }

    [Fact]
    public async Task X3_the_journal_refuses_a_step_outside_its_table_or_before_an_earlier_one()
    {
        var journal = Open();
        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => journal.StepAsync("reboot", () => Task.CompletedTask));
        Assert.Equal("Step reboot is not in the join step table.", unknown.Message);
        var early = await Assert.ThrowsAsync<InvalidOperationException>(() => journal.StepAsync(JoinSteps.Firewall, () => Task.CompletedTask));
        Assert.Equal("Step firewall of join ran before step prepare.", early.Message);
    }

    [Fact]
    public void X3_the_dry_run_plan_is_the_step_table_with_what_each_step_does_here()
    {
        var bundle = new JoinBundle
        {
            Member = "node4", MeshAddress = "10.77.0.4", Inviter = "node1",
            Peers = [new() { Name = "node1", PublicKey = "k", MeshAddress = "10.77.0.1", Endpoint = "192.0.2.1:51820" }],
        };
        var plan = JoinSteps.Plan(bundle, MeshSettings.Create("10.77.0.0/24", 51820), HostEndpoint.Parse("192.0.2.4:51820", 51820), "10.77.0.1:8443", wipe: true);
        Assert.Equal(JoinSteps.Order, plan.Select(s => s.Step));
        Assert.All(plan, s => Assert.False(string.IsNullOrWhiteSpace(s.Action)));
        Assert.StartsWith("delete this server's instances", plan[0].Action);
        Assert.Contains("10.77.0.1:8443", plan.Single(s => s.Step == JoinSteps.LxdJoin).Action);

        var init = InitSteps.Plan("node1", MeshSettings.Create("10.77.0.0/24", 51820), IPAddress.Parse("10.77.0.1"), HostEndpoint.Parse("192.0.2.1:51820", 51820), "lxdbr0");
        Assert.Equal(InitSteps.Order, init.Select(s => s.Step));
    }

    [Theory]
    [InlineData("JoinOperation.cs", "JoinSteps")]
    [InlineData("InitOperation.cs", "InitSteps")]
    public void X3_init_and_join_name_their_steps_only_through_their_table(string file, string table)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Join(dir, "Terrarium.slnx"))) dir = Path.GetDirectoryName(dir)!;
        var code = File.ReadAllText(Path.Join(dir, "src/Terrarium.Operations/Lifecycle", file));
        var steps = Regex.Matches(code, @"(StepAsync|IsDone)\((?<arg>[^,)]+)").Select(m => m.Groups["arg"].Value).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.StartsWith(table + ".", s));
    }
}
