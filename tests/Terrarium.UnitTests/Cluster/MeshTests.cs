using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class MeshTests
{
    [Fact]
    public void M2_allocates_the_lowest_free_address_and_never_a_held_one()
    {
        var mesh = MeshSettings.Create("10.255.54.0/24", 51820);
        Assert.Equal("10.255.54.1", MeshAddressAllocator.NextFree(mesh, [])!.ToString());
        Assert.Equal("10.255.54.3", MeshAddressAllocator.NextFree(mesh, [IPAddress.Parse("10.255.54.1"), IPAddress.Parse("10.255.54.2")])!.ToString());
        var small = MeshSettings.Create("10.9.0.0/29", 51820);
        Assert.Equal(6, small.HostAddresses().Count());
        Assert.Null(MeshAddressAllocator.NextFree(small, small.HostAddresses()));
    }

    [Theory]
    [InlineData("10.255.54.0/33")]
    [InlineData("10.255.54.7/24")]
    [InlineData("fd00::/64")]
    [InlineData("10.0.0.0/8")]
    [InlineData("nonsense")]
    public void X1_bad_cidrs_are_refused(string cidr) => Assert.Throws<InputException>(() => MeshSettings.Create(cidr, 51820));

    [Theory]
    [InlineData(0)]
    [InlineData(70000)]
    public void X1_bad_ports_are_refused(int port) => Assert.Throws<InputException>(() => MeshSettings.Create("10.255.54.0/24", port));

    [Theory]
    [InlineData("203.0.113.11:51820", "203.0.113.11", 51820)]
    [InlineData("203.0.113.11:51999", "203.0.113.11", 51999)]
    [InlineData("203.0.113.11", "203.0.113.11", 51820)]
    [InlineData("node1.example.com:6000", "node1.example.com", 6000)]
    [InlineData("[2001:db8::1]:51820", "2001:db8::1", 51820)]
    public void Endpoint_parsing_keeps_the_wireguard_port(string text, string host, int port)
    {
        var e = HostEndpoint.Parse(text, 51820);
        Assert.Equal(host, e.Host);
        Assert.Equal(port, e.Port);
    }

    [Theory]
    [InlineData("203.0.113.11:0")]
    [InlineData("203.0.113.11:99999")]
    [InlineData("2001:db8::1")]
    [InlineData("bad host:1")]
    [InlineData("")]
    public void X1_bad_endpoints_are_refused(string text) => Assert.Throws<InputException>(() => HostEndpoint.Parse(text, 51820));

    [Fact]
    public void M3_prefers_a_private_address_on_a_real_interface()
    {
        InterfaceAddress A(string i, string a) => new(i, IPAddress.Parse(a), true);
        var picked = EndpointSelector.Select([A("lo", "127.0.0.1"), A("eth0", "203.0.113.10"), A("lxdbr0", "10.1.1.1"),
            A("docker0", "172.17.0.1"), A("veth12", "10.9.9.9"), A("terrarium-wg0", "10.255.54.1"), A("ens7", "10.0.0.12")], "eth0", "terrarium-wg0");
        Assert.Equal("10.0.0.12", picked!.ToString());
    }

    [Fact]
    public void M3_falls_back_to_the_default_route_address()
    {
        var picked = EndpointSelector.Select([new("eth0", IPAddress.Parse("203.0.113.10"), true), new("eth1", IPAddress.Parse("198.51.100.7"), true)], "eth1", "terrarium-wg0");
        Assert.Equal("198.51.100.7", picked!.ToString());
        Assert.Null(EndpointSelector.Select([new("lo", IPAddress.Loopback, true)], null, "terrarium-wg0"));
    }

    [Fact]
    public void M1_wireguard_config_has_one_32_per_peer_and_keepalive()
    {
        var text = WireGuardConfigRenderer.Render("PRIV", 51820, [
            new WireGuardPeer("node3", "K3", IPAddress.Parse("10.255.54.3"), new HostEndpoint("10.0.0.13", 51820)),
            new WireGuardPeer("node2", "K2", IPAddress.Parse("10.255.54.2"), null)]);
        Assert.Contains("ListenPort = 51820", text);
        Assert.Contains("AllowedIPs = 10.255.54.3/32", text);
        Assert.Contains("Endpoint = 10.0.0.13:51820", text);
        Assert.True(text.IndexOf("# node2", StringComparison.Ordinal) < text.IndexOf("# node3", StringComparison.Ordinal));
        Assert.Equal(2, text.Split("PersistentKeepalive = 25").Length - 1);
    }
}
