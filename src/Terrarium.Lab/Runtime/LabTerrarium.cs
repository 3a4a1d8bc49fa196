using System.Text.Json;
using Terrarium.Host.Processes;
using Terrarium.Lab.Topology;

namespace Terrarium.Lab.Runtime;

/// <summary>Running terrariumctl inside a node, and forming a Terrarium cluster the way a user would.</summary>
public sealed partial class LabRunner
{
    private IReadOnlyList<string> Terrariumctl =>
        terrariumctl ?? throw new LabException("This lab runner was not told where terrariumctl is.");

    /// <summary>
    /// Where each node's agent answers HTTP-01 challenges: its underlay address, on Pebble's default validation port, so
    /// a test CA reaches it without Traefik (on a server, Traefik routes port 80's challenge path to 127.0.0.1:8089).
    /// </summary>
    public const int AcmeResponderPort = 5002;

    /// <summary>What a command in a node sees: its own Terrarium root, its own LXD, its own /run/wireguard.</summary>
    public static IReadOnlyDictionary<string, string> NodeEnvironment(LabNodeSpec node) => new Dictionary<string, string>
    {
        ["TERRARIUM_ACME_RESPONDER"] = $"{node.Address}:{AcmeResponderPort}",
        ["TERRARIUM_ROOT"] = node.TerrariumRoot,
        ["LXD_DIR"] = node.ApiDir,
        ["INCUS_DIR"] = node.ApiDir,
        [NamespaceShell.WireGuardRunVariable] = node.WireGuardRunDir,
    };

    /// <summary>The node's environment plus the lab's stand-in for `systemctl restart lxd` (terrariumctl may need it).</summary>
    public IReadOnlyDictionary<string, string> CommandEnvironment(LabNodeSpec node) => new Dictionary<string, string>(NodeEnvironment(node))
    {
        ["TERRARIUM_LXD_RESTART"] = LabCommandLine(node, "restart-lxd"),
        ["TERRARIUM_LXD_STOP"] = LabCommandLine(node, "stop-lxd"),
        ["TERRARIUM_LXD_START"] = LabCommandLine(node, "start-lxd"),
    };

    /// <summary>`terrariumctl lab … VERB NODE` for this lab: what a node's daemon control runs instead of systemctl.</summary>
    private string LabCommandLine(LabNodeSpec node, string verb) =>
        string.Join(' ', [.. Terrariumctl.Select(Quote), "lab", "--prefix", Spec.Prefix, "--lab-dir", Quote(Spec.Root), "--underlay", Spec.UnderlayCidr, verb, node.Name]);

    /// <summary>Runs a command inside a node (network namespace + private mounts), capturing its output.</summary>
    public Task<ProcessResult> ExecAsync(LabNodeSpec node, IEnumerable<string> command, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? extraEnvironment = null, CancellationToken ct = default)
    {
        var env = new Dictionary<string, string>(CommandEnvironment(node));
        foreach (var (k, v) in extraEnvironment ?? new Dictionary<string, string>()) env[k] = v;
        return SystemProcessRunner.Instance.RunAsync(Spec.NsRunScript, [node.Namespace, .. command], env: env, timeout: timeout ?? TimeSpan.FromMinutes(5), ct: ct);
    }

    /// <summary>The command line that runs <paramref name="command"/> inside a node (for interactive use).</summary>
    public IReadOnlyList<string> ExecCommandLine(LabNodeSpec node, IEnumerable<string> command) =>
        [Spec.NsRunScript, node.Namespace, .. command.SelectMany((word, i) => i == 0 && word == "terrariumctl" ? Terrariumctl : [word])];

    public Task<ProcessResult> TerrariumctlAsync(LabNodeSpec node, params string[] args) => ExecAsync(node, [.. Terrariumctl, .. args]);

    public Task<ProcessResult> TerrariumctlAsync(LabNodeSpec node, IReadOnlyDictionary<string, string> extraEnvironment, params string[] args) =>
        ExecAsync(node, [.. Terrariumctl, .. args], extraEnvironment: extraEnvironment);

    /// <summary>
    /// terrariumctl on a pseudo-terminal (util-linux `script`), as an operator at a console runs it, with
    /// <paramref name="typed"/> typed in (e.g. "y"); the output is the terminal's (stdout and stderr together).
    /// </summary>
    public Task<ProcessResult> TerrariumctlOnTerminalAsync(LabNodeSpec node, string typed, params string[] args) =>
        ExecAsync(node, ["sh", "-c", $"printf '%s\\n' {Quote(typed)} | script -qec {Quote(string.Join(' ', Terrariumctl.Concat(args).Select(Quote)))} /dev/null"]);

    /// <summary>Kills every process in a node's network namespace: the server "loses power".</summary>
    public async Task KillNodeAsync(LabNodeSpec node)
    {
        var inNs = await NamespaceShell.IpQuiet("netns", "pids", node.Namespace);
        var pids = inNs.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        foreach (var pid in pids) ProcessControl.Signal(pid, ProcessControl.SigKill);
        await ProcessControl.TerminateAsync(pids, TimeSpan.FromSeconds(5));
    }

    /// <summary>Starts `terrariumctl agent` in a node, detached (what systemd does on a real server).</summary>
    public async Task<int> StartAgentAsync(LabNodeSpec node, TimeSpan? resyncInterval = null)
    {
        string[] args = ["agent", .. resyncInterval is { } r ? new[] { "--resync-interval", $"{r.TotalSeconds}s" } : []];
        var pid = await NamespaceShell.StartDetachedAsync(node.AgentLog, CommandEnvironment(node), [Spec.NsRunScript, node.Namespace, .. Terrariumctl, .. args]);
        await File.WriteAllTextAsync(node.AgentPidFile, pid.ToString());
        return pid;
    }

    /// <summary>
    /// The node's skew proxy (`lab lxd-proxy`), detached inside the node like its daemon, so a killed or
    /// rebooted node loses it too; its socket is the node's LXD_DIR from then on.
    /// </summary>
    private async Task StartProxyAsync(LabNodeSpec node)
    {
        if (Spec.Behaviour is not { } behaviour) return;
        var pid = await NamespaceShell.StartDetachedAsync(node.ProxyLog, new Dictionary<string, string>(),
            [Spec.NsRunScript, node.Namespace, .. Terrariumctl, "lab", "lxd-proxy", "--listen", node.ApiSocket, "--upstream", node.LxdSocket, "--behaviour", behaviour.Name]);
        await File.WriteAllTextAsync(node.ProxyPidFile, pid.ToString());
    }

    private static string Quote(string word) => $"'{word.Replace("'", "'\\''")}'";

    public async Task StopAgentAsync(LabNodeSpec node)
    {
        if (File.Exists(node.AgentPidFile) && int.TryParse(await File.ReadAllTextAsync(node.AgentPidFile), out var pid))
            await ProcessControl.TerminateAsync([pid], TimeSpan.FromSeconds(10));
    }

    /// <summary>init on node1, then for every other node: invite on node1, join on the node, start its agent.</summary>
    private async Task FormTerrariumClusterAsync(CancellationToken ct)
    {
        var first = Spec.NodeSpecs[0];
        await CheckedAsync(first, "cluster", "init", "--member", first.Name);
        await StartAgentAsync(first);
        log($"{first.Name}: cluster initialised");
        foreach (var node in Spec.NodeSpecs.Skip(1))
        {
            ct.ThrowIfCancellationRequested();
            var invite = await CheckedAsync(first, "--output", "json", "cluster", "invite", node.Name, node.Address.ToString());
            using var json = JsonDocument.Parse(invite.StdOut);
            var token = json.RootElement.GetProperty("token").GetString()!;
            var bundle = json.RootElement.GetProperty("wireguard").GetString()!;
            var joining = System.Diagnostics.Stopwatch.StartNew();
            var joined = await CheckedAsync(node, "cluster", "join", "--token", token, "--wireguard", bundle);
            await StartAgentAsync(node);
            // What the join waited for, if anything (LXD's next heartbeat, the workload network): the lab's figures say it.
            var waits = joined.StdErr.Split('\n').Where(l => l.Contains("waiting", StringComparison.Ordinal)).Select(l => l.Trim());
            log($"{node.Name}: joined in {joining.Elapsed.TotalSeconds:0.0} s{string.Concat(waits.Select(w => $"; {w}"))}");
        }
    }

    private async Task<ProcessResult> CheckedAsync(LabNodeSpec node, params string[] args)
    {
        var result = await TerrariumctlAsync(node, args);
        if (!result.Ok)
        {
            var error = result.StdErr.Split('\n').LastOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal)) ?? result.FirstErrorLine;
            throw new LabException($"`terrariumctl {string.Join(' ', args.Where(a => !a.StartsWith("--token") && a.Length < 40))}` on {node.Name} failed: {error}");
        }
        return result;
    }

    /// <summary>The mesh address a node's Terrarium identity records, if it has joined.</summary>
    private static string? MeshAddressOf(LabNodeSpec node)
    {
        var file = new Cluster.Layout.NodeLayout(node.TerrariumRoot).NodeIdentityFile;
        if (!File.Exists(file)) return null;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            return json.RootElement.TryGetProperty("mesh_address", out var a) ? a.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
