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
    [InlineData(7, 5)]
    [InlineData(9, 5)]
    [InlineData(100, 5)]
    public void O2_I11_the_central_set_is_odd_and_capped_at_five(int members, int central) => Assert.Equal(central, OvnCentralPlanner.SizeFor(members));

    [Theory]
    [InlineData(9, 3, 3)]
    [InlineData(9, 7, 7)]
    [InlineData(4, 7, 3)]
    [InlineData(9, 1, 1)]
    [InlineData(9, 4, 3)] // an even cap is never used as is
    public void I11_the_cap_is_configurable(int members, int max, int central) => Assert.Equal(central, OvnCentralPlanner.SizeFor(members, max));

    [Fact]
    public void I11_members_beyond_the_cap_are_chassis_only_and_current_servers_stay()
    {
        var members = Enumerable.Range(1, 9).Select(i => new OvnCandidate($"node{i}", Online: i != 2, CurrentlyCentral: i is 7 or 8 or 9)).ToList();
        Assert.Equal(["node1", "node3", "node7", "node8", "node9"], OvnCentralPlanner.Plan(members));
    }

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
