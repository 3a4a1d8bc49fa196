using Terrarium.Cluster.Layout;
using Terrarium.Host.Files;

namespace Terrarium.Host.Ovn;

/// <summary>The central set's northbound and southbound remotes as this node last converged them.</summary>
public sealed record OvnRemotes(string Northbound, string Southbound);

/// <summary>
/// The local copy of the remotes (`/etc/terrarium/ovn/remotes`: northbound, then southbound, one per line): the agent
/// writes it each pass, and boot reads it to start ovn-controller and northd before LXD, without the cluster database.
/// </summary>
public static class OvnRemotesFile
{
    public static string PathOf(NodeLayout layout) => Path.Join(layout.OvnDir, "remotes");

    /// <summary>Writes <paramref name="remotes"/>; true when the file changed.</summary>
    public static bool Write(NodeLayout layout, OvnRemotes remotes) =>
        AtomicFile.WriteIfChanged(PathOf(layout), $"{remotes.Northbound}\n{remotes.Southbound}\n");

    /// <summary>The remotes, or null when never written or incomplete.</summary>
    public static OvnRemotes? Read(NodeLayout layout)
    {
        var path = PathOf(layout);
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        return lines is [{ Length: > 0 } northbound, { Length: > 0 } southbound, ..] ? new OvnRemotes(northbound, southbound) : null;
    }
}

/// <summary>Which Open vSwitch datapath this host uses: the kernel's when its module is loaded, else userspace (netdev).</summary>
public static class OvsDatapath
{
    public static bool Userspace => !GeneveOverMesh.KernelDatapathAvailable;

    /// <summary>The bridges' datapath_type.</summary>
    public static string Type => Userspace ? "netdev" : "system";
}
