using System.Net;
using System.Text.RegularExpressions;
using Terrarium.Cluster.Validation;

namespace Terrarium.Lab.Topology;

/// <summary>
/// What a lab is: N nodes, each in its own network namespace on one underlay bridge, each with its own
/// LXD daemon and Terrarium root. Pure: computes names, addresses and paths; touches nothing.
/// </summary>
public sealed partial record LabSpec(string Prefix, int Nodes, string Root, IPAddress UnderlayNetwork)
{
    public const string DefaultPrefix = "trm";
    public const string DefaultRoot = "/var/lib/terrarium-lab";
    public static readonly IPAddress DefaultUnderlay = IPAddress.Parse("10.253.0.0");
    public const int MaxNodes = 9;

    /// <summary>Which daemon each node runs: Debian's LXD, or Incus (Debian bookworm-backports' incus-base).</summary>
    public LabServer Server { get; init; } = LabServer.Lxd;

    /// <summary>The LXD version each node's commands see through a skew proxy in front of its real LXD (null: none).</summary>
    public Skew.LxdBehaviour? Behaviour { get; init; }

    /// <summary>Validates user input and returns the spec; throws <see cref="InputException"/>.</summary>
    public static LabSpec Create(string prefix, int nodes, string root, string underlayCidr)
    {
        if (!PrefixPattern().IsMatch(prefix))
            throw new InputException($"Lab prefix '{prefix}' is invalid: use 1-8 lowercase letters or digits, starting with a letter.");
        if (nodes is < 1 or > MaxNodes)
            throw new InputException($"--nodes must be between 1 and {MaxNodes}, got {nodes}.");
        if (!Path.IsPathFullyQualified(root))
            throw new InputException($"Lab root '{root}' must be an absolute path.");
        var parts = underlayCidr.Split('/');
        if (parts.Length != 2 || parts[1] != "24" || !IPAddress.TryParse(parts[0], out var net) ||
            net.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || net.GetAddressBytes()[3] != 0)
            throw new InputException($"Underlay '{underlayCidr}' must be an IPv4 /24 network such as 10.253.0.0/24.");
        return new LabSpec(prefix, nodes, root, net);
    }

    [GeneratedRegex("^[a-z][a-z0-9]{0,7}$")]
    private static partial Regex PrefixPattern();

    public string HubNamespace => $"{Prefix}-hub";
    public string HostVeth => $"{Prefix}-host";
    public string BridgeName => "br0";
    public string UnderlayCidr => $"{UnderlayNetwork}/24";
    public IPAddress HostAddress => Offset(1);
    public string StateFile => Path.Join(Root, "lab.json");
    public string NsRunScript => Path.Join(Root, "nsrun.sh");
    public string ImageTarball => Path.Join(Root, "busybox.tar.gz");

    public IReadOnlyList<LabNodeSpec> NodeSpecs =>
        Enumerable.Range(1, Nodes).Select(i => new LabNodeSpec(
            Index: i,
            Name: $"node{i}",
            Namespace: $"{Prefix}-node{i}",
            HubPort: $"n{i}",
            Address: Offset(10 + i),
            Dir: Path.Join(Root, $"node{i}")) { Proxied = Behaviour is not null }).ToList();

    private IPAddress Offset(int host)
    {
        var b = UnderlayNetwork.GetAddressBytes();
        b[3] = (byte)host;
        return new IPAddress(b);
    }
}

/// <summary>One lab node: its namespace, underlay address and directories.</summary>
public sealed record LabNodeSpec(int Index, string Name, string Namespace, string HubPort, IPAddress Address, string Dir)
{
    public string LxdDir => Path.Join(Dir, "lxd");
    public string LxdSocket => Path.Join(LxdDir, "unix.socket");

    /// <summary>Whether the node's commands reach LXD through the lab's skew proxy (`lab up --lxd-behaviour`).</summary>
    public bool Proxied { get; init; }

    /// <summary>The folder whose unix.socket is the proxy's; the node's LXD_DIR when <see cref="Proxied"/>.</summary>
    public string ProxyDir => Path.Join(Dir, "lxd-proxy");
    public string ProxyLog => Path.Join(Dir, "lxd-proxy.log");
    public string ProxyPidFile => Path.Join(Dir, "lxd-proxy.pid");

    /// <summary>The LXD_DIR the node's commands use: the proxy's folder when there is one, else LXD's own.</summary>
    public string ApiDir => Proxied ? ProxyDir : LxdDir;

    /// <summary>The socket the node's clients talk to (the proxy's, or LXD's own).</summary>
    public string ApiSocket => Path.Join(ApiDir, "unix.socket");
    public string LxdLog => Path.Join(Dir, "lxd.log");
    public string TerrariumRoot => Path.Join(Dir, "root");
    public string PidFile => Path.Join(Dir, "lxd.pid");
    public string AgentLog => Path.Join(Dir, "agent.log");
    public string AgentPidFile => Path.Join(Dir, "agent.pid");

    /// <summary>
    /// Bound over /run/wireguard for this node's commands: wireguard-go's UAPI socket path is fixed at compile
    /// time and not per network namespace, so each node needs its own (shared/lab-notes/realstack-net.md).
    /// </summary>
    public string WireGuardRunDir => Path.Join(Dir, "run-wireguard");
}

/// <summary>The daemon a lab node runs.</summary>
public enum LabServer
{
    Lxd,
    Incus,
}

/// <summary>What `lab up` forms from the nodes.</summary>
public enum LabMode
{
    /// <summary>A Terrarium cluster: `cluster init` on node1, `invite` + `join` for the others, an agent per node.</summary>
    Terrarium,

    /// <summary>Separate LXD servers, each seeded; nothing formed (tests drive init/invite/join themselves).</summary>
    Standalone,

    /// <summary>A plain LXD cluster over the underlay, without Terrarium (for LXD client tests).</summary>
    LxdCluster,
}
