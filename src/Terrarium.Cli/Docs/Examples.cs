using System.CommandLine;
using System.CommandLine.Parsing;

namespace Terrarium.Cli.Docs;

/// <summary>One example of a command: what it does, then the line to type (without the leading `terrariumctl`).</summary>
public sealed record Example(string What, string Line);

/// <summary>
/// The Examples section of every command's help (as lxc, incus and kubeadm have), the user guide's own lines first.
/// Keyed by the command's path under terrariumctl; a unit test parses every line and fails a command without one.
/// </summary>
public static class Examples
{
    private static readonly Dictionary<string, Example[]> ByPath = new(StringComparer.Ordinal)
    {
        [""] =
        [
            new("Bootstrap the first server", "cluster init"),
            new("Invite a second server and print its join command", "cluster invite node2 10.0.0.12"),
            new("See members, quorum, mesh and problems", "cluster status"),
        ],
        ["cluster"] =
        [
            new("See members, quorum, mesh and problems", "cluster status"),
            new("Move every instance off node2 before a reboot", "cluster evacuate node2 --yes"),
        ],
        ["cluster init"] =
        [
            new("Bootstrap the first member (endpoint auto-selected, private address preferred)", "cluster init"),
            new("Say which address other members reach this node's WireGuard on", "cluster init --wireguard-endpoint 203.0.113.11:51820"),
            new("Show what init would do, changing nothing", "cluster init --dry-run"),
        ],
        ["cluster invite"] =
        [
            new("Invite node2 (its IP is resolved, or asked for on a terminal)", "cluster invite node2"),
            new("Invite with the IP given, for automation", "cluster invite node2 10.0.0.12"),
            new("An invite that stays valid for a day", "cluster invite node3 10.0.0.13 --expires 1d"),
        ],
        ["cluster invite list"] =
        [
            new("The pending invites and their states", "cluster invite list"),
            new("The same for scripts (never a token)", "cluster invite list -o json"),
        ],
        ["cluster invite revoke"] =
        [
            new("Show what revoking node3's invite would do, changing nothing", "cluster invite revoke node3 --dry-run"),
            new("Revoke it without the question (scripts)", "cluster invite revoke node3 --yes"),
        ],
        ["cluster join"] =
        [
            new("On the new server: paste the line `cluster invite` printed", "cluster join --token '<token-from-existing-member>' --wireguard '<join-bundle>'"),
            new("Check the token and bundle and show the steps, changing nothing", "cluster join --token '<token>' --wireguard '<bundle>' --dry-run"),
        ],
        ["cluster status"] =
        [
            new("The cluster at a glance (exit 0 healthy, 3 problems, 4 cannot tell)", "cluster status"),
            new("For scripts and monitoring", "cluster status -o json"),
        ],
        ["cluster move"] =
        [
            new("Move app1 to node2", "cluster move app1 node2"),
            new("Move an instance of another project", "cluster move web1 node3 --project tenant"),
        ],
        ["cluster evacuate"] =
        [
            new("Before rebooting node2: move its instances to the others", "cluster evacuate node2 --yes"),
            new("Show the balanced plan first, changing nothing", "cluster evacuate node2 --dry-run"),
        ],
        ["cluster restore"] =
        [
            new("After maintenance: node2 takes its instances back", "cluster restore node2 --yes"),
        ],
        ["cluster remove"] =
        [
            new("Decommission node2, moving its instances to the least busy members", "cluster remove node2 --move --yes"),
            new("node2 is dead and will not come back", "cluster remove node2 --force --yes"),
        ],
        ["cluster leave"] =
        [
            new("On a server removed with --force that came back: show what would be reset", "cluster leave --dry-run"),
            new("Reset it, then join it again with a new invite", "cluster leave --yes"),
        ],
        ["cluster ovn"] =
        [
            new("Repair the OVN central set after adding or removing servers", "cluster ovn configure"),
        ],
        ["cluster tls"] =
        [
            new("HTTPS for every route host with Let's Encrypt", "cluster tls configure --acme-directory https://acme-v02.api.letsencrypt.org/directory --email ops@example.com"),
        ],
        ["cluster tls configure"] =
        [
            new("HTTPS for every route host with Let's Encrypt, plain HTTP redirected", "cluster tls configure --acme-directory https://acme-v02.api.letsencrypt.org/directory --email ops@example.com --https-redirect"),
            new("A private ACME server whose HTTPS has its own root", "cluster tls configure --acme-directory https://ca.internal:14000/dir --email ops@example.com --ca-root /etc/ssl/private-ca.pem"),
            new("Back to HTTP only", "cluster tls configure --off --yes"),
        ],
        ["cluster ovn configure"] =
        [
            new("Repair the OVN central set and the firewall", "cluster ovn configure"),
            new("Keep at most three OVN database servers", "cluster ovn configure --max 3 --yes"),
        ],
        ["route"] =
        [
            new("Every published route and the members that serve it", "route list"),
        ],
        ["route list"] =
        [
            new("Every route of every project", "route list"),
            new("The same as YAML", "route list -o yaml"),
        ],
        ["route set"] =
        [
            new("Publish app1's port 8080 as app.example.com", "route set app1 web app.example.com:8080"),
            new("A path prefix on a shared host", "route set api1 api example.com/api:9000"),
        ],
        ["route unset"] =
        [
            new("Withdraw app1's route named web", "route unset app1 web"),
        ],
        ["reconfigure"] =
        [
            new("Converge this node now (the agent does it by itself)", "reconfigure"),
        ],
        ["agent"] =
        [
            new("What terrarium-agent.service runs", "agent"),
            new("Resync every minute instead of every 30 s", "agent --resync-interval 1m"),
        ],
        ["mesh"] =
        [
            new("Bring the mesh and firewall back from local files", "mesh restore"),
        ],
        ["mesh restore"] =
        [
            new("What terrarium-mesh.service runs at boot, before LXD", "mesh restore"),
        ],
        ["doctor"] =
        [
            new("Check a server before init or join", "doctor"),
            new("Also show each LXD request and program run, secrets redacted", "doctor --debug"),
            new("The same for scripts", "doctor -o json"),
        ],
        ["version"] =
        [
            new("This binary's version and the daemon's", "version"),
            new("For scripts", "version -o json"),
        ],
        ["lab"] =
        [
            new("A three-member cluster on this machine", "lab up --nodes 3"),
        ],
        ["lab up"] =
        [
            new("A three-member Terrarium cluster, one LXD per network namespace", "lab up --nodes 3"),
            new("The same on Incus", "lab up --nodes 3 --server incus"),
        ],
        ["lab down"] =
        [
            new("Stop every lab daemon and remove what the lab made", "lab down"),
        ],
        ["lab status"] =
        [
            new("The lab's nodes, addresses and LXD state", "lab status"),
        ],
        ["lab exec"] =
        [
            new("Cluster status as node2 sees it", "lab exec node2 terrariumctl cluster status"),
            new("A shell inside node1", "lab exec node1"),
        ],
        ["lab restart-lxd"] =
        [
            new("Restart node2's LXD daemon", "lab restart-lxd node2"),
        ],
        ["lab stop-lxd"] =
        [
            new("Stop node2's LXD daemon (what `cluster leave` runs in the lab through TERRARIUM_LXD_STOP)", "lab stop-lxd node2"),
        ],
        ["lab start-lxd"] =
        [
            new("Start node2's LXD daemon and wait until it is ready", "lab start-lxd node2"),
        ],
        ["lab reboot"] =
        [
            new("Power-cycle node2 and node3 at the same moment", "lab reboot node2 node3"),
        ],
        ["lab lxd-proxy"] =
        [
            new("Answer as LXD 5.21 in front of a real socket", "lab lxd-proxy --listen /run/proxy.socket --upstream /var/lib/lxd/unix.socket --behaviour 5.21"),
        ],
        ["completion"] =
        [
            new("Install bash completion", "completion bash"),
            new("zsh", "completion zsh"),
            new("fish (member, instance and route names come from LXD as you type, in every shell)", "completion fish"),
        ],
        ["man"] =
        [
            new("Read the manual page", "man"),
        ],
        ["units"] =
        [
            new("Write the systemd units for a package", "units --dir debian/tmp/lib/systemd/system"),
        ],
        ["help"] =
        [
            new("The help of one command", "help cluster evacuate"),
        ],
    };

    /// <summary>The examples of <paramref name="path"/> ("cluster status"; "" for terrariumctl itself); none when it has none.</summary>
    public static IReadOnlyList<Example> For(string path) => ByPath.TryGetValue(path, out var examples) ? examples : [];

    public static IEnumerable<string> Paths => ByPath.Keys;

    /// <summary>The help section: a comment line per example, then the command, as lxc prints them.</summary>
    public static string Section(string path)
    {
        var examples = For(path);
        if (examples.Count == 0) return "";
        return "Examples:\n" + string.Join("\n", examples.Select(e => $"  # {e.What}\n  terrariumctl {e.Line}\n"));
    }

    /// <summary>A command's path under terrariumctl, as the catalogue keys it.</summary>
    public static string PathOf(CommandResult? command)
    {
        var names = new List<string>();
        for (var r = command; r is not null && r.Command is not RootCommand; r = r.Parent as CommandResult) names.Insert(0, r.Command.Name);
        return string.Join(' ', names);
    }
}
