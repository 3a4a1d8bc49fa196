using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Ovn;
using Terrarium.Operations.Ovn;

namespace Terrarium.UnitTests.Cluster;

public class OvnPlumbingTests
{
    [Theory]
    [InlineData("10.254.0.1/24", "10.254.0.2-10.254.0.222", "10.254.0.223-10.254.0.254")]
    [InlineData("192.168.8.1/28", "192.168.8.2-192.168.8.6", "192.168.8.7-192.168.8.14")]
    public void O1_an_uplink_bridge_lends_its_top_eighth_to_ovn_routers(string bridge, string dhcp, string ovn) =>
        Assert.Equal((dhcp, ovn), UplinkRanges.Plan(bridge));

    [Theory]
    [InlineData("none")]
    [InlineData("10.0.0.1/30")]
    [InlineData("fd42::1/64")]
    public void O1_bridges_without_room_or_ipv4_get_no_plan(string bridge) => Assert.Null(UplinkRanges.Plan(bridge));

    [Theory]
    [InlineData("10.68.111.1/24", "10.68.111.0/24")]
    [InlineData("172.16.5.77/20", "172.16.0.0/20")]
    public void Interface_addresses_give_their_network(string cidr, string network) => Assert.Equal(network, MeshSettings.NetworkOf(cidr));

    [Fact]
    public void O2_raft_status_is_read_with_servers_and_their_reachability()
    {
        var status = RaftStatusParser.Parse("""
            be16
            Name: OVN_Northbound
            Cluster ID: d9d7 (d9d78330-4b62-415e-81a4-da65fb7013ae)
            Server ID: be16 (be164265-178f-471d-b121-70f2cb7dac8d)
            Address: ssl:10.255.54.1:6643
            Status: cluster member
            Role: leader
            Term: 2
            Leader: self
            Vote: self

            Election timer: 1000
            Log: [2, 7]
            Servers:
                3fd9 (3fd9 at ssl:10.255.54.2:6643) next_index=7 match_index=6 last msg 79 ms ago
                becc (becc at ssl:10.255.54.3:6643) next_index=7 match_index=6 last msg 91234 ms ago
                be16 (be16 at ssl:10.255.54.1:6643) (self) next_index=5 match_index=6
            """);
        Assert.Equal(("leader", "cluster member"), (status.Role, status.Status));
        Assert.Equal(["ssl:10.255.54.2:6643", "ssl:10.255.54.3:6643", "ssl:10.255.54.1:6643"], status.Servers.Select(s => s.Address));
        Assert.Equal([true, false, true], status.Servers.Select(s => s.Reachable));
        Assert.True(status.Servers[2].Self);
        Assert.Equal(1000, status.ElectionTimerMs);
        Assert.True(status.HasLeader);
    }

    [Theory]
    [InlineData("Leader: self\n", true)]
    [InlineData("Leader: 3fd9\n", true)]
    [InlineData("Leader: unknown\n", false)]
    [InlineData("", false)]
    public void I8_a_raft_server_knows_whether_its_cluster_has_a_leader(string line, bool hasLeader) =>
        Assert.Equal(hasLeader, RaftStatusParser.Parse($"Status: cluster member\nRole: follower\n{line}").HasLeader);

    [Fact]
    public void I8_lxd_is_pointed_only_at_central_servers_raft_already_counts()
    {
        string[] central = ["10.255.54.1", "10.255.54.2", "10.255.54.3"];
        Assert.Equal(["10.255.54.1", "10.255.54.3"], OvnCentralPlanner.InRaft(central, ["ssl:10.255.54.3:6643", "ssl:10.255.54.1:6643", "ssl:10.255.54.9:6643"]));
        Assert.Equal(central, OvnCentralPlanner.InRaft(central, null));
        Assert.Equal(central, OvnCentralPlanner.InRaft(central, []));
    }

    [Fact]
    public void I8_while_the_central_set_grows_lxd_keeps_a_valid_list_and_changes_once_all_caught_up()
    {
        string[] central = ["10.255.54.1", "10.255.54.2", "10.255.54.3"];
        // 1 -> 3: node2 caught up, node3 not yet: the single-server list LXD has is still good.
        Assert.Equal(["10.255.54.1"], OvnCentralPlanner.NorthboundForLxd(central, ["ssl:10.255.54.1:6643", "ssl:10.255.54.2:6643"], ["10.255.54.1"]));
        Assert.Equal(central, OvnCentralPlanner.NorthboundForLxd(central, central.Select(a => $"ssl:{a}:6643"), ["10.255.54.1"]));
        // a listed server that left the plan or raft is dropped at once
        Assert.Equal(["10.255.54.1", "10.255.54.2"], OvnCentralPlanner.NorthboundForLxd(central, ["ssl:10.255.54.1:6643", "ssl:10.255.54.2:6643"], ["10.255.54.1", "10.255.54.9"]));
        // nothing usable configured yet (LXD's unix: default)
        Assert.Equal(["10.255.54.1"], OvnCentralPlanner.NorthboundForLxd(central, ["ssl:10.255.54.1:6643"], OvnNetworkSettings.Addresses("unix:/var/run/ovn/ovnnb_db.sock")));
        Assert.Equal(["10.255.54.1", "10.255.54.2"], OvnNetworkSettings.Addresses("ssl:10.255.54.1:6641,ssl:10.255.54.2:6641"));
    }

    [Fact]
    public void I8_a_chassis_without_a_member_is_stale() =>
        Assert.Equal(["node4", "old"], OvnChassis.Stale(["node1", "node4", "", "old", "node2", "node4"], ["node1", "node2", "node3"]));

    [Theory]
    [InlineData(1000, 2000)]
    [InlineData(2000, 4000)]
    [InlineData(4000, 5000)]
    [InlineData(5000, null)]
    [InlineData(8000, null)]
    [InlineData(null, null)]
    public void O2_the_election_timer_rises_to_five_seconds_at_most_doubling_per_change(int? current, int? next) =>
        Assert.Equal(next, OvnNetworkSettings.NextElectionTimer(current));

    [Theory]
    [InlineData("cluster member", false)]
    [InlineData("disconnected from the cluster (election timeout)", false)]
    [InlineData("leaving cluster", false)]
    [InlineData("left cluster", true)]
    public void O2_only_a_server_raft_let_go_counts_as_out_of_the_cluster(string status, bool left) =>
        Assert.Equal(left, RaftStatusParser.Parse($"Status: {status}\nRole: follower\n").HasLeft);

    [Fact]
    public void T1_host_port_macs_are_stable_and_locally_administered()
    {
        Assert.Equal(OvnHostPort.Mac("node1"), OvnHostPort.Mac("node1"));
        Assert.NotEqual(OvnHostPort.Mac("node1"), OvnHostPort.Mac("node2"));
        Assert.StartsWith("0a:", OvnHostPort.Mac("node1"));
        Assert.Equal("terrarium-host-node1", OvnHostPort.LogicalPort("node1"));
        Assert.Equal("10.99.0.7", OvnHostPort.AssignedAddress("\"0a:11:22:33:44:55 10.99.0.7\""));
        Assert.Null(OvnHostPort.AssignedAddress("[]"));
        Assert.Null(OvnHostPort.AssignedAddress(""));
    }

    [Fact]
    public void O3_a_member_certificate_is_issued_only_for_its_own_request()
    {
        var now = DateTimeOffset.UtcNow;
        var ca = OvnPki.CreateCa(now);
        var (_, request) = OvnPki.CreateMemberRequest("node2");
        var certificate = OvnPki.Sign(ca, request, "node2", now);
        Assert.True(OvnPki.IsValidFor(certificate, ca.CertificatePem, "node2", now));
        Assert.False(OvnPki.IsValidFor(certificate, ca.CertificatePem, "node3", now));
        Assert.False(OvnPki.IsValidFor(certificate, OvnPki.CreateCa(now).CertificatePem, "node2", now)); // another CA
        Assert.True(OvnPki.Answers(certificate, request));
        Assert.False(OvnPki.Answers(certificate, OvnPki.CreateMemberRequest("node2").RequestPem));
        Assert.Throws<Terrarium.Cluster.Validation.InputException>(() => OvnPki.Sign(ca, request, "node3", now)); // cannot claim another member
        Assert.DoesNotContain("PRIVATE", ca.ToString());
    }

    [Fact]
    public void O3_the_signer_signs_a_request_without_a_current_answer_and_nothing_else()
    {
        var now = DateTimeOffset.UtcNow;
        var ca = OvnPki.CreateCa(now);
        var (_, request) = OvnPki.CreateMemberRequest("node2");
        var issued = OvnPki.Sign(ca, request, "node2", now);
        Assert.False(OvnPki.NeedsSigning(null, ca.CertificatePem, "node2", null, now)); // no request: nothing asked
        Assert.True(OvnPki.NeedsSigning(null, ca.CertificatePem, "node2", request, now));
        Assert.False(OvnPki.NeedsSigning(issued, ca.CertificatePem, "node2", request, now));
        Assert.True(OvnPki.NeedsSigning(issued, ca.CertificatePem, "node2", OvnPki.CreateMemberRequest("node2").RequestPem, now)); // a new key
        Assert.True(OvnPki.NeedsSigning(issued, OvnPki.CreateCa(now).CertificatePem, "node2", request, now)); // the CA was rotated
        Assert.True(OvnPki.NeedsSigning(issued, ca.CertificatePem, "node2", request, now + OvnPki.MemberLifetime - TimeSpan.FromDays(29))); // renewed a month early
    }
}
