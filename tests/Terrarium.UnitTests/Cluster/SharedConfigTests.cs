using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Firewall;

namespace Terrarium.UnitTests.Cluster;

public class SharedConfigTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void M2_orphan_leases_are_released_only_after_a_grace_period()
    {
        var config = new SharedConfig(null,
            [new MemberRecord { Name = "node1", MeshAddress = "10.255.54.1" }],
            [new InviteRecord { Name = "node2", MeshAddress = "10.255.54.2", ExpiresAt = Now.AddHours(1) }],
            [
                new LeaseRecord { Address = "10.255.54.1", Holder = "node1", CreatedAt = Now.AddDays(-1) },
                new LeaseRecord { Address = "10.255.54.2", Holder = "node2", CreatedAt = Now.AddDays(-1) },
                new LeaseRecord { Address = "10.255.54.3", Holder = "crashed", CreatedAt = Now.AddHours(-1) },
                new LeaseRecord { Address = "10.255.54.4", Holder = "in-progress", CreatedAt = Now.AddSeconds(-5) },
            ]);
        Assert.Equal("10.255.54.3", Assert.Single(config.OrphanLeases(Now, TimeSpan.FromMinutes(10))).Address);
    }

    [Fact]
    public void C2_the_agent_wakes_at_the_next_live_expiry_and_ignores_used_invites()
    {
        var config = new SharedConfig(null,
            [new MemberRecord { Name = "node2" }],
            [
                new InviteRecord { Name = "node2", ExpiresAt = Now.AddMinutes(1) },  // used: node2 joined
                new InviteRecord { Name = "node3", ExpiresAt = Now.AddMinutes(5) },
                new InviteRecord { Name = "node4", ExpiresAt = Now.AddMinutes(3) },
                new InviteRecord { Name = "node5", ExpiresAt = Now.AddMinutes(-3) },
            ], []);
        Assert.Equal(Now.AddMinutes(3), config.NextExpiry(Now));
        Assert.Equal("node2", Assert.Single(config.UsedInvites()).Name);
        Assert.Equal("node5", Assert.Single(config.ExpiredInvites(Now)).Name);
    }

    [Fact]
    public void F3_ufw_gets_the_same_openings_as_the_nftables_table()
    {
        var plan = FirewallPlan.Create("terrarium-wg0", "10.255.54.0/24", 51820, [IPAddress.Parse("10.0.0.12")]);
        var rules = UfwRules.For(plan).Select(r => string.Join(' ', r)).ToList();
        Assert.Contains("allow in on terrarium-wg0 proto tcp to any port 8443", rules);
        Assert.Contains("allow in on terrarium-wg0 proto udp to any port 6081", rules);
        Assert.Contains("allow proto udp from 10.0.0.12 to any port 51820", rules);
        Assert.Equal(FirewallPlan.TunnelOnlyTcpPorts.Count + FirewallPlan.TunnelOnlyUdpPorts.Count + 1, rules.Count);
    }
}
