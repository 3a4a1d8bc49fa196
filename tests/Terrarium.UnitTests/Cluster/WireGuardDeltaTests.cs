using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.WireGuard;
using Xunit;

namespace Terrarium.UnitTests.Cluster;

/// <summary>M-4: a pass changes only the peers that differ on the live interface; `wg syncconf` only for a new key or port.</summary>
public sealed class WireGuardDeltaTests
{
    private const string Me = "MEpub=", A = "Apub=", B = "Bpub=", C = "Cpub=";

    private static WireGuardPeer Peer(string name, string key, string mesh, string? endpoint) =>
        new(name, key, IPAddress.Parse(mesh), endpoint is null ? null : HostEndpoint.Parse(endpoint, 51820));

    private static WireGuardLivePeer Live(string key, string? endpoint, string allowed, int keepalive = 25) =>
        new(key, endpoint, [allowed], keepalive);

    [Fact]
    public void M4_an_interface_that_matches_needs_nothing()
    {
        var live = new WireGuardLive(Me, 51820, [Live(A, "192.0.2.1:51820", "10.1.0.2/32"), Live(B, "198.51.100.7:40000", "10.1.0.3/32")]);
        // B has no configured endpoint (an invite): whatever WireGuard learned stays.
        var delta = WireGuardDelta.Compute(Me, 51820, [Peer("a", A, "10.1.0.2", "192.0.2.1"), Peer("b", B, "10.1.0.3", null)], live);
        Assert.True(delta.IsEmpty);
    }

    [Fact]
    public void M4_a_new_peer_is_added_and_a_gone_one_removed_without_touching_the_others()
    {
        var live = new WireGuardLive(Me, 51820, [Live(A, "192.0.2.1:51820", "10.1.0.2/32"), Live(B, null, "10.1.0.3/32")]);
        var delta = WireGuardDelta.Compute(Me, 51820, [Peer("a", A, "10.1.0.2", "192.0.2.1"), Peer("c", C, "10.1.0.3", "192.0.2.3:51821")], live);
        Assert.False(delta.InterfaceDiffers);
        // The removal comes first: the new member takes over the address the invite had.
        Assert.Equal(["peer", B, "remove", "peer", C, "endpoint", "192.0.2.3:51821", "allowed-ips", "10.1.0.3/32", "persistent-keepalive", "25"],
            delta.SetArguments);
    }

    [Fact]
    public void M4_only_what_drifted_on_a_peer_is_set()
    {
        var live = new WireGuardLive(Me, 51820, [Live(A, "192.0.2.9:51820", "10.1.0.2/32", keepalive: 0), Live(B, "192.0.2.2:51820", "10.1.0.99/32")]);
        var delta = WireGuardDelta.Compute(Me, 51820, [Peer("a", A, "10.1.0.2", "192.0.2.1"), Peer("b", B, "10.1.0.3", "192.0.2.2")], live);
        Assert.Equal(["peer", A, "endpoint", "192.0.2.1:51820", "persistent-keepalive", "25", "peer", B, "allowed-ips", "10.1.0.3/32"], delta.SetArguments);
    }

    [Fact]
    public void M4_a_peer_with_extra_allowed_ips_gets_exactly_its_mesh_address()
    {
        var live = new WireGuardLive(Me, 51820, [new WireGuardLivePeer(A, "192.0.2.1:51820", ["10.1.0.2/32", "0.0.0.0/0"], 25)]);
        var delta = WireGuardDelta.Compute(Me, 51820, [Peer("a", A, "10.1.0.2", "192.0.2.1")], live);
        Assert.Equal(["peer", A, "allowed-ips", "10.1.0.2/32"], delta.SetArguments);
    }

    [Theory]
    [InlineData("OTHERpub=", 51820)] // the join's key switch
    [InlineData(Me, 51821)]          // another port
    [InlineData(null, 51820)]        // wireguard-go just created, no key yet
    public void M4_a_different_key_or_port_means_the_whole_file(string? publicKey, int port)
    {
        var delta = WireGuardDelta.Compute(Me, 51820, [], new WireGuardLive(publicKey, port, []));
        Assert.True(delta.InterfaceDiffers);
    }

    [Theory]
    [InlineData("[2001:db8::1]:51820", "[2001:db8:0::1]:51820", true)]
    [InlineData("192.0.2.1:51820", "192.0.2.1:51821", false)]
    [InlineData("vps1.example.net:51820", "203.0.113.5:51820", true)]  // WireGuard shows what the name resolved to
    [InlineData("vps1.example.net:51820", "203.0.113.5:4000", false)]
    public void M4_endpoints_compare_as_addresses_and_ports(string desired, string live, bool same)
    {
        var delta = WireGuardDelta.Compute(Me, 51820, [Peer("a", A, "10.1.0.2", desired)], new WireGuardLive(Me, 51820, [Live(A, live, "10.1.0.2/32")]));
        Assert.Equal(same, delta.IsEmpty);
    }

    [Fact]
    public void M4_the_dump_is_read_without_keeping_the_private_key()
    {
        const string dump = "cHJpdmF0ZQ==\tMEpub=\t51820\toff\n" +
                            "Apub=\t(none)\t192.0.2.1:51820\t10.1.0.2/32\t1700000000\t100\t200\t25\n" +
                            "Bpub=\t(none)\t(none)\t(none)\t0\t0\t0\toff\n";
        var live = WireGuardInterface.ParseDump(dump)!;
        Assert.Equal(new WireGuardLive(Me, 51820, live.Peers), live);
        Assert.DoesNotContain("cHJpdmF0ZQ==", live.ToString());
        Assert.Equal(("192.0.2.1:51820", "10.1.0.2/32", 25), (live.Peers[0].Endpoint, string.Join(",", live.Peers[0].AllowedIps), live.Peers[0].Keepalive));
        Assert.Equal((null as string, 0, 0), (live.Peers[1].Endpoint, live.Peers[1].AllowedIps.Count, live.Peers[1].Keepalive));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), live.Peers[0].LatestHandshake);
        Assert.Null(live.Peers[1].LatestHandshake); // 0: no handshake yet
        Assert.Null(WireGuardInterface.ParseDump(""));
    }
}
