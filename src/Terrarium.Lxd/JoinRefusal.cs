using System.Text.RegularExpressions;

namespace Terrarium.Lxd;

/// <summary>What a failed LXD/Incus join says about why, read from the daemon's own sentences.</summary>
public static partial class JoinRefusal
{
    /// <summary>
    /// The cluster's networks or storage pools changed while this server joined: the joiner creates the ones that
    /// exist when it starts (skipping any still pending), the leader then compares with the ones that exist by the
    /// time it accepts (lxd/api_cluster.go clusterInitMember, clusterCheckNetworksMatch/StoragePoolsMatch). Joining
    /// again reads the current list, so it is worth another try.
    /// </summary>
    public static bool ClusterChanged(string reason) => ClusterChangedPattern().IsMatch(reason);

    /// <summary>The join token itself was not accepted (used, revoked, expired, or sent in a field this daemon does not read).</summary>
    public static bool TokenRefused(string reason) =>
        reason.Contains("not authorized", StringComparison.OrdinalIgnoreCase) ||
        reason.Contains("No matching cluster join operation", StringComparison.OrdinalIgnoreCase) ||
        reason.Contains("join token", StringComparison.OrdinalIgnoreCase) ||
        reason.Contains("secret", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"Missing (network|storage pool) |Mismatching (config|type|driver) for (network|storage pool) ", RegexOptions.IgnoreCase)]
    private static partial Regex ClusterChangedPattern();
}
