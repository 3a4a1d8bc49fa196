using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Invites;

namespace Terrarium.UnitTests.Cluster;

/// <summary>An invite is redeemable only from the address it was issued for.</summary>
public class InviteBindingTests
{
    private static InviteRecord Invite(string name, string key, string mesh, string address) =>
        new() { Name = name, PublicKey = key, MeshAddress = mesh, Address = address, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) };

    private static readonly InviteRecord Node3 = Invite("node3", "K3", "10.255.54.3", "203.0.113.3");
    private static readonly InviteRecord Node4 = Invite("node4", "K4", "10.255.54.4", "203.0.113.4");

    [Fact]
    public void I9_an_invite_is_bound_until_seen_from_its_own_address()
    {
        Assert.Equal(["10.255.54.3", "10.255.54.4"], InviteBinding.Unbound([Node3, Node4], new Dictionary<string, string?>()).Select(a => a.ToString()));
        var seen = new Dictionary<string, string?> { ["K3"] = "203.0.113.3:51820", ["K4"] = null };
        Assert.Equal(["10.255.54.4"], InviteBinding.Unbound([Node3, Node4], seen).Select(a => a.ToString()));
    }

    [Theory]
    [InlineData("203.0.113.4:51820")] // node4's host, holding its own invite, using node3's stolen bundle
    [InlineData("198.51.100.7:40000")] // anywhere else
    [InlineData("[2001:db8::3]:51820")]
    [InlineData("garbage")]
    public void I9_an_invite_used_from_another_address_stays_closed(string endpoint) =>
        Assert.Contains(IPAddress.Parse("10.255.54.3"), InviteBinding.Unbound([Node3], new Dictionary<string, string?> { ["K3"] = endpoint }));

    [Fact]
    public void I9_behind_nat_the_address_the_cluster_sees_counts() =>
        // Issued for the public address; the joiner's own address is private, its packets arrive from the public one.
        Assert.Empty(InviteBinding.Unbound([Node3], new Dictionary<string, string?> { ["K3"] = "203.0.113.3:33012" }));

    [Fact]
    public void I9_the_firewall_keeps_unbound_invites_off_the_cluster_ports_before_the_mesh_accept()
    {
        var plan = FirewallPlan.Create("terrarium-wg0", "10.255.54.0/24", 51820, [IPAddress.Parse("203.0.113.3")]) with
        {
            UnboundInvites = [IPAddress.Parse("10.255.54.3")],
        };
        var nft = NftablesRenderer.Render(plan);
        Assert.Contains("set invites_unbound {\n    type ipv4_addr\n    elements = { 10.255.54.3 }\n  }", nft);
        var drop = nft.IndexOf("ip saddr @invites_unbound tcp dport { 8443, 6641, 6642, 6643, 6644 } counter drop", StringComparison.Ordinal);
        Assert.True(drop > 0 && drop < nft.IndexOf("comment \"cluster ports via mesh\"", StringComparison.Ordinal));
    }

    [Fact]
    public void I9_desired_state_gives_invites_no_endpoint_and_denies_them_by_default()
    {
        var now = DateTimeOffset.UtcNow;
        var config = new SharedConfig(
            new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            [new MemberRecord { Name = "node1", PublicKey = "K1", MeshAddress = "10.255.54.1", Endpoint = "203.0.113.1:51820" }],
            [Node3], []);
        var desired = NodeDesiredState.Compute(config, "node1", now);
        var peer = Assert.Single(desired.Peers);
        Assert.Null(peer.Endpoint); // WireGuard then records where the invite's key really came from
        Assert.Contains(IPAddress.Parse("203.0.113.3"), desired.Firewall.WireGuardPeers); // its UDP still gets in
        Assert.Equal([IPAddress.Parse("10.255.54.3")], desired.Firewall.UnboundInvites);
    }
}
