using System.Net;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Convergence;

namespace Terrarium.UnitTests.Operations;

/// <summary>Issue #10: a reconciler driven without a host — files under a scratch root, programs answered by a fake runner.</summary>
public sealed class SeamTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-seam-").FullName;
    private readonly RecordingRunner _runner = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private NodeEnvironment Node() => new(new NodeLayout(_root), ToolPaths.FromEnvironment() with { Runner = _runner }, "/nonexistent.socket", _ => { });

    [Fact]
    public async Task M4_the_mesh_reconciler_creates_the_interface_once_and_then_only_syncs_it()
    {
        var interfaceExists = false;
        _runner.Answer = line => line.EndsWith("link show dev terrarium-wg0") && !interfaceExists ? new ProcessResult(1, "", "Device does not exist") : null;
        var mesh = new MeshReconciler(Node());
        var key = WireGuardKeyPair.Generate();
        var settings = MeshSettings.Create("10.77.0.0/24", 51820);
        WireGuardPeer[] peers = [new("node2", WireGuardKeyPair.Generate().PublicKey, IPAddress.Parse("10.77.0.2"), HostEndpoint.Parse("192.0.2.2:51820", 51820))];

        Assert.True(await mesh.ApplyAsync(settings, IPAddress.Parse("10.77.0.1"), peers, key));
        interfaceExists = true;
        var first = _runner.Commands.ToList();
        _runner.Commands.Clear();
        Assert.False(await mesh.ApplyAsync(settings, IPAddress.Parse("10.77.0.1"), peers, key));

        Assert.Contains(first, c => c.EndsWith("link add dev terrarium-wg0 type wireguard"));
        Assert.Contains(first, c => c.EndsWith("address replace 10.77.0.1/24 dev terrarium-wg0"));
        Assert.DoesNotContain(_runner.Commands, c => c.Contains("link add"));
        var config = Path.Join(_root, "etc/wireguard/terrarium-wg0.conf");
        Assert.Contains(_runner.Commands, c => c.EndsWith($"syncconf terrarium-wg0 {config}"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config)); // it holds the private key
        Assert.Contains("192.0.2.2:51820", File.ReadAllText(config));
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
