namespace Terrarium.Cluster.Members;

/// <summary>
/// A cluster member's state as LXD and Incus report it (`GET /1.0/cluster/members` `status`), parsed once. LXD 5.0
/// reports Online, Evacuated, Offline and Blocked; Incus 6.x adds Evacuating and Restoring while one is under way.
/// </summary>
public enum MemberState
{
    Online,
    Evacuated,
    Evacuating,
    Restoring,
    Offline,
    /// <summary>LXD 5.0's "Blocked" (a member on another version), or a state this version does not know.</summary>
    Other,
}

public static class MemberStates
{
    public static MemberState Parse(string status) => status switch
    {
        "Online" => MemberState.Online,
        "Evacuated" => MemberState.Evacuated,
        "Evacuating" => MemberState.Evacuating,
        "Restoring" => MemberState.Restoring,
        "Offline" => MemberState.Offline,
        _ => MemberState.Other,
    };

    /// <summary>An evacuation or restore under way: it passes on its own.</summary>
    public static bool IsTransitional(this MemberState state) => state is MemberState.Evacuating or MemberState.Restoring;

    /// <summary>Up, whatever its scheduling state: counts as a database voter online and for the OVN central set.</summary>
    public static bool IsAlive(this MemberState state) => state is MemberState.Online or MemberState.Evacuated || state.IsTransitional();

    /// <summary>Up and taking instances, or evacuated: the states status does not call a problem of the member itself.</summary>
    public static bool IsSettledUp(this MemberState state) => state is MemberState.Online or MemberState.Evacuated;
}
