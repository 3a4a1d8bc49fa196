using System.CommandLine;
using System.Text;

namespace Terrarium.Cli.Docs;

/// <summary>terrariumctl(1) in roff, generated from the command tree: every command, option and exit code.</summary>
public static class ManPage
{
    public static string Render(RootCommand root, string version, DateOnly date)
    {
        var entries = CommandTree.Walk(root);
        var s = new StringBuilder();
        s.AppendLine($".TH TERRARIUMCTL 1 \"{date:yyyy-MM-dd}\" \"terrarium {Esc(version)}\" \"User Commands\"");
        s.AppendLine(".SH NAME");
        s.AppendLine(@"terrariumctl \- turn several LXD or Incus servers into one Terrarium cluster");
        s.AppendLine(".SH SYNOPSIS");
        s.AppendLine(@".B terrariumctl
[\fIGLOBAL OPTIONS\fR] \fICOMMAND\fR [\fIOPTIONS\fR] [\fIARGUMENTS\fR]");
        s.AppendLine(".SH DESCRIPTION");
        s.AppendLine(Esc(root.Description ?? ""));
        s.AppendLine(".PP");
        s.AppendLine("LXD owns membership, database replication and placement; Terrarium adds an encrypted WireGuard full mesh " +
                     "that carries all cluster traffic, a locked-down firewall, the OVN workload network and its PKI, workload " +
                     "operations and Traefik routing on every node.");
        s.AppendLine(".SH GLOBAL OPTIONS");
        foreach (var o in entries[0].Options) Option(s, o);
        Commands(s, entries);
        Trailer(s);
        return s.ToString();
    }

    private static void Commands(StringBuilder s, IReadOnlyList<CommandEntry> entries)
    {
        s.AppendLine(".SH COMMANDS");
        foreach (var e in entries.Skip(1))
        {
            var args = string.Concat(e.Arguments.Select(a => $" \\fI{Esc(CommandTree.Usage(a))}\\fR"));
            var opts = e.Options.Except(entries[0].Options).Where(o => o.Name != "--help").ToList();
            s.AppendLine($".SS \"terrariumctl {Esc(e.Path)}{(opts.Count > 0 ? " [options]" : "")}\"");
            if (args.Length > 0) s.AppendLine($".B terrariumctl {Esc(e.Path)}{(opts.Count > 0 ? " [options]" : "")}{args}").AppendLine(".br");
            s.AppendLine(Esc(e.Command.Description ?? ""));
            foreach (var a in e.Arguments)
                s.AppendLine(".TP").AppendLine($".I {Esc(a.Name.ToUpperInvariant())}").AppendLine(Esc(a.Description ?? ""));
            foreach (var o in opts) Option(s, o);
            foreach (var example in Examples.For(e.Path))
                s.AppendLine(".PP").AppendLine($"{Esc(example.What)}:").AppendLine(".nf").AppendLine($"    terrariumctl {Esc(example.Line)}").AppendLine(".fi");
        }
    }

    /// <summary>Exit status, environment, files and see also: the same for every build.</summary>
    private static void Trailer(StringBuilder s)
    {
        s.AppendLine(".SH EXIT STATUS");
        s.AppendLine(".TP\n.B 0\nSuccess (also for a command that found nothing to do).");
        s.AppendLine(".TP\n.B 1\nThe operation failed (LXD, a host tool or the network refused); re-running resumes where it stopped.");
        s.AppendLine(".TP\n.B 2\nBad usage or bad input: one sentence on standard error, and nothing was changed.");
        s.AppendLine(".TP\n.B 3\ncluster status only: it answered and lists a warning or an error (each with its fix).");
        s.AppendLine(".TP\n.B 4\ncluster status only: LXD's database did not answer, so the cluster's health cannot be judged.");
        s.AppendLine(".SH ENVIRONMENT");
        s.AppendLine(@".TP
.B TERRARIUM_ROOT
Root prefix for every host path (as \-\-root).
.TP
.B LXD_DIR, INCUS_SOCKET, INCUS_DIR
Where the local LXD or Incus socket is (as \-\-lxd\-socket).
.TP
.B TERRARIUM_DEBUG
1: log each LXD request and host program run to standard error, secrets redacted (as \-\-debug).
.TP
.B TERRARIUM_IP, TERRARIUM_WG, TERRARIUM_WIREGUARD_GO, TERRARIUM_NFT, TERRARIUM_UFW, TERRARIUM_SYSTEMCTL, TERRARIUM_OVS_VSCTL, TERRARIUM_OVN_NBCTL, ...
Paths of the external programs Terrarium runs.");
        s.AppendLine(".SH FILES");
        s.AppendLine(@".TP
.I /etc/terrarium/node.json
This server's member name and mesh address.
.TP
.I /etc/terrarium/secrets/
WireGuard and OVN private keys (0600).
.TP
.I /etc/wireguard/terrarium\-wg0.conf, /etc/terrarium/nftables.conf
The mesh and firewall, restored at boot by terrarium\-mesh.service.
.TP
.I /etc/traefik/dynamic/terrarium\-cluster.yml
Routes for Traefik's file provider.");
        s.AppendLine(".SH SEE ALSO");
        s.AppendLine(@"\fBlxc\fR(1), \fBincus\fR(1), \fBwg\fR(8), \fBnft\fR(8), /usr/share/doc/terrarium/README.md");
    }

    private static void Option(StringBuilder s, Option o)
    {
        var names = string.Join(", ", o.Aliases.Prepend(o.Name).Where(CommandEntry.IsPosixSpelling).Distinct().OrderByDescending(n => n.StartsWith("--", StringComparison.Ordinal)).Select(Esc));
        var value = o.ValueType == typeof(bool) || o.Arity.MaximumNumberOfValues == 0 ? "" : $" \\fI{Esc(o.HelpName ?? o.Name.TrimStart('-').ToUpperInvariant())}\\fR";
        var fallback = value.Length > 0 && o.HasDefaultValue && o.GetDefaultValue() is { } d && d.ToString() is { Length: > 0 } text ? $" (default: {text})" : "";
        s.AppendLine(".TP").AppendLine($".B {names}{value}").AppendLine(Esc((o.Description ?? "") + fallback));
    }

    /// <summary>The page's date: $SOURCE_DATE_EPOCH when set (reproducible builds), else today.</summary>
    public static DateOnly Date() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), out var epoch)
            ? DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(epoch).UtcDateTime)
            : DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>roff escaping: backslashes, hyphens (so they are not typeset as dashes), leading dots and quotes.</summary>
    private static string Esc(string text)
    {
        var t = text.Replace("\\", "\\e").Replace("-", "\\-");
        return t.StartsWith('.') || t.StartsWith('\'') ? "\\&" + t : t;
    }
}
