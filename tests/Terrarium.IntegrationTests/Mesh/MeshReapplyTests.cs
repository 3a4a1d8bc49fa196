using Terrarium.IntegrationTests.Support;
using System.Net;
using System.Text.RegularExpressions;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Convergence;

namespace Terrarium.IntegrationTests.Mesh;

/// <summary>
/// M-4 on real wireguard-go: a convergence pass that changes nothing, or only another peer, loses no packet on the
/// tunnels that exist. `wg syncconf` (what every pass ran before) re-binds wireguard-go's UDP socket and re-sets
/// every peer's allowed IPs: this test lost 12 of 3000 with it, and lifecycle S03 lost one of its 500 pings in a CI run.
/// Two namespaces joined by a veth, no LXD: seconds, not a lab.
/// </summary>
[Collection(LabQueue.Lxd)]
public sealed class MeshReapplyTests : IAsyncLifetime
{
    private const string Prefix = "trmitwg";
    private readonly string _root = $"/tmp/terrarium-it-{Prefix}";
    // wireguard-go's control socket is /var/run/wireguard/NAME.sock, shared by the namespaces: one name per node.
    private static MeshSettings Settings(string n) => MeshSettings.Create("10.254.9.0/24", 51820, 1420, $"terrarium-mr{n}");

    public async Task InitializeAsync()
    {
        await DisposeAsync();
        foreach (var n in new[] { "a", "b" }) await Run("ip", "netns", "add", Ns(n));
        await Run("ip", "link", "add", "wgva", "netns", Ns("a"), "type", "veth", "peer", "name", "wgvb", "netns", Ns("b"));
        foreach (var (n, ip) in new[] { ("a", "192.168.254.1/24"), ("b", "192.168.254.2/24") })
        {
            await Run("ip", "-n", Ns(n), "addr", "add", ip, "dev", $"wgv{n}");
            await Run("ip", "-n", Ns(n), "link", "set", $"wgv{n}", "up");
            await Run("ip", "-n", Ns(n), "link", "set", "lo", "up");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var n in new[] { "a", "b" })
        {
            var pids = await SystemProcessRunner.Instance.RunAsync("ip", ["netns", "pids", Ns(n)]);
            foreach (var pid in pids.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)) await SystemProcessRunner.Instance.RunAsync("kill", [pid.Trim()]);
            await SystemProcessRunner.Instance.RunAsync("ip", ["netns", "del", Ns(n)]);
        }
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task M4_passes_that_change_nothing_or_another_peer_lose_no_packet_on_existing_tunnels()
    {
        var (a, b) = (WireGuardKeyPair.Generate(), WireGuardKeyPair.Generate());
        var meshA = new MeshReconciler(Node("a"));
        var meshB = new MeshReconciler(Node("b"));
        var peerB = new WireGuardPeer("b", b.PublicKey, IPAddress.Parse("10.254.9.2"), new HostEndpoint("192.168.254.2", 51820));
        var peerA = new WireGuardPeer("a", a.PublicKey, IPAddress.Parse("10.254.9.1"), new HostEndpoint("192.168.254.1", 51820));
        await meshA.ApplyAsync(Settings("a"), peerA.MeshAddress, [peerB], a);
        await meshB.ApplyAsync(Settings("b"), peerB.MeshAddress, [peerA], b);
        var warm = await Run("ip", "netns", "exec", Ns("b"), "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.254.9.1");
        Assert.True(warm.Ok, "the tunnel never came up: " + warm.StdOut + warm.StdErr);

        // b pings a every 2 ms while a converges again and again: unchanged, then with a joiner's peer added, then removed.
        var ping = SystemProcessRunner.Instance.RunAsync("ip", ["netns", "exec", Ns("b"), "ping", "-q", "-i", "0.002", "-c", "10000", "-W", "1", "10.254.9.1"],
            timeout: TimeSpan.FromSeconds(60));
        var joiner = new WireGuardPeer("c", WireGuardKeyPair.Generate().PublicKey, IPAddress.Parse("10.254.9.3"), null);
        var passes = 0;
        var changed = 0;
        while (!ping.IsCompleted)
        {
            WireGuardPeer[] peers = (passes / 10 % 3) == 1 ? [peerB, joiner] : [peerB];
            if (await meshA.ApplyAsync(Settings("a"), peerA.MeshAddress, peers, a)) changed++;
            passes++;
            await Task.Delay(20);
        }
        var stats = await ping;
        var m = Regex.Match(stats.StdOut, @"(\d+) packets transmitted, (\d+) received");
        Assert.True(m.Success, stats.StdOut + stats.StdErr);
        Assert.True(passes >= 50 && changed >= 2, $"only {passes} passes ({changed} with a change) ran during the ping");
        Assert.True(m.Groups[1].Value == m.Groups[2].Value, $"{stats.StdOut.Trim()} across {passes} passes ({changed} changed a peer)");
    }

    private NodeEnvironment Node(string n) =>
        new(new NodeLayout(Path.Join(_root, n)), ToolPaths.FromEnvironment() with { Runner = new NamespaceRunner(Ns(n)) }, "/nonexistent.socket", _ => { });

    private static string Ns(string n) => $"{Prefix}-{n}";

    private static async Task<ProcessResult> Run(string file, params string[] args) => await SystemProcessRunner.Instance.RunCheckedAsync(file, args);

    /// <summary>Runs every tool inside one network namespace, as that node's own terrariumctl would.</summary>
    private sealed class NamespaceRunner(string ns) : IProcessRunner
    {
        public Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, IReadOnlyDictionary<string, string>? env = null,
            TimeSpan? timeout = null, CancellationToken ct = default) =>
            SystemProcessRunner.Instance.RunAsync("ip", ["netns", "exec", ns, file, .. args], stdin, env, timeout, ct);

        public Task<int> RunInteractiveAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, CancellationToken ct = default) =>
            SystemProcessRunner.Instance.RunInteractiveAsync("ip", ["netns", "exec", ns, file, .. args], env, ct);
    }
}
