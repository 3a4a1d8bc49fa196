namespace Terrarium.Cluster.Config;

/// <summary>Raft arithmetic for `cluster status`: how many database members may fail before writes stop.</summary>
public static class Quorum
{
    public static int TolerableFailures(int databaseMembers) => databaseMembers <= 0 ? 0 : (databaseMembers - 1) / 2;
}
