using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Status;

namespace Terrarium.UnitTests.Cluster;

public class StatusRecordedMembersTests
{
    [Fact]
    public void The_members_read_back_from_this_nodes_wireguard_configuration_are_the_peers_it_was_rendered_with()
    {
        var text = WireGuardConfigRenderer.Render("PRIVATE", 51820,
        [
            new("node3", "K3", IPAddress.Parse("10.255.54.3"), null),
            new("node2", "K2", IPAddress.Parse("10.255.54.2"), HostEndpoint.Parse("10.0.0.12:51820", 51820)),
        ]);
        var members = RecordedMembers.FromWireGuardConfig(text);
        Assert.Equal([("node2", "K2", "10.255.54.2", "10.0.0.12:51820"), ("node3", "K3", "10.255.54.3", "")],
            members.Select(m => (m.Name, m.PublicKey, m.MeshAddress, m.Endpoint)));
        Assert.Empty(RecordedMembers.FromWireGuardConfig(""));
    }

    [Fact]
    public void A_shared_configuration_that_did_not_load_in_time_is_said_and_judges_no_mesh_records()
    {
        var config = new SharedConfig(new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            [new MemberRecord { Name = "node1", MeshAddress = "10.255.54.1" }], [], []);
        var members = new[] { "node1", "node2", "node3" }.Select(n => new LxdMemberView(n, "Online", "", ["database"])).ToList();
        var local = new LocalObservations(null, true, true, new Dictionary<string, int>(), new Dictionary<string, long>()) { SharedConfigTimedOut = true };
        var r = StatusAnalyzer.Analyze("node1", config, members, local, DateTimeOffset.UnixEpoch);
        var p = Assert.Single(r.Problems);
        Assert.Equal("Terrarium's shared configuration did not load in time: the mesh records shown are this node's own copy.", p.Message);
        Assert.True(r.LxdMembersKnown);
        Assert.Equal((3, 3, 1, true), (r.Quorum.Voters, r.Quorum.VotersOnline, r.Quorum.TolerableFailures, r.Quorum.HasQuorum));
    }
}
