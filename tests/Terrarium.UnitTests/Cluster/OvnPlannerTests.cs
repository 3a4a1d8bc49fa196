using Terrarium.Cluster.Ovn;

namespace Terrarium.UnitTests.Cluster;

public class OvnPlannerTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    [InlineData(4, 3)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    public void O2_the_central_set_is_odd(int members, int central) => Assert.Equal(central, OvnCentralPlanner.SizeFor(members));

    [Fact]
    public void O2_online_members_then_current_members_then_names_are_preferred()
    {
        var plan = OvnCentralPlanner.Plan([
            new OvnCandidate("node1", Online: false, CurrentlyCentral: true),
            new OvnCandidate("node2", Online: true, CurrentlyCentral: false),
            new OvnCandidate("node3", Online: true, CurrentlyCentral: true),
            new OvnCandidate("node4", Online: true, CurrentlyCentral: false),
        ]);
        Assert.Equal(["node2", "node3", "node4"], plan);
    }

    [Fact]
    public void O2_a_member_already_central_stays_when_the_set_shrinks()
    {
        var plan = OvnCentralPlanner.Plan([new OvnCandidate("a", true, false), new OvnCandidate("b", true, true)]);
        Assert.Equal(["b"], plan);
    }

    [Fact]
    public void O1_the_workload_mtu_leaves_room_for_geneve_inside_wireguard()
    {
        Assert.Equal(1362, OvnNetworkSettings.WorkloadMtu(1420));
        Assert.Equal("ssl:10.255.54.1:6641,ssl:10.255.54.2:6641", OvnNetworkSettings.Remotes(["10.255.54.1", "10.255.54.2"], 6641));
    }
}
