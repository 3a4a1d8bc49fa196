using System.Text.RegularExpressions;

namespace Terrarium.Host.Ovn;

/// <summary>
/// Reads `ovs-appctl cluster/status DB`. The lines used:
/// <code>
/// Status: cluster member   (a removed server says "left cluster"; one never joined "joining cluster")
/// Role: leader
/// Leader: self             (another server's id, or "unknown" during an election)
/// Election timer: 1000
/// Servers:
///     206b (206b at ssl:10.255.54.2:6643) next_index=21 match_index=20 ...
///     d070 (d070 at ssl:10.255.54.1:6643) (self) next_index=2 match_index=20
/// </code>
/// </summary>
public static partial class RaftStatusParser
{
    public static RaftStatus Parse(string text)
    {
        string Field(string name) => text.Split('\n').Select(l => l.Trim())
            .FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim() ?? "";
        var servers = new List<RaftServer>();
        var inServers = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("Servers:", StringComparison.Ordinal)) { inServers = true; continue; }
            if (!inServers) continue;
            var m = ServerLine().Match(line);
            if (!m.Success) break;
            int? lastMessage = m.Groups["ms"].Success ? int.Parse(m.Groups["ms"].Value) : null;
            servers.Add(new RaftServer(m.Groups["id"].Value, m.Groups["address"].Value, m.Groups["self"].Success, lastMessage));
        }
        return new RaftStatus(Field("Role"), Field("Status"), servers)
        {
            Leader = Field("Leader"),
            ElectionTimerMs = int.TryParse(Field("Election timer"), System.Globalization.CultureInfo.InvariantCulture, out var timer) ? timer : null,
        };
    }

    [GeneratedRegex(@"^\s+(?<id>[0-9a-f]+) \([0-9a-f]+ at (?<address>[^)]+)\)(?<self> \(self\))?(.*last msg (?<ms>[0-9]+) ms ago)?")]
    private static partial Regex ServerLine();
}
