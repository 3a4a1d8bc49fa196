using Terrarium.Cluster.Status;

namespace Terrarium.UnitTests.Cluster;

/// <summary>`cluster status`'s exit code for monitoring: healthy, problems, or cannot tell.</summary>
public class StatusHealthTests
{
    private static Problem Problem(ProblemSeverity severity) => new() { Severity = severity, Message = "m", Fix = "f" };

    [Fact]
    public void Nothing_listed_or_only_notes_is_healthy()
    {
        Assert.Equal(StatusHealth.Healthy, StatusVerdict.Of(new StatusReport()));
        Assert.Equal(StatusHealth.Healthy, StatusVerdict.Of(new StatusReport { Problems = [Problem(ProblemSeverity.Info), Problem(ProblemSeverity.Info)] }));
    }

    [Theory]
    [InlineData(ProblemSeverity.Warning)]
    [InlineData(ProblemSeverity.Error)]
    public void A_warning_or_an_error_is_a_problem(ProblemSeverity severity) =>
        Assert.Equal(StatusHealth.Problems, StatusVerdict.Of(new StatusReport { Problems = [Problem(ProblemSeverity.Info), Problem(severity)] }));

    [Fact]
    public void Without_lxds_member_list_health_cannot_be_told_whatever_else_is_listed()
    {
        Assert.Equal(StatusHealth.CannotTell, StatusVerdict.Of(new StatusReport { LxdMembersKnown = false }));
        Assert.Equal(StatusHealth.CannotTell, StatusVerdict.Of(new StatusReport { LxdMembersKnown = false, Problems = [Problem(ProblemSeverity.Error)] }));
    }

    [Fact]
    public void The_exit_codes_are_0_3_and_4()
    {
        Assert.Equal(0, Terrarium.Cli.Output.ExitCodes.Of(StatusHealth.Healthy));
        Assert.Equal(3, Terrarium.Cli.Output.ExitCodes.Of(StatusHealth.Problems));
        Assert.Equal(4, Terrarium.Cli.Output.ExitCodes.Of(StatusHealth.CannotTell));
    }
}
