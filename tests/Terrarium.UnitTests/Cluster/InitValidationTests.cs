using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Lifecycle;

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

    private static readonly MeshSettings Current = MeshSettings.Create("10.255.54.0/24", 51820);
    private static readonly MemberRecord Me = new() { Name = "node1", MeshAddress = "10.255.54.1", Endpoint = "10.0.0.11:51820" };

    private static InitRequest Flags(string? cidr = null, int? port = null, string? endpoint = null, string? member = null, string? uplink = null) =>
        new(member, cidr, port, endpoint, DryRun: false, uplink);

    [Fact]
    public void X1_init_on_a_member_with_no_flags_or_its_own_settings_is_already_initialised()
    {
        Assert.Null(InitFlags.Difference(Flags(), Current, Me, "lxdbr0"));
        Assert.Null(InitFlags.Difference(Flags("10.255.54.0/24", 51820, "10.0.0.11", "node1", "lxdbr0"), Current, Me, "lxdbr0"));
        Assert.Null(InitFlags.Difference(Flags(endpoint: "10.0.0.11:51820"), Current, Me, "lxdbr0"));
    }

    [Theory]
    [InlineData("10.9.0.0/24", null, null, null, null, "--wireguard-cidr 10.9.0.0/24 does not match this cluster: the cluster's mesh is 10.255.54.0/24; init does not change it.")]
    [InlineData(null, 4000, null, null, null, "--wireguard-port 4000 does not match this cluster: the cluster's WireGuard port is 51820; init does not change it.")]
    [InlineData(null, null, "10.0.0.99", null, null, "--wireguard-endpoint 10.0.0.99:51820 does not match this member: its WireGuard endpoint is 10.0.0.11:51820; init does not change it.")]
    [InlineData(null, null, null, "node9", null, "--member node9 does not match this member: it is named node1; init does not change it.")]
    [InlineData(null, null, null, null, "br1", "--ovn-uplink br1 does not match this cluster: the cluster's OVN uplink is lxdbr0; init does not change it.")]
    public void X1_init_on_a_member_refuses_a_flag_that_differs_from_the_clusters_settings(string? cidr, int? port, string? endpoint, string? member, string? uplink, string expected) =>
        Assert.Equal(expected, InitFlags.Difference(Flags(cidr, port, endpoint, member, uplink), Current, Me, "lxdbr0"));

    [Fact]
    public void X1_the_ovn_uplink_must_be_a_managed_bridge_of_this_server()
    {
        List<Network> networks =
        [
            new() { Name = "lxdbr0", Type = "bridge", Managed = true },
            new() { Name = "eth0", Type = "physical", Managed = false },
            new() { Name = "br-host", Type = "bridge", Managed = false },
        ];
        Assert.Null(InitFlags.UplinkRefusal("lxdbr0", networks));
        foreach (var name in new[] { "nosuchbr", "eth0", "br-host" })
            Assert.Equal($"--ovn-uplink {name} is not a managed LXD bridge on this server; name one that `lxc network list` shows as a managed bridge.",
                InitFlags.UplinkRefusal(name, networks));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void X1_an_empty_endpoint_is_refused_not_auto_selected(string endpoint) =>
        Assert.Contains("is not HOST:PORT", Assert.Throws<InputException>(() => LocalEndpoint.Resolve(endpoint, 51820, "terrarium-wg0")).Message);

    [Theory]
    [InlineData("")]
    [InlineData("LXDBR0")]
    [InlineData("br0\u001b[31m")]
    [InlineData("a-bridge-name-too-long")]
    public void X1_an_ovn_uplink_that_cannot_be_a_bridge_name_is_refused_as_the_uplink(string uplink)
    {
        var why = InitFlags.UplinkNameRefusal(uplink);
        Assert.StartsWith("--ovn-uplink '", why);
        Assert.DoesNotContain('\u001b', why!);
    }
}
