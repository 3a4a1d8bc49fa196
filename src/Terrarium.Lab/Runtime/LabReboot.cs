using Terrarium.Host.Processes;
using Terrarium.Lab.Topology;

namespace Terrarium.Lab.Runtime;

/// <summary>
/// `lab reboot NODE…` as a power cycle would do it. Every process of the node dies at once (LXD and its
/// helpers, the containers, wireguard-go, the agent, OVS/OVN), links other than lo and the underlay go, the node's
/// nftables ruleset and runtime folders are emptied; then what boot starts is started in the order the node's
/// installed units say (units ordered before LXD/Incus, the daemon, units ordered after it).
/// </summary>
public sealed partial class LabRunner
{
    private static readonly string[] DaemonUnits = ["lxd.service", "snap.lxd.daemon.service", "incus.service"];

    /// <param name="daemonWait">How long boot waits for the daemon to be ready before it starts the units ordered after it
    /// anyway, as systemd does once the daemon's unit has failed or timed out (a server the cluster removed while it
    /// was down never gets ready).</param>
    public async Task RebootAsync(IReadOnlyList<LabNodeSpec> nodes, CancellationToken ct = default, TimeSpan? daemonWait = null)
    {
        foreach (var node in nodes) await PowerOffAsync(node);
        log($"{string.Join(", ", nodes.Select(n => n.Name))}: powered off");
        await Task.WhenAll(nodes.Select(n => BootAsync(n, daemonWait ?? TimeSpan.FromSeconds(60), ct)));
    }

    private async Task PowerOffAsync(LabNodeSpec node)
    {
        var containers = await LocalInstancePidsAsync(node);
        var pids = new List<int>();
        var inNs = await NamespaceShell.IpQuiet("netns", "pids", node.Namespace);
        pids.AddRange(inNs.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        pids.AddRange(ProcessControl.FindByCommandLine(node.Dir + "/"));
        pids.AddRange(ContainerProcesses(containers));
        foreach (var pid in pids.Distinct()) ProcessControl.Signal(pid, ProcessControl.SigKill);
        await ProcessControl.TerminateAsync(pids.Distinct().ToList(), TimeSpan.FromSeconds(5));

        var links = await NamespaceShell.IpQuiet("-n", node.Namespace, "-o", "link", "show");
        foreach (var line in links.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(':', 3)[1].Trim().Split('@')[0];
            if (name is not ("lo" or "eth0")) await NamespaceShell.IpQuiet("-n", node.Namespace, "link", "del", name);
        }
        await SystemProcessRunner.Instance.RunAsync("ip", ["netns", "exec", node.Namespace, "nft", "flush", "ruleset"]);
        foreach (var dir in new[] { Path.Join(node.TerrariumRoot, "run"), node.WireGuardRunDir })
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        foreach (var file in new[] { node.PidFile, node.AgentPidFile, node.LxdSocket, node.ProxyPidFile }) File.Delete(file);
    }

    /// <summary>Runs the node's units around its daemon, in the order their Before=/After= lines put them.</summary>
    private async Task BootAsync(LabNodeSpec node, TimeSpan daemonWait, CancellationToken ct)
    {
        var units = BootUnit.Read(Path.Join(node.TerrariumRoot, "etc/systemd/system"), Path.Join(node.TerrariumRoot, "lib/systemd/system"));
        foreach (var unit in units.Where(u => u.Before.Intersect(DaemonUnits).Any()))
        {
            var r = await ExecAsync(node, unit.ExecStart, TimeSpan.FromMinutes(2), ct: ct);
            log($"{node.Name}: {unit.Name} {(r.Ok ? "done" : $"failed: {r.FirstErrorLine}")}");
        }
        await StartLxdAsync(node);
        await StartProxyAsync(node); // part of the lab, not of the server: there whenever the daemon is
        try
        {
            await WaitLxdAsync(node, ct, daemonWait);
        }
        catch (LabException e)
        {
            log($"{node.Name}: {e.Message} The units after it start anyway, as systemd starts them after a failed start.");
        }
        foreach (var unit in units.Where(u => u.After.Intersect(DaemonUnits).Any() && !u.Before.Intersect(DaemonUnits).Any()))
        {
            var pid = await NamespaceShell.StartDetachedAsync(node.AgentLog, CommandEnvironment(node), [Spec.NsRunScript, node.Namespace, .. unit.ExecStart]);
            if (unit.Name == "terrarium-agent.service") await File.WriteAllTextAsync(node.AgentPidFile, pid.ToString(), ct);
            log($"{node.Name}: {unit.Name} started");
        }
    }

    /// <summary>The init process of each running container on the node.</summary>
    private async Task<IReadOnlyList<int>> LocalInstancePidsAsync(LabNodeSpec node)
    {
        using var client = Client(node);
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var info = await client.GetServerAsync(quick.Token);
            return (await client.GetInstancesWithStateAsync(ct: quick.Token))
                .Where(i => !info.Environment.ServerClustered || i.Location == node.Name)
                .Select(i => i.State?.Pid ?? 0).Where(pid => pid > 0).ToList();
        }
        catch (Exception e) when (e is Lxd.LxdException or OperationCanceledException)
        {
            return [];
        }
    }

    /// <summary>
    /// Processes in a container's cgroup (lxc.payload.NAME, read from its init process) or below it: they live in the
    /// container's own network namespace. liblxc gives a second container of the same name another cgroup
    /// (lxc.payload.NAME-1), so another lab's container of that name is never taken.
    /// </summary>
    private static IEnumerable<int> ContainerProcesses(IReadOnlyCollection<int> inits)
    {
        var groups = inits.SelectMany(CgroupPaths).Where(g => g.Contains("lxc.payload.", StringComparison.Ordinal)).ToHashSet();
        if (groups.Count == 0) yield break;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (CgroupPaths(pid).Any(p => groups.Contains(p) || groups.Any(g => p.StartsWith(g + "/", StringComparison.Ordinal))))
                yield return pid;
        }
    }

    /// <summary>The cgroup paths of a process, one per hierarchy ("N:controllers:/path").</summary>
    private static IEnumerable<string> CgroupPaths(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/cgroup"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(':', 3)).Where(f => f.Length == 3).Select(f => f[2]).ToList();
    }
}

/// <summary>The parts of a systemd unit that say when and what it starts.</summary>
public sealed record BootUnit(string Name, IReadOnlyList<string> Before, IReadOnlyList<string> After, IReadOnlyList<string> ExecStart)
{
    /// <summary>Every *.service in the folders (earlier folders win, as /etc over /lib).</summary>
    public static IReadOnlyList<BootUnit> Read(params string[] folders) =>
        folders.Where(Directory.Exists).SelectMany(f => Directory.GetFiles(f, "*.service")).GroupBy(Path.GetFileName)
            .Select(g => Parse(Path.GetFileName(g.First()), File.ReadAllText(g.First()))).OrderBy(u => u.Name, StringComparer.Ordinal).ToList();

    public static BootUnit Parse(string name, string text)
    {
        string[] Values(string key) => text.Split('\n').Where(l => l.StartsWith(key + "=", StringComparison.Ordinal))
            .SelectMany(l => l[(key.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        return new BootUnit(name, Values("Before"), Values("After"), Values("ExecStart"));
    }
}
