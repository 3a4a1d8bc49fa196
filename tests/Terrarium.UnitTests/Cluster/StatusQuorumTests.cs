using Terrarium.Cli.Commands;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Status;

namespace Terrarium.UnitTests.Cluster;

/// <summary>Quorum from LXD's database voters only; a voter counts online when LXD lists it up and it answered.</summary>
public class StatusQuorumTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static SharedConfig Config(IEnumerable<string> members) => StatusFixtures.Config(members);

    private static LocalObservations Local(IEnumerable<string> names, IEnumerable<string> unreachable) =>
        new(names.ToDictionary(n => $"K{n}", n => (DateTimeOffset?)Now.AddSeconds(-5)), true, true, new Dictionary<string, int>(), new Dictionary<string, long>())
        {
            Unreachable = unreachable.ToHashSet(),
        };

    [Theory]
    [InlineData(1, 0, "1/1 voters online: one more loss stops the database", 0, true)]
    [InlineData(1, 1, "0/1 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(2, 0, "2/2 voters online: one more loss stops the database", 0, true)]
    [InlineData(2, 1, "1/2 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(2, 2, "0/2 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(3, 0, "3/3 voters online: can lose 1 and keep working", 1, true)]
    [InlineData(3, 1, "2/3 voters online: one more loss stops the database", 0, true)]
    [InlineData(3, 2, "1/3 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(3, 3, "0/3 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(5, 0, "5/5 voters online: can lose 2 and keep working", 2, true)]
    [InlineData(5, 1, "4/5 voters online: can lose 1 and keep working", 1, true)]
    [InlineData(5, 2, "3/5 voters online: one more loss stops the database", 0, true)]
    [InlineData(5, 3, "2/5 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(5, 4, "1/5 voters online: no quorum, the database is stopped", 0, false)]
    [InlineData(5, 5, "0/5 voters online: no quorum, the database is stopped", 0, false)]
    public void Voters_lxd_lists_online_that_do_not_answer_count_as_down(int voters, int down, string line, int spare, bool quorum)
    {
        // The voters that do not answer are the last ones; node1 (this node) is always a voter.
        var names = Enumerable.Range(1, voters).Select(i => $"node{i}").ToList();
        var dead = names.Skip(voters - down).ToList();
        var members = names.Select((n, i) => new LxdMemberView(n, "Online", "Fully operational", i == 0 ? new[] { "database-leader", "database" } : new[] { "database" })).ToList();
        var r = StatusAnalyzer.Analyze("node1", Config(names), members, Local(names, dead), Now);

        Assert.Equal((voters, voters - down, spare, quorum), (r.Quorum.Voters, r.Quorum.VotersOnline, r.Quorum.TolerableFailures, r.Quorum.HasQuorum));
        Assert.Equal((voters, voters - down), (r.Quorum.DatabaseMembers, r.Quorum.DatabaseOnline));
        Assert.Contains($"Quorum:  {line}\n", StatusCommand.Render(r));
        Assert.Equal(!quorum, r.Problems.Any(p => p.Message.StartsWith("LXD's database has no quorum", StringComparison.Ordinal)));
        Assert.Equal(down, r.Problems.Count(p => p.Message.Contains("does not answer", StringComparison.Ordinal)));
    }

    [Fact]
    public void Standbys_and_members_without_a_database_role_are_not_voters()
    {
        var names = new[] { "node1", "node2", "node3", "node4", "node5" };
        LxdMemberView M(string n, params string[] roles) => new(n, "Online", "Fully operational", roles);
        var members = new[] { M("node1", "database-leader", "database"), M("node2", "database"), M("node3", "database"), M("node4", "database-standby"), M("node5") };
        var r = StatusAnalyzer.Analyze("node1", Config(names), members, Local(names, ["node4", "node5"]), Now);
        Assert.Equal((3, 3, 1, true), (r.Quorum.Voters, r.Quorum.VotersOnline, r.Quorum.TolerableFailures, r.Quorum.HasQuorum));
        Assert.Contains("Quorum:  3/3 voters online: can lose 1 and keep working", StatusCommand.Render(r));
    }

    [Fact]
    public void A_database_leader_that_does_not_answer_is_never_shown_as_a_healthy_online_member()
    {
        var names = new[] { "node1", "node2", "node3" };
        var members = new[]
        {
            new LxdMemberView("node1", "Online", "Fully operational", ["database"]),
            new LxdMemberView("node2", "Online", "Fully operational", ["database-leader", "database"]),
            new LxdMemberView("node3", "Online", "Fully operational", ["database"]),
        };
        var r = StatusAnalyzer.Analyze("node1", Config(names), members, Local(names, ["node2"]), Now);
        var table = StatusCommand.Render(r);
        var row = table.Split('\n').Single(l => l.StartsWith("node2 ", StringComparison.Ordinal));
        Assert.Contains("Online (unreachable)", row);
        Assert.Contains(r.Problems, p => p.Severity == ProblemSeverity.Error && p.Message.StartsWith("node2 does not answer", StringComparison.Ordinal));
        Assert.Contains("Quorum:  2/3 voters online: one more loss stops the database", table);
        Assert.False(r.Members[1].Reachable);
    }
}
