using System.Net;
using Terrarium.Cluster.Firewall;

namespace Terrarium.UnitTests.Cluster;

public class FirewallTests
{
    [Fact]
    public void F1_F2_F3_rules_open_cluster_ports_only_via_the_mesh_and_wireguard_only_from_peers()
    {
        var plan = FirewallPlan.Create("terrarium-wg0", "10.255.54.0/24", 51820, [IPAddress.Parse("10.0.0.13"), IPAddress.Parse("10.0.0.12"), IPAddress.Parse("10.0.0.12")]);
        var nft = NftablesRenderer.Render(plan);
        Assert.StartsWith("# Generated", nft);
        Assert.Contains("table inet terrarium {}\ndelete table inet terrarium\ntable inet terrarium {", nft);
        Assert.Contains("elements = { 10.0.0.12, 10.0.0.13 }", nft);
        Assert.Contains("iifname \"terrarium-wg0\" ip saddr 10.255.54.0/24 tcp dport { 8443, 6641, 6642, 6643, 6644 } counter accept", nft);
        Assert.Contains("tcp dport { 8443, 6641, 6642, 6643, 6644 } counter drop", nft);
        Assert.Contains("udp dport { 6081 } counter drop", nft);
        Assert.Contains("udp dport 51820 ip saddr @wg_peers counter accept", nft);
        Assert.True(nft.IndexOf("accept comment \"cluster ports via mesh\"", StringComparison.Ordinal) < nft.IndexOf("drop comment \"cluster ports off-mesh\"", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_peer_set_renders_without_elements() =>
        Assert.DoesNotContain("elements", NftablesRenderer.Render(FirewallPlan.Create("terrarium-wg0", "10.255.54.0/24", 51820, [])));
}
