namespace Terrarium.Cluster.Placement;

/// <summary>
/// Whether a running container can be moved by pre-copy, decided before anything is copied; where it cannot,
/// it is moved by stop-move-start, and the reason says why.
/// </summary>
public static class PreCopyEligibility
{
    /// <summary>Pool drivers whose refresh sends only the differences (rsync on dir and lvm, incremental send on zfs and btrfs).</summary>
    public static readonly IReadOnlySet<string> CopyingDrivers = new HashSet<string>(StringComparer.Ordinal) { "dir", "btrfs", "zfs", "lvm" };

    private static readonly HashSet<string> HostDevices = new(StringComparer.Ordinal)
        { "unix-char", "unix-block", "unix-hotplug", "usb", "gpu", "pci", "infiniband", "tpm" };

    /// <returns>Null when a pre-copy can move it; otherwise why not, as the end of "moved by stop-move-start: …".</returns>
    /// <param name="poolDriver">The driver of the pool its root disk is on.</param>
    /// <param name="restrictedProject">Its project is restricted: LXD refuses volatile keys there, and a pre-copy must set them.</param>
    public static string? Refusal(string type, bool ephemeral, IReadOnlyDictionary<string, string> expandedConfig,
        IReadOnlyDictionary<string, Dictionary<string, string>> expandedDevices, string poolDriver, bool restrictedProject)
    {
        if (type != "container") return "a virtual machine is copied whole";
        if (ephemeral) return "it is ephemeral: stopping it deletes it, so there is nothing to refresh from";
        if (!CopyingDrivers.Contains(poolDriver))
            return poolDriver.StartsWith("ceph", StringComparison.Ordinal)
                ? $"its pool is {poolDriver}, shared by every member, so a move copies nothing"
                : $"its pool's driver {poolDriver} has no incremental refresh";
        if (restrictedProject) return "its project is restricted, and LXD refuses there the volatile keys (MAC address) a copy must take";
        if (expandedConfig.GetValueOrDefault("security.protection.delete") is "true" or "1" or "yes" or "on")
            return "security.protection.delete is set, and the swap deletes the source";
        foreach (var (name, device) in expandedDevices.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            var type_ = device.GetValueOrDefault("type", "");
            if (type_ == "disk" && device.GetValueOrDefault("path") != "/")
                return $"its disk device {name} is not copied with it";
            if (HostDevices.Contains(type_)) return $"its {type_} device {name} belongs to this member";
            if (type_ == "nic" && device.GetValueOrDefault("nictype") is "physical" or "sriov")
                return $"its NIC {name} is a host interface";
        }
        return null;
    }

    /// <summary>
    /// Too little space on the target's pool for the instance, when LXD reports both (a dir pool without quotas reports
    /// no usage): the move is refused before it starts, by any method, instead of failing at 90 %.
    /// </summary>
    public static string? SpaceRefusal(string target, string pool, long? instanceBytes, long? targetFreeBytes)
    {
        if (instanceBytes is not { } need || targetFreeBytes is not { } free) return null;
        var wanted = need + need / 10; // the copy, and room for what the instance writes meanwhile
        return wanted <= free ? null
            : $"{target}'s pool {pool} has {Size(free)} free and the instance needs {Size(wanted)} (its {Size(need)} and 10 %)";
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        _ => $"{bytes / 1024.0:0.#} KiB",
    };
}
