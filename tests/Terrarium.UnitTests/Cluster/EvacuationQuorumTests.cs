using Terrarium.Cluster.Placement;

namespace Terrarium.UnitTests.Cluster;

/// <summary>The cases of LXD 6.9's TestCheckEvacuationQuorum (lxd/api_cluster_member_test.go), without control-plane roles.</summary>
public class EvacuationQuorumTests
{
    private static QuorumMember V(int i, bool online = true) => new($"n{i}", online ? "Online" : "Offline", ["database"]);
    private static QuorumMember S(int i, string status = "Online") => new($"n{i}", status, ["database-standby"]);
    private static QuorumMember Spare(int i) => new($"n{i}", "Online", []);

    public static IEnumerable<object[]> Cases() =>
    [
        ["target is standby", new[] { S(1), V(2), V(3), V(4) }, true],
        ["target is spare", new[] { Spare(1), V(2), V(3), V(4) }, true],
        ["target is an offline voter", new[] { V(1, false), V(2), V(3) }, true],
        ["3 voters all online", new[] { V(1), V(2), V(3) }, true],
        ["3 voters 2 online no standby", new[] { V(1), V(2), V(3, false) }, false],
        ["3 voters 2 online with an online standby", new[] { V(1), V(2), V(3, false), S(4) }, true],
        ["3 voters 2 online, the standby is evacuated", new[] { V(1), V(2), V(3, false), S(4, "Evacuated") }, false],
        ["below the current majority even with a standby", new[] { V(1), V(2), V(3, false), V(4, false), V(5, false), S(6) }, false],
        ["single voter with a standby (any 2-member cluster)", new[] { V(1), S(2) }, false],
        ["target already evacuated", new[] { new QuorumMember("n1", "Evacuated", ["database"]), V(2), V(3) }, true],
        ["a second evacuation among three", new[] { V(1), new QuorumMember("n2", "Evacuated", ["database"]), V(3) }, false],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void L13_C6_evacuation_quorum_matches_lxd(string why, QuorumMember[] members, bool allowed)
    {
        var refusal = EvacuationQuorum.Check(members, "n1");
        Assert.True(allowed == (refusal is null), $"{why}: {refusal ?? "allowed"}");
    }
}
