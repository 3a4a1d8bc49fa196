using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Status;
using Terrarium.Operations.Status;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster status` (SPEC C-4): one screen, or `--output json` for scripts; the exit code says healthy (0), problems (3) or cannot tell (4).</summary>
public static class StatusCommand
{
    public static Command Build()
    {
        var c = new Command("status", "Members, quorum, mesh handshakes, OVN central set, pending invites and problems with suggested fixes; exit 0 healthy, 3 problems listed, 4 LXD's database did not answer");
        c.SetHandler(async (pr, ct) =>
        {
            var report = await new StatusCollector(CommonOptions.Node(pr)).CollectAsync(ct);
            if (!CommonOptions.Write(pr, report, StatusJsonContext.Default.StatusReport, () => Members(report))) Console.Write(Render(report));
            return ExitCodes.Of(StatusVerdict.Of(report));
        });
        return c;
    }

    /// <summary>The members table (csv's rows too).</summary>
    public static TableData Members(StatusReport r) =>
        new(["NAME", "STATUS", "ROLES", "MESH ADDRESS", "ENDPOINT", "HANDSHAKE", "OVERLAY", "INSTANCES", "MEMORY"],
            r.Members.Select(m => (IReadOnlyList<string>)[
                m.IsSelf ? $"{m.Name}*" : m.Name, m.Reachable ? m.Status : $"{m.Status} (unreachable)", m.Roles.Count == 0 ? "-" : string.Join(",", m.Roles),
                m.MeshAddress ?? "-", string.IsNullOrEmpty(m.Endpoint) ? "-" : m.Endpoint,
                m.IsSelf ? "(self)" : m.HandshakeAgeSeconds is { } s ? $"{StatusAnalyzer.Age(s)} ago" : "never",
                m.IsSelf ? "-" : m.Overlay ?? "-",
                m.Instances.ToString(), m.MemoryUsedBytes is { } b ? $"{b / (1024 * 1024)}MiB" : "-"]).ToList());

    public static string Render(StatusReport r)
    {
        var text = new System.Text.StringBuilder();
        if (r.Initialised)
        {
            var q = r.Quorum;
            text.Append($"Cluster: {r.Members.Count} member(s), mesh {r.Mesh?.Cidr} on {r.Mesh?.Interface} (UDP {r.Mesh?.Port}), this node: {r.Self}\n");
            text.Append($"Quorum:  {(r.LxdMembersKnown ? global::Terrarium.Cluster.Config.Quorum.Describe(q.VotersOnline, q.Voters) : "unknown: LXD's database did not answer; members as Terrarium recorded them")}\n\n");
            text.Append(TableWriter.Render(Members(r)));
            if (r.Invites.Count > 0)
            {
                text.Append("\nInvites:\n");
                text.Append(TableWriter.Render(InviteCommands.Table(r.Invites)));
            }
        }
        if (r.Ovn is { } ovn)
        {
            text.Append($"\nOVN central set: {string.Join(", ", ovn.Central)} (CA held by {ovn.CaHolder}; northbound {ovn.Northbound})\n");
            foreach (var raft in ovn.LocalRaft)
                text.Append($"  {raft.Database}: this node is {raft.Role}; raft servers: {string.Join(", ", raft.Servers)}\n");
        }
        if (r.Certificates is { } certificates)
        {
            text.Append("\nHTTPS certificates (one ACME account for the cluster):\n");
            if (certificates.Count == 0) text.Append("  no route hosts yet\n");
            foreach (var c in certificates) text.Append($"  {c.Host}: {Terrarium.Cluster.Validation.EchoText.Escaped(c.Summary, 300)}\n");
        }
        text.Append(r.Problems.Count == 0 ? "\nNo problems found.\n" : "\nProblems:\n");
        foreach (var p in r.Problems)
            text.Append($"  [{p.Severity.Label()}] {p.Message}\n          fix: {p.Fix}\n");
        return text.ToString();
    }
}
