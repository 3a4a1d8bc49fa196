namespace Terrarium.Cluster.Placement;

/// <summary>An instance's state as LXD and Incus report it (`status` of `GET /1.0/instances`), parsed once.</summary>
public enum PowerState
{
    Running,
    Stopped,
    Frozen,
    /// <summary>LXD could not reach the instance's member to ask (lxd/instance/drivers: "Error" for an unreachable location).</summary>
    Error,
    /// <summary>A state this version does not know (starting, stopping, …).</summary>
    Other,
}

public static class PowerStates
{
    /// <summary>
    /// Running, or frozen for a moment: LXD freezes a running container for the last pass of a snapshot, copy or
    /// refresh (a consistent image; about a second each in the lab), and its kernel still accepts connections, which the
    /// app answers once it thaws. Dropping such a backend would turn a short wait into a failed request.
    /// </summary>
    public static bool Serves(this PowerState state) => state is PowerState.Running or PowerState.Frozen;

    /// <summary>What LXD records when its daemon or host went down under a running instance; a clean stop records STOPPED.</summary>
    public const string LastPowerKey = "volatile.last_state.power";
    public const string AutostartKey = "boot.autostart";

    public static PowerState Parse(string status) => status switch
    {
        "Running" => PowerState.Running,
        "Stopped" => PowerState.Stopped,
        "Frozen" => PowerState.Frozen,
        "Error" => PowerState.Error,
        _ => PowerState.Other,
    };

    /// <summary>
    /// Stopped with <see cref="LastPowerKey"/> RUNNING: LXD starts it at its member's next start unless boot.autostart is
    /// false (lxd/instances.go `instancesStart`, lxd-5.0.2; Incus the same). Still stopped once the member is up means that
    /// start failed.
    /// </summary>
    public static bool WasRunningWhenMemberWentDown(this PowerState state, IReadOnlyDictionary<string, string> config) =>
        state == PowerState.Stopped && config.GetValueOrDefault(LastPowerKey) == "RUNNING" &&
        config.GetValueOrDefault(AutostartKey) is not ("false" or "0" or "off" or "no");
}
