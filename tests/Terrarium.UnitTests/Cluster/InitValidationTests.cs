using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

/// <summary>X-1: `cluster init` inputs that used to get through.</summary>
public class InitValidationTests
{
    [Theory]
    [InlineData("300.1.2.3:51820")]
    [InlineData("1.2.3:51820")]
    [InlineData("256.256.256.256")]
    [InlineData("01.2.3.4")]
    [InlineData("0.0.0.0:51820")]
    [InlineData("127.0.0.1:51820")]
    [InlineData("224.0.0.1:51820")]
    [InlineData("255.255.255.255:51820")]
    [InlineData("[::1]:51820")]
    [InlineData("0.1.2.3:51820")]       // 0.0.0.0/8: no server has it (as invite's ADDRESS)
    [InlineData("240.1.2.3:51820")]     // reserved
    [InlineData("[::]:51820")]
    [InlineData("[ff02::1]:51820")]
    [InlineData("[fe80::1]:51820")]
    [InlineData("host-.example.com")]
    [InlineData("203.0.113.11:0")]
    [InlineData("203.0.113.11:65536")]
    public void X1_impossible_or_unreachable_endpoints_are_refused(string endpoint) =>
        Assert.Throws<InputException>(() => HostEndpoint.Parse(endpoint, 51820));

    [Theory]
    [InlineData("203.0.113.11:51820", "203.0.113.11", 51820)]
    [InlineData("203.0.113.11", "203.0.113.11", 51820)]
    [InlineData("vps1.example.com:4000", "vps1.example.com", 4000)]
    [InlineData("[2001:db8::1]:51820", "2001:db8::1", 51820)]
    public void X1_good_endpoints_parse(string text, string host, int port) =>
        Assert.Equal(new HostEndpoint(host, port), HostEndpoint.Parse(text, 51820));

    [Theory]
    [InlineData("10.0.0.0/16", "10.0.0.12", 24)]   // the mesh contains the underlay address
    [InlineData("10.0.0.0/26", "10.0.0.12", 24)]   // the underlay network contains the mesh
    [InlineData("10.0.0.128/25", "10.0.0.12", 24)] // the mesh sits inside the underlay network
    public void X1_a_mesh_that_overlaps_a_local_network_is_refused(string cidr, string address, int prefix)
    {
        var e = Assert.Throws<InputException>(() =>
            MeshOverlap.Check(MeshSettings.Create(cidr, 51820), [new InterfaceAddress("eth0", IPAddress.Parse(address), true, prefix)]));
        Assert.Contains("overlaps", e.Message);
    }

    [Fact]
    public void X1_the_default_mesh_beside_a_private_underlay_and_its_own_interface_is_fine() =>
        MeshOverlap.Check(MeshSettings.Create("10.255.54.0/24", 51820),
        [
            new InterfaceAddress("eth0", IPAddress.Parse("10.0.0.12"), true, 24),
            new InterfaceAddress("lo", IPAddress.Loopback, true, 8),
            new InterfaceAddress("terrarium-wg0", IPAddress.Parse("10.255.54.1"), true, 24),
        ]);
}
