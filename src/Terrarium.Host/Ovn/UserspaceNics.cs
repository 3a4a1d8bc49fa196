using System.Collections.Concurrent;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Ovn;

/// <summary>
/// With the userspace datapath, OVS reads packets from veths as the kernel left them: a packet whose TCP or
/// UDP checksum was left for the NIC to fill in (transmit checksum offload) is forwarded with a wrong checksum,
/// so TCP hangs while ping works (found in the lab, see shared/lab-notes). Turning transmit offload off on the
/// sending side makes the kernel compute checksums itself. Not needed with a kernel datapath.
/// </summary>
public sealed class UserspaceNics(ToolPaths tools)
{
    // Per process: an instance is tuned once per start (a restart gives it a new init PID).
    private static readonly ConcurrentDictionary<(int Pid, string Nic), bool> Tuned = new();

    /// <summary>Inside an instance: its NIC as seen from its own network namespace (by its init PID).</summary>
    public async Task<bool> TuneInstanceAsync(int pid, string nic)
    {
        if (pid <= 0 || Tuned.ContainsKey((pid, nic))) return false;
        var r = await tools.Runner.RunAsync(tools.Nsenter, ["-t", pid.ToString(), "-n", tools.Ethtool, "-K", nic, "tx", "off"]);
        if (r.Ok) Tuned[(pid, nic)] = true;
        return r.Ok;
    }

    /// <summary>A host interface attached to OVS (e.g. the host's port on the workload network).</summary>
    public async Task TuneHostAsync(string device) =>
        await tools.Runner.RunAsync(tools.Ethtool, ["-K", device, "tx", "off"]);
}
