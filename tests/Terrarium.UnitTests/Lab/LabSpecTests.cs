using Terrarium.Cluster.Validation;
using Terrarium.Lab.Topology;

namespace Terrarium.UnitTests.Lab;

public class LabSpecTests
{
    [Fact]
    public void Nodes_get_namespaces_addresses_and_own_roots()
    {
        var spec = LabSpec.Create("trm", 3, "/var/lib/terrarium-lab", "10.253.0.0/24");
        Assert.Equal(["node1", "node2", "node3"], spec.NodeSpecs.Select(n => n.Name));
        Assert.Equal(["trm-node1", "trm-node2", "trm-node3"], spec.NodeSpecs.Select(n => n.Namespace));
        Assert.Equal(["10.253.0.11", "10.253.0.12", "10.253.0.13"], spec.NodeSpecs.Select(n => n.Address.ToString()));
        Assert.Equal("/var/lib/terrarium-lab/node2/lxd/unix.socket", spec.NodeSpecs[1].LxdSocket);
        Assert.Equal("/var/lib/terrarium-lab/node2/root", spec.NodeSpecs[1].TerrariumRoot);
        Assert.Equal("10.253.0.1", spec.HostAddress.ToString());
        Assert.Equal("trm-host", spec.HostVeth);
    }

    [Theory]
    [InlineData("Trm", 3, "/x", "10.253.0.0/24", "prefix")]
    [InlineData("averylongprefix", 3, "/x", "10.253.0.0/24", "prefix")]
    [InlineData("trm", 0, "/x", "10.253.0.0/24", "--nodes")]
    [InlineData("trm", 10, "/x", "10.253.0.0/24", "--nodes")]
    [InlineData("trm", 3, "relative", "10.253.0.0/24", "absolute")]
    [InlineData("trm", 3, "/x", "10.253.0.0/16", "/24")]
    [InlineData("trm", 3, "/x", "10.253.0.5/24", "/24")]
    [InlineData("trm", 3, "/x", "banana", "/24")]
    public void X1_bad_lab_input_is_one_clear_sentence(string prefix, int nodes, string root, string underlay, string mentions)
    {
        var e = Assert.Throws<InputException>(() => LabSpec.Create(prefix, nodes, root, underlay));
        Assert.Contains(mentions, e.Message);
        Assert.EndsWith(".", e.Message);
    }
}
