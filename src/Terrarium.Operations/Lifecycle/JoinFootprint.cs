using Terrarium.Cluster.Layout;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// What a fresh join finds in the folders it writes to, taken before it changes anything: a join refused after it
/// reached the cluster removes exactly the files and folders it created, and nothing that was there before (another
/// program's files, or what an earlier interrupted join left for its resume).
/// </summary>
public sealed class JoinFootprint
{
    private static readonly EnumerationOptions Everything = new()
    {
        RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint,
    };

    private readonly NodeLayout _layout;
    private readonly HashSet<string> _existed = new(StringComparer.Ordinal);

    private JoinFootprint(NodeLayout layout) => _layout = layout;

    /// <summary>Terrarium's own folders: keys, identity, journal, WireGuard and firewall files.</summary>
    private IEnumerable<string> NodeFolders =>
        [_layout.ConfigDir, _layout.Under("/etc/wireguard"), _layout.StateDir, _layout.Under("/run/terrarium")];

    /// <summary>Open vSwitch's folders: swept only when this join started the switch (a running one's files are not ours).</summary>
    private IEnumerable<string> SwitchFolders => [_layout.OvsRunDir, _layout.OvsDbDir, _layout.OvnRunDir, _layout.OvnDbDir, _layout.OvnLogDir];

    public static JoinFootprint Take(NodeLayout layout)
    {
        var footprint = new JoinFootprint(layout);
        foreach (var folder in footprint.NodeFolders.Concat(footprint.SwitchFolders))
        {
            for (var dir = folder; IsBelowRoot(layout, dir); dir = Path.GetDirectoryName(dir)!)
                if (Directory.Exists(dir)) footprint._existed.Add(dir);
            if (Directory.Exists(folder)) footprint._existed.UnionWith(Directory.EnumerateFileSystemEntries(folder, "*", Everything));
        }
        return footprint;
    }

    /// <summary>Deletes the files this join created, then the folders it created that are empty now.</summary>
    public void RemoveCreated(bool switchStarted)
    {
        foreach (var folder in switchStarted ? NodeFolders.Concat(SwitchFolders) : NodeFolders)
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*", Everything).Where(f => !_existed.Contains(f)).ToList()) File.Delete(file);
            var created = Directory.EnumerateDirectories(folder, "*", Everything).Where(d => !_existed.Contains(d)).OrderByDescending(d => d.Length).ToList();
            foreach (var dir in created) DeleteIfEmpty(dir);
            for (var dir = folder; IsBelowRoot(_layout, dir) && !_existed.Contains(dir); dir = Path.GetDirectoryName(dir)!)
                if (!DeleteIfEmpty(dir)) break;
        }
    }

    private static bool DeleteIfEmpty(string dir)
    {
        if (!Directory.Exists(dir)) return true;
        if (Directory.EnumerateFileSystemEntries(dir).Any()) return false;
        Directory.Delete(dir);
        return true;
    }

    private static bool IsBelowRoot(NodeLayout layout, string dir) =>
        Path.GetFullPath(dir).TrimEnd('/') is var full && full.Length > Path.GetFullPath(layout.Root).TrimEnd('/').Length;
}
