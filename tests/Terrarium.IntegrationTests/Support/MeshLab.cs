using System.Text.Json;
using Terrarium.Host.Processes;
using Terrarium.Lab.Skew;
using Terrarium.Lab.Topology;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// Five fresh LXD servers in namespaces (standalone lab): the cluster scenario forms, grows and shrinks
/// a Terrarium cluster on them with the real terrariumctl, the way an operator would.
/// </summary>
public class MeshLab : LabFixture
{
    public MeshLab() : this("trmitm", 64, null) { }

    /// <summary>The same five servers, answering as <paramref name="behaviour"/> through the lab's skew proxy.</summary>
    protected MeshLab(string prefix, int underlayOctet, LxdBehaviour? behaviour, LabServer server = LabServer.Lxd)
        : base(prefix, 5, underlayOctet, LabMode.Standalone, server, behaviour) { }

    /// <summary>Invites remembered across steps (e.g. to reuse a used token later).</summary>
    public Dictionary<string, (string Token, string Bundle)> Invites { get; } = [];


    public Task<ProcessResult> Ctl(int node, IReadOnlyDictionary<string, string> env, params string[] args) =>
        Lab.TerrariumctlAsync(Node(node), env, args);


    /// <summary>`cluster invite` on <paramref name="on"/> for node <paramref name="node"/> (its underlay address).</summary>
    public async Task<(string Token, string Bundle)> InviteAsync(int on, int node, string expires = "1h")
    {
        var r = await Ctl(on, "--output", "json", "cluster", "invite", $"node{node}", Node(node).Address.ToString(), "--expires", expires);
        Assert.True(r.Ok, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var invite = (json.RootElement.GetProperty("token").GetString()!, json.RootElement.GetProperty("wireguard").GetString()!);
        Invites[$"node{node}"] = invite;
        return invite;
    }

    public static void AssertOk(ProcessResult r) => Terrarium.Tests.Shared.ProcessAssert.Ok(r);

    /// <summary>Polls until <paramref name="condition"/> holds (for what agents do asynchronously).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var started = DateTime.UtcNow;
        var deadline = started + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {timeout.TotalSeconds:0}s waiting for: {what}");
            await Task.Delay(250);
        }
        // A wait that used more than half its bound is named in the run's output: a CI run that later times out
        // on it shows how close the passing runs came.
        var waited = DateTime.UtcNow - started;
        if (waited > timeout / 2)
            Console.Error.WriteLine($"[slow] {waited.TotalSeconds:F0} s of {timeout.TotalSeconds:0} s waiting for: {what}");
    }

    /// <summary>WireGuard peers (public key → latest handshake, null if none) on a node; empty when no interface.</summary>
    public async Task<Dictionary<string, DateTimeOffset?>> PeersAsync(int node)
    {
        var dump = await Exec(node, "wg", "show", "terrarium-wg0", "dump");
        if (!dump.Ok) return [];
        return dump.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => long.Parse(f[4]) is > 0 and var t ? DateTimeOffset.FromUnixTimeSeconds(t) : (DateTimeOffset?)null);
    }

    /// <summary>The elements of the firewall's wg_peers set on a node.</summary>
    public async Task<List<string>> FirewallPeersAsync(int node)
    {
        var r = await Exec(node, "nft", "-j", "list", "set", "inet", "terrarium", "wg_peers");
        if (!r.Ok) return [];
        using var json = JsonDocument.Parse(r.StdOut);
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
            if (item.TryGetProperty("set", out var set))
                return set.TryGetProperty("elem", out var elem) ? elem.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        return [];
    }

    /// <summary>Packets counted by the firewall rule with this comment on a node.</summary>
    public async Task<long> CounterAsync(int node, string comment)
    {
        var r = await Exec(node, "nft", "-j", "list", "table", "inet", "terrarium");
        AssertOk(r);
        using var json = JsonDocument.Parse(r.StdOut);
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("rule", out var rule) || !rule.TryGetProperty("comment", out var c) || c.GetString() != comment) continue;
            foreach (var e in rule.GetProperty("expr").EnumerateArray())
                if (e.TryGetProperty("counter", out var counter)) return counter.GetProperty("packets").GetInt64();
        }
        throw new InvalidOperationException($"no rule '{comment}' on node{node}");
    }
}

/// <summary>A 3-node Terrarium cluster formed by `lab up` (init, invite, join, agents), for workload scenarios.</summary>
public class TerrariumLab : LabFixture
{
    public TerrariumLab() : this("trmitw", 65, null) { }

    /// <summary>The same three servers, answering as <paramref name="behaviour"/> through the lab's skew proxy.</summary>
    protected TerrariumLab(string prefix, int underlayOctet, LxdBehaviour? behaviour, LabServer server = LabServer.Lxd)
        : base(prefix, 3, underlayOctet, LabMode.Terrarium, server, behaviour) { }

    /// <summary>What `doctor` names the daemon as: Debian's real one, or the version the skew proxy presents.</summary>
    public virtual string DaemonVersion => "LXD 5.0.2";

    public string TraefikFile(int node) => new Terrarium.Cluster.Layout.NodeLayout(Node(node).TerrariumRoot).TraefikDynamicFile;
}

/// <summary><see cref="TerrariumLab"/> on real Incus 6.0.4 daemons (`lab up --server incus`).</summary>
public sealed class TerrariumLabIncus() : TerrariumLab("trmitwi", 95, null, LabServer.Incus)
{
    public override string DaemonVersion => "Incus 6.0.4";
}

/// <summary><see cref="MeshLab"/> on five real Incus 6.0.4 daemons.</summary>
public sealed class MeshLabIncus() : MeshLab("trmitpi", 96, null, LabServer.Incus);

/// <summary>A 2-member Terrarium cluster whose nodes answer as snap LXD 5.21.1 (`lab up --nodes 2 --lxd-behaviour 5.21`).</summary>
public sealed class TerrariumPair521() : LabFixture("trmitp5", 2, 98, LabMode.Terrarium, LabServer.Lxd, LxdBehaviour.Lxd521);

/// <summary>
/// A 2-member Terrarium cluster whose nodes answer as LXD 6.9 (`lab up --nodes 2 --lxd-behaviour 6`): its join
/// went through cluster_token; two members are the smallest cluster where 6.x's evacuation quorum check matters.
/// </summary>
public sealed class TerrariumPair6() : LabFixture("trmitq6", 2, 99, LabMode.Terrarium, LabServer.Lxd, LxdBehaviour.Lxd6);
