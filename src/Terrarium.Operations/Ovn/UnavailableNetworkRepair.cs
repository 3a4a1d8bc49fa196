using Terrarium.Cluster.Ovn;
using Terrarium.Host.Systemd;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Ovn;

/// <summary>
/// LXD 5.0 starts networks on a member that joined with its start-up settings and, when that fails (its OVN
/// chassis comes up only after the join), keeps retrying with those stale settings: the member reports
/// "Network unavailable" until its daemon restarts. Init and join restart it once their chassis runs; the agent when
/// <see cref="NetworkRepairPlanner"/> says so (Incus' `cluster restore` starts the networks again and may fail once:
/// restarting then would cut the moves that follow it, "Daemon is starting up"). This reads LXD's warnings, keeps what
/// was seen in a file, and restarts the daemon.
/// </summary>
public static class UnavailableNetworkRepair
{

    public static Warning? Unavailable(IEnumerable<Warning> warnings, string self) =>
        warnings.FirstOrDefault(w => w.Type == "Network unavailable" && w.Location == self && w.Status != "resolved" &&
                                     w.LastMessage.Contains("ovn", StringComparison.OrdinalIgnoreCase));

    public static async Task<bool> RepairAsync(NodeEnvironment env, ILxdClient lxd, string self, CancellationToken ct)
    {
        var seenFile = Path.Join(env.Layout.StateDir, "lxd-network-unavailable-seen");
        var seen = ReadSeen(seenFile);
        var (step, remember) = NetworkRepairPlanner.Decide(Unavailable(await lxd.GetWarningsAsync(ct), self) is { } w ? new NetworkRepairPlanner.Warning(w.Uuid, w.Count) : null,
            seen, Journal.OperationJournal.LifecycleInProgress(env.Layout), env.Clock(), Timings.Ovn.RepairStuckAfter);
        if (remember != seen) WriteSeen(seenFile, remember);
        if (step != NetworkRepairPlanner.Step.Restart) return false;
        var stamp = Path.Join(env.Layout.StateDir, "lxd-restarted-for-ovn");
        DateTimeOffset? last = File.Exists(stamp) ? File.GetLastWriteTimeUtc(stamp) : null;
        if (!NetworkRepairPlanner.MayRestartAgain(last, Journal.OperationJournal.LifecycleStartedAt(env.Layout), env.Clock(), Timings.Ovn.RepairMinimumInterval)) return false;
        env.Log($"LXD reports {OvnNetworkSettings.NetworkName} unavailable on {self} although its chassis runs (its own retry failed too): restarting LXD");
        var unit = (await lxd.GetServerProfileAsync(ct)).ServiceUnit(File.Exists);
        await new Systemctl(env.Tools).RestartDaemonAsync(unit, ct);
        await lxd.WaitReadyAsync(TimeSpan.FromMinutes(1), ct);
        Directory.CreateDirectory(env.Layout.StateDir);
        File.WriteAllText(stamp, env.Clock().ToString("O")); // only a restart that happened counts against the interval
        if ((await lxd.GetServerProfileAsync(ct)).RefusesForwardsUntilHeartbeat) await WaitForwardedAsync(env, lxd, self, ct);
        return true;
    }

    private static NetworkRepairPlanner.Seen? ReadSeen(string path)
    {
        try
        {
            return File.ReadAllText(path).Split(' ') is [var uuid, var count, var at] && long.TryParse(count, out var c) &&
                   DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
                ? new NetworkRepairPlanner.Seen(uuid, c, t) : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void WriteSeen(string path, NetworkRepairPlanner.Seen? seen)
    {
        if (seen is null)
        {
            File.Delete(path);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"{seen.Uuid} {seen.Count} {seen.At.ToUniversalTime():O}");
    }

    /// <summary>
    /// Until LXD no longer reports the workload network unavailable on <paramref name="self"/> (at most
    /// <see cref="Timings.Ovn.AvailableWait"/>): a join or a restore returns with a member that can launch on it. A start can fail even with the chassis running and after the
    /// repair restart (CI, Incus: "Failed to create uplink OVS bridge … Bridge interface failed to appear", its 5 s
    /// wait, internal/server/network/ovs/ovs_actions.go, v6.0.4, on a loaded host); the daemon's next retry starts it.
    /// </summary>
    public static async Task WaitAvailableAsync(NodeEnvironment env, ILxdClient lxd, string self, CancellationToken ct)
    {
        Warning? warning = null;
        var said = false;
        var available = await Poll.UntilAsync(async t =>
        {
            if ((warning = Unavailable(await lxd.GetWarningsAsync(t), self)) is null) return true;
            if (!said) env.Log($"waiting for LXD to start {OvnNetworkSettings.NetworkName} on {self} (it retries every minute): {warning.LastMessage}");
            said = true;
            return false;
        }, Timings.Ovn.AvailableWait, TimeSpan.FromSeconds(2), env.Time, ct);
        if (!available)
            env.Log($"LXD still reports {OvnNetworkSettings.NetworkName} unavailable on {self} ({warning!.LastMessage}); it retries every minute and terrarium-agent watches it");
        else if (said) env.Log($"{OvnNetworkSettings.NetworkName} runs on {self}");
    }

    /// <summary>
    /// Until this member forwards requests to every other running member again (at most <see cref="Timings.Ovn.ForwardWait"/>): a
    /// launch here fetches its image from another member through such a request.
    /// </summary>
    private static async Task WaitForwardedAsync(NodeEnvironment env, ILxdClient lxd, string self, CancellationToken ct)
    {
        var others = (await lxd.GetClusterMembersAsync(ct)).Where(m => m.ServerName != self && m.State().IsAlive()).Select(m => m.ServerName).ToList();
        var waiting = new List<string>();
        var forwarded = await Poll.UntilAsync(async t =>
        {
            waiting.Clear();
            foreach (var other in others)
                if (!await lxd.ForwardsToAsync(other, t)) waiting.Add(other);
            return waiting.Count == 0;
        }, Timings.Ovn.ForwardWait, TimeSpan.FromMilliseconds(500), env.Time, ct);
        if (!forwarded) env.Log($"{self} cannot forward requests to {string.Join(", ", waiting)} yet; it will after the next heartbeat");
    }
}
