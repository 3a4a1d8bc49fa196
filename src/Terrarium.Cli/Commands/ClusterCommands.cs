using System.CommandLine;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl cluster ...` (SPEC C-1..C-10).</summary>
public static class ClusterCommands
{
    private const string Lifecycle = "issue #3";
    private const string Workloads = "issue #4";

    public static Command Build()
    {
        var cluster = new Command("cluster", "Form and operate a Terrarium cluster on top of LXD clustering");
        cluster.Subcommands.Add(Init());
        cluster.Subcommands.Add(Invite());
        cluster.Subcommands.Add(Join());
        cluster.Subcommands.Add(Status());
        cluster.Subcommands.Add(Move());
        cluster.Subcommands.Add(Evacuate());
        cluster.Subcommands.Add(Restore());
        cluster.Subcommands.Add(Remove());
        cluster.Subcommands.Add(Ovn());
        return cluster;
    }

    private static Option<bool> DryRun() => new("--dry-run") { Description = "Print the plan without changing anything" };

    private static Option<bool> Yes(string what) => new("--yes", "-y") { Description = $"Confirm: {what}" };

    private static Command Init()
    {
        var c = new Command("init", "Bootstrap the first member: LXD clustering, WireGuard mesh, firewall lockdown, OVN PKI and network")
        {
            new Option<string?>("--wireguard-endpoint") { Description = "HOST:PORT other members use to reach this node's WireGuard (default: auto-selected, private address preferred)" },
            new Option<string>("--wireguard-cidr") { Description = "Mesh network", DefaultValueFactory = _ => "10.255.54.0/24" },
            new Option<int>("--wireguard-port") { Description = "WireGuard UDP port", DefaultValueFactory = _ => 51820 },
            new Option<string?>("--member") { Description = "This member's name (default: the LXD server name, else the hostname)" },
            DryRun(),
        };
        c.NotYet(Lifecycle);
        return c;
    }

    private static Command Invite()
    {
        var c = new Command("invite", "Create a join command for a new server: LXD token, reserved mesh address, firewall opening for ADDRESS")
        {
            new Argument<string>("name") { Description = "Name the new member will have" },
            new Argument<string?>("address") { Description = "The new server's IP (default: resolve NAME; asked for on a TTY)", Arity = ArgumentArity.ZeroOrOne },
            new Option<string>("--expires") { Description = "How long the invite stays valid (e.g. 30m, 1h, 2d)", DefaultValueFactory = _ => "1h" },
        };
        c.NotYet(Lifecycle);
        return c;
    }

    private static Command Join()
    {
        var c = new Command("join", "Join this fresh server to a cluster with the command printed by `cluster invite`")
        {
            new Option<string>("--token") { Description = "LXD join token from `cluster invite`", Required = true },
            new Option<string>("--wireguard") { Description = "WireGuard join bundle from `cluster invite`", Required = true },
            new Option<string?>("--wireguard-endpoint") { Description = "HOST:PORT other members use to reach this node (default: auto-selected)" },
            Yes("wipe the local LXD database if this server is not fresh"),
            DryRun(),
        };
        c.NotYet(Lifecycle);
        return c;
    }

    private static Command Status()
    {
        var c = new Command("status", "Members, quorum, mesh handshakes, OVN central set, pending invites and problems with suggested fixes");
        c.NotYet(Lifecycle);
        return c;
    }

    private static Command Move()
    {
        var c = new Command("move", "Move one instance to another member (live if possible, else stop, move, start)")
        {
            new Argument<string>("instance") { Description = "Instance to move" },
            new Argument<string>("member") { Description = "Target member" },
            DryRun(),
        };
        c.NotYet(Workloads);
        return c;
    }

    private static Command Evacuate()
    {
        var c = new Command("evacuate", "Move every instance off MEMBER (balanced) and mark it evacuated")
        {
            new Argument<string>("member") { Description = "Member to evacuate" },
            new Option<int>("--parallel") { Description = "Migrations at once", DefaultValueFactory = _ => 3 },
            Yes("move every instance off the member"),
            DryRun(),
        };
        c.NotYet(Workloads);
        return c;
    }

    private static Command Restore()
    {
        var c = new Command("restore", "Make MEMBER schedulable again and move its evacuated instances back")
        {
            new Argument<string>("member") { Description = "Member to restore" },
            Yes("move the evacuated instances back"),
        };
        c.NotYet(Workloads);
        return c;
    }

    private static Command Remove()
    {
        var c = new Command("remove", "Permanently remove MEMBER from LXD, the mesh, the firewall and the OVN central set")
        {
            new Argument<string>("member") { Description = "Member to remove" },
            new Option<bool>("--move") { Description = "Evacuate its instances (balanced) first" },
            new Option<bool>("--force") { Description = "The member is dead: remove it from the database without contacting it" },
            Yes("remove the member permanently"),
            DryRun(),
        };
        c.NotYet(Lifecycle);
        return c;
    }

    private static Command Ovn()
    {
        var ovn = new Command("ovn", "OVN workload network (terrarium-ovn)");
        var configure = new Command("configure", "Recompute the odd-sized OVN central database set, re-issue certificates, update members and firewall");
        configure.NotYet(Workloads);
        ovn.Subcommands.Add(configure);
        return ovn;
    }
}
