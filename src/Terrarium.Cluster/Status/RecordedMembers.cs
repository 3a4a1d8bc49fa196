using Terrarium.Cluster.Config;

namespace Terrarium.Cluster.Status;

/// <summary>
/// The members as this node last applied them, for status while LXD's database does not answer: its WireGuard
/// configuration names each peer in a comment above its section (<see cref="Mesh.WireGuardConfigRenderer"/>).
/// </summary>
public static class RecordedMembers
{
    public static List<MemberRecord> FromWireGuardConfig(string text)
    {
        var members = new List<MemberRecord>();
        string? name = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("# ", StringComparison.Ordinal)) name = line[2..];
            else if (line == "[Peer]" && name is not null)
            {
                members.Add(new MemberRecord { Name = name });
                name = null;
            }
            else if (members.Count > 0 && line.Split('=', 2) is [var key, var value])
            {
                var (k, v, m) = (key.Trim(), value.Trim(), members[^1]);
                if (k == "PublicKey") m.PublicKey = v;
                else if (k == "AllowedIPs") m.MeshAddress = v.Split('/')[0];
                else if (k == "Endpoint") m.Endpoint = v;
            }
        }
        return members;
    }
}
