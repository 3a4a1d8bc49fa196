using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Host.Processes;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Skew;
using Terrarium.Lab.Topology;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl lab up|down|status`: a local multi-node cluster in network namespaces (root only).</summary>
public static class LabCommands
{
    private static readonly Option<string> Prefix = new("--prefix")
    { Description = "Name prefix for the lab's namespaces (1-8 lowercase letters/digits)", DefaultValueFactory = _ => LabSpec.DefaultPrefix, Recursive = true };

    private static readonly Option<string> LabDir = new("--lab-dir")
    { Description = "Folder holding every node's LXD and Terrarium root", DefaultValueFactory = _ => LabSpec.DefaultRoot, Recursive = true };

    private static readonly Option<string> Underlay = new("--underlay")
    { Description = "Underlay /24 shared by the nodes (node i gets .1i, the host .1)", DefaultValueFactory = _ => "10.253.0.0/24", Recursive = true };

    public static Command Build()
    {
        var lab = new Command("lab", "Run a local multi-node cluster: one network namespace and one real LXD daemon per node");
        lab.Options.Add(Prefix);
        lab.Options.Add(LabDir);
        lab.Options.Add(Underlay);

        lab.Subcommands.Add(Up());
        lab.Subcommands.Add(Down());
        lab.Subcommands.Add(Status());
        lab.Subcommands.Add(Exec());
        lab.Subcommands.Add(RestartLxd());
        lab.Subcommands.Add(StopLxd());
        lab.Subcommands.Add(StartLxd());
        lab.Subcommands.Add(Reboot());
        lab.Subcommands.Add(ProxyCommand());
        return lab;
    }

    private static Command Up()
    {
        var nodes = ValueOptions.Whole("--nodes", $"Number of nodes (1-{LabSpec.MaxNodes})", 1, LabSpec.MaxNodes, 3, "-n");
        var standalone = new Option<bool>("--standalone") { Description = "Leave the nodes as separate LXD servers (form the cluster yourself with `lab exec`)" };
        var lxdOnly = new Option<bool>("--lxd-only") { Description = "Form a plain LXD cluster over the underlay, without Terrarium" };
        var server = new Option<string>("--server") { Description = "Daemon each node runs: lxd (Debian's) or incus (bookworm-backports' incus-base)", DefaultValueFactory = _ => "lxd" };
        server.AcceptOnlyFromAmong("lxd", "incus");
        var behaviour = ValueOptions.Judged(new Option<string?>("--lxd-behaviour")
        {
            HelpName = "5.21|6|incus",
            Description = "Answer the nodes' commands as LXD 5.21, LXD 6 (6.9) or Incus (6.0.4) would, through a proxy in front of each real LXD " +
                          "(wait envelope, join token field, hidden keys, 6.9's evacuation quorum refusal)",
        }, name => LxdBehaviour.Parse(name));
        var up = new Command("up", "Create the nodes, start their LXD daemons and form a Terrarium cluster (init, invite, join, agents)")
        {
            nodes, standalone, lxdOnly, server, behaviour,
        };
        up.SetHandler(async (pr, ct) =>
        {
            var runner = Runner(pr, pr.GetValue(nodes), pr.GetValue(server) == "incus" ? LabServer.Incus : LabServer.Lxd,
                pr.GetValue(behaviour) is { } b ? LxdBehaviour.Parse(b) : null);
            if (pr.GetValue(standalone) && pr.GetValue(lxdOnly))
                throw new Terrarium.Cluster.Validation.InputException("--standalone and --lxd-only exclude each other; pick one.");
            if (runner.Spec.Behaviour is not null && runner.Spec.Server == LabServer.Incus)
                throw new Terrarium.Cluster.Validation.InputException("--lxd-behaviour proxies Debian's LXD; leave out --server incus.");
            RequireRoot();
            var mode = pr.GetValue(standalone) ? LabMode.Standalone : pr.GetValue(lxdOnly) ? LabMode.LxdCluster : LabMode.Terrarium;
            await runner.UpAsync(mode, ct);
            await PrintStatusAsync(runner, pr, ct);
            return ExitCodes.Ok;
        });
        return up;
    }

    private static Command Exec()
    {
        var node = new Argument<string>("node") { Description = "Node name, e.g. node2" };
        var command = new Argument<string[]>("command") { Description = "Command to run there (default: a shell); `terrariumctl` means this binary", Arity = ArgumentArity.ZeroOrMore };
        var exec = new Command("exec", "Run a command inside a node: its network namespace, Terrarium root, LXD and /run/wireguard") { node, command };
        exec.SetHandler(async (pr, ct) =>
        {
            RequireRoot();
            var runner = RunnerFromState(pr);
            var target = FindNode(runner, pr.GetValue(node)!);
            var words = pr.GetValue(command) is { Length: > 0 } given ? given : ["/bin/bash"];
            var line = runner.ExecCommandLine(target, words);
            return await SystemProcessRunner.Instance.RunInteractiveAsync(line[0], line.Skip(1), runner.CommandEnvironment(target), ct);
        });
        return exec;
    }

    private static Command Down()
    {
        var down = new Command("down", "Stop every lab daemon and remove the namespaces and files the lab made");
        down.SetHandler(async (pr, ct) =>
        {
            RequireRoot();
            await RunnerFromState(pr).DownAsync(ct);
            return ExitCodes.Ok;
        });
        return down;
    }

    private static Command Status()
    {
        var status = new Command("status", "Show the lab's nodes, their addresses and LXD state");
        status.SetHandler(async (pr, ct) =>
        {
            await PrintStatusAsync(RunnerFromState(pr), pr, ct);
            return ExitCodes.Ok;
        });
        return status;
    }

    private static Command RestartLxd() => DaemonControl("restart-lxd", "Restart one node's LXD daemon (the lab's `systemctl restart lxd`)", (r, n, ct) => r.RestartLxdAsync(n, ct));

    private static Command StopLxd() => DaemonControl("stop-lxd", "Stop one node's LXD daemon (the lab's `systemctl stop lxd`)", (r, n, ct) => r.StopLxdAsync(n, ct));

    private static Command StartLxd() => DaemonControl("start-lxd", "Start one node's LXD daemon and wait until it is ready (the lab's `systemctl start lxd`)",
        (r, n, ct) => r.StartLxdAndWaitAsync(n, ct));

    private static Command DaemonControl(string name, string description, Func<LabRunner, LabNodeSpec, CancellationToken, Task> action)
    {
        var node = new Argument<string>("node") { Description = "Node name, e.g. node2" };
        var command = new Command(name, description) { node };
        command.SetHandler(async (pr, ct) =>
        {
            RequireRoot();
            var runner = RunnerFromState(pr);
            await action(runner, FindNode(runner, pr.GetValue(node)!), ct);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Reboot()
    {
        var rebootNodes = new Argument<string[]>("nodes") { Description = "Node names, e.g. node2 node3 (rebooted at the same moment)", Arity = ArgumentArity.OneOrMore };
        var reboot = new Command("reboot", "Power-cycle nodes: kill every process, drop links, firewall and runtime state, then boot them by their units") { rebootNodes };
        reboot.SetHandler(async (pr, ct) =>
        {
            RequireRoot();
            var runner = RunnerFromState(pr);
            await runner.RebootAsync(pr.GetValue(rebootNodes)!.Select(n => FindNode(runner, n)).ToList(), ct);
            return ExitCodes.Ok;
        });
        return reboot;
    }

    /// <summary>`lab lxd-proxy`: one node's skew proxy, started by `lab up --lxd-behaviour` (hidden: not for people).</summary>
    private static Command ProxyCommand()
    {
        var listen = new Option<string>("--listen") { Description = "Unix socket to answer on", Required = true };
        var upstream = new Option<string>("--upstream") { Description = "The real LXD unix socket", Required = true };
        var behaviour = ValueOptions.Judged(new Option<string>("--behaviour") { Description = "5.21, 6 or incus", Required = true }, name => LxdBehaviour.Parse(name));
        var proxy = new Command("lxd-proxy", "Answer as another LXD version in front of a real LXD socket") { listen, upstream, behaviour };
        proxy.Hidden = true;
        proxy.SetHandler(async (pr, ct) =>
        {
            var target = LxdBehaviour.Parse(pr.GetValue(behaviour)!);
            await new SkewProxy(pr.GetValue(listen)!, pr.GetValue(upstream)!, target, m => Console.Error.WriteLine($"lxd-proxy: {m}")).RunAsync(ct);
            return ExitCodes.Ok;
        });
        return proxy;
    }

    private static LabRunner Runner(ParseResult pr, int nodes, LabServer server = LabServer.Lxd, LxdBehaviour? behaviour = null) =>
        new(LabSpec.Create(pr.GetValue(Prefix)!, nodes, pr.GetValue(LabDir)!, pr.GetValue(Underlay)!) with { Server = server, Behaviour = behaviour }, Log, Self());

    /// <summary>How this very binary is started again inside a node (NativeAOT binary, or dotnet + dll).</summary>
    private static IReadOnlyList<string> Self()
    {
        var exe = Environment.ProcessPath ?? "terrariumctl";
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? [exe, Environment.GetCommandLineArgs()[0]] : [exe];
    }

    private static void Log(string message) => Console.Error.WriteLine($"lab: {message}");

    /// <summary>down/status use what `lab up` recorded; with no record, every possible node name is checked.</summary>
    private static LabRunner RunnerFromState(ParseResult pr)
    {
        var dir = pr.GetValue(LabDir)!;
        var state = LabState.Load(Path.Join(dir, "lab.json"));
        return state is null
            ? Runner(pr, LabSpec.MaxNodes)
            : new LabRunner(LabSpec.Create(state.Prefix, state.Nodes, dir, state.Underlay) with
            {
                Server = state.Server, Behaviour = state.Behaviour is { } b ? LxdBehaviour.Parse(b) : null,
            }, Log, Self());
    }

    private static async Task PrintStatusAsync(LabRunner runner, ParseResult pr, CancellationToken ct)
    {
        var rows = await runner.StatusAsync(ct);
        var table = new TableData(["NODE", "NAMESPACE", "ADDRESS", "MESH ADDRESS", "LXD", "CLUSTERED", "AGENT", "INSTANCES", "LXD SOCKET"],
            rows.Select(r => (IReadOnlyList<string>)[r.Name, r.Namespace, r.Address, r.MeshAddress ?? "-", r.Lxd, r.Clustered ? "yes" : "no",
                r.AgentPid is { } pid ? $"pid {pid}" : "-", r.Instances?.ToString() ?? "-", r.LxdSocket]).ToList());
        CommonOptions.Print(pr, rows, LabJsonContext.Default.ListLabNodeStatus, table);
    }

    private static LabNodeSpec FindNode(LabRunner runner, string name) =>
        !File.Exists(runner.Spec.StateFile)
            ? throw new Terrarium.Cluster.Validation.InputException($"No lab is up under {runner.Spec.Root}; run `terrariumctl lab up` first.")
            : runner.Spec.NodeSpecs.FirstOrDefault(n => n.Name == name)
        ?? throw new Terrarium.Cluster.Validation.InputException($"The lab has no node '{name}' (nodes: {string.Join(", ", runner.Spec.NodeSpecs.Select(n => n.Name))}).");

    private static void RequireRoot()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsUidZero())
            throw new Terrarium.Cluster.Validation.InputException("The lab needs root (network namespaces, LXD daemons); run it with sudo.");
    }

    private static bool IsUidZero() => File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:"))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
}
