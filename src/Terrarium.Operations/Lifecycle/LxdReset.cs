using Terrarium.Host.Systemd;
using Terrarium.Lxd;

namespace Terrarium.Operations.Lifecycle;

/// <summary>
/// Turns an LXD/Incus that waits for a cluster that removed it into a server of its own, as a fresh install would
/// start: the daemon is stopped, its cluster database and what it knew of instances, pools and networks are moved
/// into one folder beside them (never deleted: `lxd recover` can read the pools there), and it is started again.
/// Neither LXD nor Incus has a command for this (`lxd cluster` edits or recovers a cluster, it does not leave one).
/// </summary>
public sealed class LxdReset(NodeEnvironment env)
{
    /// <summary>What the daemon keeps about its cluster and its instances, under its data folder (LXD 5.0 and Incus 6 alike).</summary>
    public static readonly string[] ClusterState =
    [
        "database", "cluster.crt", "cluster.key", "containers", "containers-snapshots", "virtual-machines", "virtual-machines-snapshots",
        "snapshots", "storage-pools", "networks",
    ];

    /// <summary>The daemon's data folder: its unix socket lives there (/var/lib/lxd, /var/snap/lxd/common/lxd, /var/lib/incus).</summary>
    public string DataDir => Path.GetDirectoryName(env.LxdSocket) ?? "/";

    public string AsideDir(DateTimeOffset at) => Path.Join(DataDir, $"terrarium-left-{at.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");

    /// <returns>Where the state went (null when there was none to move).</returns>
    public async Task<string?> RunAsync(CancellationToken ct)
    {
        var unit = LxdServerProfile.ServiceUnitOfSocket(env.LxdSocket);
        var systemctl = new Systemctl(env.Tools);
        env.Log($"stopping {unit}");
        await systemctl.StopDaemonAsync(unit, ct);
        var present = ClusterState.Where(e => File.Exists(Path.Join(DataDir, e)) || Directory.Exists(Path.Join(DataDir, e))).ToList();
        string? aside = null;
        if (present.Count > 0)
        {
            aside = AsideDir(env.Clock());
            Directory.CreateDirectory(aside);
            foreach (var entry in present)
            {
                try
                {
                    var (from, to) = (Path.Join(DataDir, entry), Path.Join(aside, entry));
                    if (Directory.Exists(from)) Directory.Move(from, to);
                    else File.Move(from, to);
                }
                catch (IOException e)
                {
                    throw new OperationFailedException($"could not move {Path.Join(DataDir, entry)} aside ({e.Message}; a mount point?): unmount or move it by hand, then run `terrariumctl cluster leave --yes` again");
                }
            }
            env.Log($"moved {string.Join(", ", present)} to {aside}");
        }
        env.Log($"starting {unit}");
        await systemctl.StartDaemonAsync(unit, ct);
        using var lxd = env.Lxd();
        await lxd.WaitReadyAsync(Timings.Lifecycle.LxdResetReady, ct);
        return aside;
    }
}
