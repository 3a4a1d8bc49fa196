using Terrarium.Host.Processes;
using Terrarium.Host.Tools;

namespace Terrarium.Host.Systemd;

/// <summary>systemctl(1), through <see cref="ToolPaths.Systemctl"/> (TERRARIUM_SYSTEMCTL) like every other program.</summary>
public sealed class Systemctl(ToolPaths tools)
{
    public Task DaemonReloadAsync() => tools.Runner.RunCheckedAsync(tools.Systemctl, ["daemon-reload"]);

    public Task EnableAsync(string unit, bool startNow = false) =>
        tools.Runner.RunCheckedAsync(tools.Systemctl, startNow ? ["enable", "--now", unit] : ["enable", unit]);

    /// <summary>Best effort: a unit that is already gone is not an error when a node leaves.</summary>
    public Task DisableAsync(params string[] units) => tools.Runner.RunAsync(tools.Systemctl, ["disable", .. units]);

    public Task TryDaemonReloadAsync() => tools.Runner.RunAsync(tools.Systemctl, ["daemon-reload"]);

    /// <summary>Stops a unit without waiting: the agent may be the process asking for its own stop.</summary>
    public Task StopWithoutWaitingAsync(string unit) => tools.Runner.RunAsync(tools.Systemctl, ["stop", "--no-block", unit]);

    /// <summary>Restarts the LXD/Incus daemon by <see cref="ToolPaths.LxdRestartCommand"/> (a shell line the operator may override).</summary>
    public Task RestartDaemonAsync(string serviceUnit, CancellationToken ct) =>
        tools.Runner.RunCheckedAsync("sh", ["-c", tools.LxdRestartCommand(serviceUnit)], timeout: TimeSpan.FromMinutes(2), ct: ct);

    /// <summary>Stops the LXD/Incus daemon by <see cref="ToolPaths.LxdStopCommand"/>.</summary>
    public Task StopDaemonAsync(string serviceUnit, CancellationToken ct) =>
        tools.Runner.RunCheckedAsync("sh", ["-c", tools.LxdStopCommand(serviceUnit)], timeout: TimeSpan.FromMinutes(2), ct: ct);

    /// <summary>Starts the LXD/Incus daemon by <see cref="ToolPaths.LxdStartCommand"/>.</summary>
    public Task StartDaemonAsync(string serviceUnit, CancellationToken ct) =>
        tools.Runner.RunCheckedAsync("sh", ["-c", tools.LxdStartCommand(serviceUnit)], timeout: TimeSpan.FromMinutes(2), ct: ct);
}
