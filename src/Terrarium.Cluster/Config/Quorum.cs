namespace Terrarium.Cluster.Config;

/// <summary>
/// Raft arithmetic for `cluster status`. Only LXD's database voters count (roles "database"; the leader has it too,
/// "database-standby" members do not vote): the database keeps working while a majority of them answers.
/// </summary>
public static class Quorum
{
    public static int TolerableFailures(int databaseMembers) => databaseMembers <= 0 ? 0 : (databaseMembers - 1) / 2;

    public static int Majority(int voters) => voters / 2 + 1;

    /// <summary>How many more voters may fail, from <paramref name="online"/> of <paramref name="voters"/>, before the database stops.</summary>
    public static int Spare(int online, int voters) => voters <= 0 ? 0 : Math.Max(0, online - Majority(voters));

    public static bool Has(int online, int voters) => voters > 0 && online >= Majority(voters);

    /// <summary>The quorum line of the status table, e.g. "3/3 voters online: can lose 1 and keep working".</summary>
    public static string Describe(int online, int voters) =>
        voters <= 0 ? "no database voters listed"
        : !Has(online, voters) ? $"{online}/{voters} voters online: no quorum, the database is stopped"
        : Spare(online, voters) == 0 ? $"{online}/{voters} voters online: one more loss stops the database"
        : $"{online}/{voters} voters online: can lose {Spare(online, voters)} and keep working";
}
