namespace Terrarium.Cluster.Status;

/// <summary>What `cluster status` concludes, for monitoring: its exit code says it without parsing the output.</summary>
public enum StatusHealth
{
    /// <summary>Nothing needs doing (informational notes only).</summary>
    Healthy,
    /// <summary>At least one warning or error is listed, each with its fix.</summary>
    Problems,
    /// <summary>LXD's database did not answer: the members shown are Terrarium's records, so health cannot be judged.</summary>
    CannotTell,
}

public static class StatusVerdict
{
    public static StatusHealth Of(StatusReport report) =>
        !report.LxdMembersKnown ? StatusHealth.CannotTell
        : report.Problems.Any(p => p.Severity is not ProblemSeverity.Info) ? StatusHealth.Problems
        : StatusHealth.Healthy;
}
