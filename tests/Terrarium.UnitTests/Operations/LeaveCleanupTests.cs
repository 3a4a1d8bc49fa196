using Terrarium.Cluster.Layout;
using Terrarium.Host.Ovn;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Operations.Convergence;

namespace Terrarium.UnitTests.Operations;

/// <summary>What a member that left the cluster takes down of its own (LXD's mesh listen addresses, OVS bridges, links).</summary>
public sealed class LeaveCleanupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-leave-").FullName;
    private readonly RecordingRunner _runner = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("10.255.54.3:8443", true)]
    [InlineData("10.255.54.3", true)]
    [InlineData("10.255.54.30:8443", false)]
    [InlineData("10.253.0.13:8443", false)]
    [InlineData("[::]:8443", false)]
    [InlineData(":8443", false)]
    [InlineData("lxd.example.com:8443", false)]
    [InlineData("", false)]
    public void I8_a_left_member_unsets_only_listen_addresses_on_its_mesh_address(string value, bool unset)
    {
        var config = new Dictionary<string, string> { ["core.https_address"] = value, ["cluster.https_address"] = value, ["core.trust_password"] = "10.255.54.3:8443" };
        var keys = MeshListenAddresses.Unset(config, "10.255.54.3");
        Assert.Equal(unset ? MeshListenAddresses.Keys.Order().ToArray() : [], keys.Keys.Order().ToArray());
        Assert.All(keys.Values, Assert.Null);
    }

    [Fact]
    public void I8_ipv6_mesh_addresses_are_compared_as_addresses()
    {
        var config = new Dictionary<string, string> { ["core.https_address"] = "[fd00:0::3]:8443" };
        Assert.Equal(["core.https_address"], MeshListenAddresses.Unset(config, "fd00::3").Keys);
    }

    [Fact]
    public async Task I8_leaving_deletes_the_clusters_ovs_bridges_and_chassis_settings_and_the_geneve_plumbing()
    {
        var layout = new NodeLayout(_root);
        var tools = ToolPaths.FromEnvironment() with { Runner = _runner };
        var ovn = new OvnRuntime(tools, layout);
        Directory.CreateDirectory(layout.OvsRunDir);
        File.WriteAllText(Path.Join(layout.OvsRunDir, "ovsdb-server.pid"), Environment.ProcessId.ToString()); // "running"
        _runner.Answer = line => line.EndsWith("rule show") ? new ProcessResult(0, "0:\tfrom all lookup local\n50:\tfrom all iif terrarium-wg0 lookup 6081\n32766:\tfrom all lookup main\n", "") : null;

        await new GeneveOverMesh(tools, ovn).RemoveAsync();
        await ovn.ForgetChassisAsync();

        Assert.Contains(_runner.Commands, c => c.EndsWith("link del mesh-k"));
        Assert.Contains(_runner.Commands, c => c.EndsWith("rule del pref 50"));
        Assert.Contains(_runner.Commands, c => c.EndsWith("route flush table 6081"));
        Assert.DoesNotContain(_runner.Commands, c => c.Contains("rule add pref 0")); // the local table was still at the front
        var vsctl = Assert.Single(_runner.Commands, c => c.Contains("del-br"));
        Assert.Contains("--if-exists del-br br-int -- --if-exists del-br br-mesh", vsctl);
        Assert.Contains("remove Open_vSwitch . external_ids ovn-remote ovn-encap-type ovn-encap-ip", vsctl);
    }

    [Fact]
    public async Task I8_leaving_puts_the_local_table_back_in_front_when_geneve_had_moved_it()
    {
        var tools = ToolPaths.FromEnvironment() with { Runner = _runner };
        _runner.Answer = line => line.EndsWith("rule show") ? new ProcessResult(0, "50:\tfrom all iif terrarium-wg0 lookup 6081\n100:\tfrom all lookup local\n", "") : null;
        await new GeneveOverMesh(tools, new OvnRuntime(tools, new NodeLayout(_root))).RemoveAsync();
        var add = _runner.Commands.FindIndex(c => c.EndsWith("rule add pref 0 lookup local"));
        var del = _runner.Commands.FindIndex(c => c.EndsWith("rule del pref 100 lookup local"));
        Assert.True(add >= 0 && del > add, string.Join('\n', _runner.Commands));
    }

    [Fact]
    public async Task I8_no_open_vswitch_running_means_nothing_to_ask_it()
    {
        var tools = ToolPaths.FromEnvironment() with { Runner = _runner };
        await new OvnRuntime(tools, new NodeLayout(_root)).ForgetChassisAsync();
        Assert.Empty(_runner.Commands);
    }
}
