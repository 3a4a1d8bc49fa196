using System.Globalization;
using Terrarium.Cluster.Status;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Members;

/// <summary>What this server's LXD says about its cluster, asked with a short bound.</summary>
public enum LxdClusterState
{
    /// <summary>LXD answers and is in a cluster: the others still count this server.</summary>
    Clustered,
    /// <summary>LXD answers and is in no cluster (a removal it took part in, or a reset already done).</summary>
    Standalone,
    /// <summary>LXD does not answer (waiting for a database leader it cannot reach, or stopped).</summary>
    NotAnswering,
}

/// <summary>One step of `cluster leave`, in the order it runs.</summary>
public enum LeaveStep
{
    /// <summary>Stop LXD, move its cluster database and what it knew of instances aside, start it as a server of its own.</summary>
    LxdReset,
    /// <summary>OVN daemons and bridges, the mesh interface, the firewall table, keys and identity (what a removed member's agent does).</summary>
    Terrarium,
    /// <summary>The boot units only (a leave killed after the identity went).</summary>
    Units,
}

/// <param name="Member">This server's member name, from its identity (null when that is gone).</param>
/// <param name="LatestHandshake">How long ago a peer last completed a WireGuard handshake; null when none ever did or there is no interface.</param>
public sealed record LeaveFacts(string? Member, LxdClusterState Lxd, TimeSpan? LatestHandshake, bool MeshInterface, bool BootUnits);

/// <summary>
/// `cluster leave`: resets a server the cluster no longer counts, so that a new invite and join make it a member
/// again. Refused while the cluster still counts it (LXD answers as a cluster member, or a peer still speaks to it
/// over the mesh): that server is removed from another member with `cluster remove`, which also moves its instances.
/// </summary>
public static class LeavePlanner
{
    public static IReadOnlyList<LeaveStep> Plan(LeaveFacts facts)
    {
        var name = facts.Member ?? "This server";
        if (facts.Lxd == LxdClusterState.Clustered)
            throw new InputException($"{name} is still a member of LXD's cluster (its database answers): remove it on another member with `terrariumctl cluster remove {facts.Member ?? "NAME"}`; `cluster leave` resets a server the cluster removed while it was down.");
        if (facts.Lxd == LxdClusterState.NotAnswering && facts.LatestHandshake is { } age && age <= StatusAnalyzer.StaleHandshake)
            throw new InputException($"{name} still completes WireGuard handshakes with its peers (the latest {age.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ago), so the cluster still counts it and LXD is only waiting for its database: see `terrariumctl cluster status` on another member.");
        var terrarium = facts.Member is not null || facts.MeshInterface;
        if (facts.Lxd == LxdClusterState.NotAnswering && !terrarium)
            throw new InputException("LXD does not answer and this server holds no Terrarium membership: `cluster leave` has nothing to reset; check LXD itself (`systemctl status lxd` or `incus`).");
        var steps = new List<LeaveStep>();
        if (facts.Lxd == LxdClusterState.NotAnswering) steps.Add(LeaveStep.LxdReset);
        if (terrarium) steps.Add(LeaveStep.Terrarium);
        else if (facts.BootUnits) steps.Add(LeaveStep.Units);
        return steps;
    }

    public static string Name(LeaveStep step) => step switch
    {
        LeaveStep.LxdReset => "lxd-reset",
        LeaveStep.Terrarium => "leave",
        _ => "units",
    };
}
