using Terrarium.IntegrationTests.Support;
using System.Text.Json;
using Terrarium.Host.Processes;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Topology;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Lab;

/// <summary>`lab up`, `lab status` and `lab down` through the real binary: down leaves nothing behind.</summary>
[Collection(LabQueue.Lxd)]
public class LabLifecycleTests
{
    [Fact]
    public async Task Lab_up_status_down_through_the_cli_leaves_nothing_behind()
    {
        var dir = Path.Join(Path.GetTempPath(), "terrarium-it-trmitd");
        string[] common = ["lab", "--prefix", "trmitd", "--lab-dir", dir, "--underlay", "10.253.63.0/24"];
        await Terrariumctl.RunAsync([.. common, "down"]);

        var up = await Terrariumctl.RunAsync([.. common, "up", "--nodes", "1", "--standalone"]);
        Assert.True(up.Ok, up.StdErr);
        Assert.True(File.Exists("/run/netns/trmitd-node1"));

        var again = await Terrariumctl.RunAsync([.. common, "up", "--nodes", "1"]);
        ProcessAssert.Exit(1, again);
        Assert.Contains("already exists", again.StdErr);

        var status = await Terrariumctl.RunAsync([.. common, "status", "--output", "json"]);
        Assert.True(status.Ok, status.StdErr);
        using var json = JsonDocument.Parse(status.StdOut);
        var node = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("node1", node.GetProperty("name").GetString());
        Assert.StartsWith("LXD ", node.GetProperty("lxd").GetString());
        var pid = node.GetProperty("daemon_pid").GetInt32();

        var down = await Terrariumctl.RunAsync([.. common, "down"]);
        Assert.True(down.Ok, down.StdErr);
        Assert.False(File.Exists("/run/netns/trmitd-node1"));
        Assert.False(File.Exists("/run/netns/trmitd-hub"));
        Assert.False(Directory.Exists(dir));
        Assert.False(ProcessControl.IsAlive(pid));
        Assert.Empty(ProcessControl.FindByCommandLine(Path.Join(dir, "node")));

        var downAgain = await Terrariumctl.RunAsync([.. common, "down"]);
        Assert.True(downAgain.Ok, downAgain.StdErr);
    }
}
