using System.Net;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Convergence;

namespace Terrarium.UnitTests.Operations;

/// <summary>A reconciler driven without a host — files under a scratch root, programs answered by a fake runner.</summary>
public sealed class SeamTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-seam-").FullName;
    private readonly RecordingRunner _runner = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private NodeEnvironment Node() => new(new NodeLayout(_root), ToolPaths.FromEnvironment() with { Runner = _runner }, "/nonexistent.socket", _ => { });

    [Fact]
    public async Task M4_the_mesh_reconciler_creates_the_interface_once_and_then_changes_only_the_peers_that_differ()
    {
        var interfaceExists = false;
        string? dump = null;
        _runner.Answer = line => line.EndsWith("link show dev terrarium-wg0") && !interfaceExists ? new ProcessResult(1, "", "Device does not exist")
            : line.EndsWith("show terrarium-wg0 dump") && dump is not null ? new ProcessResult(0, dump, "") : null;
        var mesh = new MeshReconciler(Node());
        var key = WireGuardKeyPair.Generate();
        var node2 = WireGuardKeyPair.Generate().PublicKey;
        var settings = MeshSettings.Create("10.77.0.0/24", 51820);
        WireGuardPeer[] peers = [new("node2", node2, IPAddress.Parse("10.77.0.2"), HostEndpoint.Parse("192.0.2.2:51820", 51820))];

        Assert.True(await mesh.ApplyAsync(settings, IPAddress.Parse("10.77.0.1"), peers, key));
        interfaceExists = true;
        var first = _runner.Commands.ToList();
        var config = Path.Join(_root, "etc/wireguard/terrarium-wg0.conf");
        Assert.Contains(first, c => c.EndsWith("link add dev terrarium-wg0 type wireguard"));
        Assert.Contains(first, c => c.EndsWith("address replace 10.77.0.1/24 dev terrarium-wg0"));
        Assert.Contains(first, c => c.EndsWith($"syncconf terrarium-wg0 {config}")); // a new interface gets the whole file
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config)); // it holds the private key
        Assert.Contains("192.0.2.2:51820", File.ReadAllText(config));

        // Live and desired agree: nothing is sent (syncconf would re-bind wireguard-go's socket and drop packets).
        dump = $"(hidden)\t{key.PublicKey}\t51820\toff\n{node2}\t(none)\t192.0.2.2:51820\t10.77.0.2/32\t0\t0\t0\t25\n";
        _runner.Commands.Clear();
        Assert.False(await mesh.ApplyAsync(settings, IPAddress.Parse("10.77.0.1"), peers, key));
        Assert.DoesNotContain(_runner.Commands, c => c.Contains("link add") || c.Contains("syncconf") || c.Contains("set terrarium-wg0 peer"));

        // A hand edit of one peer is healed with `wg set` for that peer only.
        dump = $"(hidden)\t{key.PublicKey}\t51820\toff\n{node2}\t(none)\t192.0.2.2:51820\t10.77.0.9/32\t0\t0\t0\t25\n";
        _runner.Commands.Clear();
        Assert.True(await mesh.ApplyAsync(settings, IPAddress.Parse("10.77.0.1"), peers, key));
        Assert.Contains(_runner.Commands, c => c.EndsWith($"set terrarium-wg0 peer {node2} allowed-ips 10.77.0.2/32"));
        Assert.DoesNotContain(_runner.Commands, c => c.Contains("syncconf"));
    }

    [Fact]
    public async Task A3_host_adapters_run_the_overridden_binary_through_the_runner()
    {
        var tools = ToolPaths.FromEnvironment() with { Runner = _runner, Systemctl = "/opt/test/systemctl" };
        var systemctl = new Terrarium.Host.Systemd.Systemctl(tools);
        await systemctl.EnableAsync("terrarium-agent.service", startNow: true);
        await systemctl.StopWithoutWaitingAsync("terrarium-agent.service");
        Assert.Equal(["/opt/test/systemctl enable --now terrarium-agent.service", "/opt/test/systemctl stop --no-block terrarium-agent.service"], _runner.Commands);
    }

    [Fact]
    public async Task A3_a_failing_program_becomes_a_process_failure_with_its_first_error_line()
    {
        _runner.Answer = _ => new ProcessResult(2, "", "RTNETLINK answers: Operation not permitted\nmore");
        var e = await Assert.ThrowsAsync<ProcessFailedException>(() => new Terrarium.Host.Network.IpLink(ToolPaths.FromEnvironment() with { Runner = _runner }, "x0")
            .SetAddressAndUpAsync("10.0.0.1", 24, 1420));
        Assert.Contains("RTNETLINK answers: Operation not permitted", e.Message);
        Assert.DoesNotContain("more", e.Message);
    }
}
