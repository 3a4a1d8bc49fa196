namespace Terrarium.Cli.Output;

/// <summary>SPEC §2: 0 success, 1 operation failed, 2 bad usage or bad input; `cluster status` adds 3 and 4 for monitoring.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    /// <summary>`cluster status` answered and lists a warning or an error.</summary>
    public const int Problems = 3;
    /// <summary>`cluster status` answered without LXD's database: health cannot be judged.</summary>
    public const int CannotTell = 4;

    public static int Of(Terrarium.Cluster.Status.StatusHealth health) => health switch
    {
        Terrarium.Cluster.Status.StatusHealth.Healthy => Ok,
        Terrarium.Cluster.Status.StatusHealth.Problems => Problems,
        _ => CannotTell,
    };
}
