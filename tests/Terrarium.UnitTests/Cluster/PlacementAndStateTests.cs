using Terrarium.Cluster.Config;
using Terrarium.Cluster.Placement;

namespace Terrarium.UnitTests.Cluster;

public class PlacementAndStateTests
{
    [Fact]
    public void P2_balances_by_planned_count_then_memory_then_name()
    {
        var plan = BalancedPlanner.Plan(["c4", "c1", "c3", "c2"], [
            new PlacementTarget("node1", 1, 500), new PlacementTarget("node2", 0, 900), new PlacementTarget("node3", 0, 100)]);
        Assert.Equal(["c1", "c2", "c3", "c4"], plan.Select(p => p.Name));
        Assert.Equal(["node3", "node2", "node3", "node1"], plan.Select(p => p.Target));
    }

    [Fact]
    public void P2_no_targets_no_plan() => Assert.Empty(BalancedPlanner.Plan(["c1"], []));

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    public void Quorum_tolerance(int members, int failures) => Assert.Equal(failures, Quorum.TolerableFailures(members));

    [Fact]
    public void S3_desired_state_peers_every_other_member_and_live_invites()
    {
        var now = DateTimeOffset.UtcNow;
        var config = new SharedConfig(
            new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            [
                new MemberRecord { Name = "node1", PublicKey = "K1", MeshAddress = "10.255.54.1", Endpoint = "10.0.0.11:51820" },
                new MemberRecord { Name = "node2", PublicKey = "K2", MeshAddress = "10.255.54.2", Endpoint = "10.0.0.12:51820" },
            ],
            [
                new InviteRecord { Name = "node3", PublicKey = "K3", MeshAddress = "10.255.54.3", Address = "10.0.0.13", ExpiresAt = now.AddHours(1) },
                new InviteRecord { Name = "old", PublicKey = "K4", MeshAddress = "10.255.54.4", Address = "10.0.0.14", ExpiresAt = now.AddHours(-1) },
            ], []);
        var state = NodeDesiredState.Compute(config, "node1", now);
        Assert.Equal("10.255.54.1", state.MeshAddress.ToString());
        Assert.Equal(["node2", "node3"], state.Peers.Select(p => p.Name).Order());
        Assert.Equal(["10.0.0.12", "10.0.0.13"], state.Firewall.WireGuardPeers.Select(a => a.ToString()));
        Assert.Equal("old", Assert.Single(config.ExpiredInvites(now)).Name);
        Assert.Equal(4, config.HeldAddresses().Count());
    }
}
