using System.Diagnostics;
using System.Text.Json;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Topology;

namespace Terrarium.Bench;

/// <summary>
/// Two servers joining at once against one joining alone. Five standalone lab servers: node1 inits,
/// node2 and node3 join one after the other (single joins), then node4 and node5 join at the same time with
/// invites made beforehand. Prints each join's time and, per join, when each of its steps started (the join's
/// own log lines, stamped as they arrive), so what the concurrent pair waits on shows up.
/// </summary>
public static class ConcurrentJoins
{
    public static async Task<int> RunAsync(string binary, int rounds)
    {
        for (var round = 1; round <= rounds; round++)
        {
            var lab = new LabRunner(LabSpec.Create("trmjoin", 5, "/tmp/terrarium-joins", "10.253.72.0/24"),
                m => Console.Error.WriteLine($"[lab] {m}"), [binary]);
            await lab.DownAsync();
            await lab.UpAsync(LabMode.Standalone);
            try
            {
                var nodes = lab.Spec.NodeSpecs;
                await Checked(lab, nodes[0], "cluster", "init", "--member", "node1");
                await lab.StartAgentAsync(nodes[0]);
                var single = new List<double>();
                foreach (var i in new[] { 1, 2 })
                {
                    var invite = await InviteAsync(lab, nodes[i]);
                    single.Add(await JoinAsync(lab, nodes[i], invite, "single"));
                }
                var invites = new[] { await InviteAsync(lab, nodes[3]), await InviteAsync(lab, nodes[4]) };
                var pair = await Task.WhenAll(JoinAsync(lab, nodes[3], invites[0], "pair"), JoinAsync(lab, nodes[4], invites[1], "pair"));
                Console.WriteLine($"round {round}: single joins {string.Join(" / ", single.Select(s => $"{s:F1} s"))}; " +
                                  $"two at once {string.Join(" / ", pair.Select(s => $"{s:F1} s"))}; " +
                                  $"ratio {pair.Max() / single.Average():F2}x (slower of the pair / mean single)");
            }
            finally
            {
                KeepLogs(lab, $"/tmp/terrarium-joins-logs/round{round}");
                await lab.DownAsync();
            }
        }
        return 0;
    }

    private static async Task<(string Token, string Bundle)> InviteAsync(LabRunner lab, LabNodeSpec node)
    {
        var r = await Checked(lab, lab.Spec.NodeSpecs[0], "--output", "json", "cluster", "invite", node.Name, node.Address.ToString());
        using var json = JsonDocument.Parse(r.StdOut);
        return (json.RootElement.GetProperty("token").GetString()!, json.RootElement.GetProperty("wireguard").GetString()!);
    }

    /// <summary>The join and its agent start, as `lab up` does; its log lines stamped with seconds since it began.</summary>
    private static async Task<double> JoinAsync(LabRunner lab, LabNodeSpec node, (string Token, string Bundle) invite, string kind)
    {
        var clock = Stopwatch.StartNew();
        var join = string.Join(' ', lab.ExecCommandLine(node, ["terrariumctl", "cluster", "join", "--token", invite.Token, "--wireguard", invite.Bundle]).Skip(2).Select(Quote));
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        // The join's exit status comes back on the last line (the pipe would hide it).
        var r = await lab.ExecAsync(node, ["sh", "-c", $"{{ {join} 2>&1; echo \"exit $?\"; }} | while IFS= read -r l; do echo \"$(date +%s.%N) $l\"; done"], TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        foreach (var line in r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ');
            if (space > 0 && double.TryParse(line[..space], System.Globalization.CultureInfo.InvariantCulture, out var at))
                Console.Error.WriteLine($"  {node.Name} ({kind}) +{at - started,5:F1}s {line[(space + 1)..]}");
        }
        var exit = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Split(' ').LastOrDefault();
        if (exit != "0")
        {
            // A failed join is a result, not a time: it resumes when run again, as an operator would.
            Console.WriteLine($"{node.Name} ({kind}): the join failed (exit {exit}) after {seconds:F1} s; running it again");
            return seconds + await JoinAsync(lab, node, invite, kind + ", again");
        }
        await lab.StartAgentAsync(node);
        Console.Error.WriteLine($"{node.Name} ({kind}) joined in {seconds:F1} s");
        return seconds;
    }

    private static async Task<Terrarium.Host.Processes.ProcessResult> Checked(LabRunner lab, LabNodeSpec node, params string[] args)
    {
        var r = await lab.TerrariumctlAsync(node, args);
        if (!r.Ok) throw new InvalidOperationException($"terrariumctl {args[0]} {args[1]} on {node.Name} failed: {r.StdErr}");
        return r;
    }

    /// <summary>Every node's LXD and agent log, copied out before the lab goes (what the pair waited on is in them).</summary>
    private static void KeepLogs(LabRunner lab, string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var n in lab.Spec.NodeSpecs)
            foreach (var f in new[] { n.LxdLog, n.AgentLog }.Where(File.Exists))
                File.Copy(f, Path.Join(dir, $"{n.Name}-{Path.GetFileName(f)}"), overwrite: true);
        Console.Error.WriteLine($"logs kept in {dir}");
    }

    private static string Quote(string word) => $"'{word.Replace("'", "'\\''")}'";
}
