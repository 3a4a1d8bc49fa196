using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Workloads;

/// <summary>How one instance move ended.</summary>
public sealed record MoveOutcome(InstanceRef Instance, string From, string To, bool Succeeded, string Method, string Detail, TimeSpan Took);

/// <summary>
/// C-5 / X-2: moves one instance to another member. A running instance that can migrate live (a VM, or on Incus a
/// container with migration.stateful) is tried live first; a running container that a pre-copy can move
/// (<see cref="PreCopyEligibility"/>) is copied while it runs and only stopped for the last refresh and the swap
/// (<see cref="PreCopyMove"/>); otherwise, or when live fails, it is stopped, moved and started again. LXD copies
/// before it deletes, so a failed move leaves the instance where it was, and this class starts it again there when
/// it was running. A move a killed run left half-way is finished first.
/// </summary>
public sealed class InstanceMover(ILxdClient lxd, Action<string> log, TimeProvider? time = null, IOvnAddressHold? ovn = null)
{

    /// <param name="progress">Receives LXD's progress text (e.g. "Transferring instance: 12MB (4MB/s)").</param>
    public async Task<MoveOutcome> MoveAsync(InstanceRef instanceRef, string target, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        var clock = time ?? TimeProvider.System;
        var started = clock.GetTimestamp();
        var (project, name) = (instanceRef.Project, instanceRef.Name);
        var preCopy = new PreCopyMove(lxd, log, clock, StopAsync, ovn);
        var (view, named) = await preCopy.ObserveAsync(instanceRef, target, ct);
        var from = named?.Location ?? "?";
        MoveOutcome Done(bool ok, string method, string detail) => new(instanceRef, from, target, ok, method, detail, clock.GetElapsedTime(started));
        async Task<MoveOutcome> PreCopyAsync()
        {
            var (ok, detail) = await preCopy.RunAsync(instanceRef, view, progress, ct);
            if (ok) Journal.CrashHook.At("move", "moved", "right after an instance moved (and started again) on its target");
            return Done(ok, PreCopyMove.Method, detail);
        }
        if (named is null || PreCopyMove.Interrupted(view)) return await PreCopyAsync(); // finishes or cleans up what a killed move left
        var instance = named;
        if (from == target) return Done(true, "none", $"already on {target}");
        if (await SpaceRefusalAsync(instance, target, ct) is { } noSpace) return Done(false, "none", $"not moved: {noSpace}");

        var running = instance.Power() == PowerState.Running;
        var lxdProgress = progress is null ? null : new InlineProgress<Operation>(op =>
        {
            if (LxdClient.DescribeProgress(op) is { } text) progress.Report(text);
        });
        var server = running ? await lxd.GetServerProfileAsync(ct) : null;
        if (running && CanMigrateLive(instance, server!))
        {
            try
            {
                await lxd.MoveInstanceAsync(name, target, live: true, lxdProgress, ct, project);
                return Done(true, "live", $"migrated live to {target}");
            }
            catch (LxdException e)
            {
                log($"{instanceRef}: live migration failed ({e.Message}); stopping it to move it instead");
            }
        }
        else if (running)
        {
            if (await PreCopyRefusalAsync(instance, ct) is not { } refusal) return await PreCopyAsync();
            log($"{instanceRef}: moving it by stop-move-start, not pre-copy: {refusal}");
        }

        var (ok, detail) = await StopMoveStartAsync(instanceRef, target, running, lxdProgress, clock, ct);
        return Done(ok, running ? "stop-move-start" : "cold", ok ? detail : $"{detail} (left on {from}{(running ? ", running again" : "")})");
    }

    /// <summary>Stops it if it runs, lets LXD move it (once more after a refusal that clears by itself), starts it again.</summary>
    private async Task<(bool Ok, string Detail)> StopMoveStartAsync(InstanceRef instanceRef, string target, bool running,
        IProgress<Operation>? lxdProgress, TimeProvider clock, CancellationToken ct)
    {
        var (project, name) = (instanceRef.Project, instanceRef.Name);
        if (running)
        {
            await StopAsync(instanceRef, ct);
            Journal.CrashHook.At("move", "stopped", "right after stopping an instance to move it");
        }
        try
        {
            try
            {
                await lxd.MoveInstanceAsync(name, target, live: false, lxdProgress, ct, project);
            }
            catch (LxdException e) when (EventConnectionMissing(e) || MigrationWindowMissed(e) || TransferCut(e))
            {
                log($"{instanceRef}: {e.Message}; trying once more in {Timings.Workloads.EventReconnectWait.TotalSeconds:0} s");
                await Task.Delay(Timings.Workloads.EventReconnectWait, clock, ct);
                // A cut transfer may have been finished by LXD after all: then there is nothing left to move.
                if ((await lxd.GetInstanceAsync(name, project, ct)).Location != target)
                    await lxd.MoveInstanceAsync(name, target, live: false, lxdProgress, ct, project);
            }
        }
        catch (LxdException e)
        {
            if (running) await RestartWhereItIsAsync(instanceRef);
            return (false, e.Message);
        }
        if (running) await lxd.SetInstanceStateAsync(name, "start", ct: ct, project: project);
        Journal.CrashHook.At("move", "moved", "right after an instance moved (and started again) on its target");
        return (true, $"moved to {target}{(running ? " and started" : "")}");
    }

    /// <summary>
    /// LXD refuses a member-to-member transfer while the source has no events connection to the target
    /// (lxd/cluster/connect.go `Connect`: EventListenerWait, 10 s). The connections are re-made on the next
    /// heartbeat round, so after a mesh interruption this clears by itself within seconds; LXD's own test
    /// scripts retry on it too. Nothing has moved when it is raised.
    /// </summary>
    public static bool EventConnectionMissing(LxdException e) =>
        e.Message.Contains("Missing event connection with target cluster member", StringComparison.Ordinal) ||
        e.Message.Contains("Server isn't ready yet", StringComparison.Ordinal); // Incus: internal/server/cluster/events.go EventListenerWait, v6.0.4

    /// <summary>
    /// The source of a member-to-member transfer waits 10 s for the target to open the migration websockets
    /// (lxd/migrate_instance.go `migrationSourceWs.Do`: "Timed out waiting for migration connections", lxd-5.0.2); a
    /// target that connects later gets "websocket: bad handshake". Seen on a saturated 9-member lab (2 CPUs, load 30) in
    /// an evacuation's fourth parallel move. The copy is reverted on the target, so nothing has moved.
    /// </summary>
    public static bool MigrationWindowMissed(LxdException e) =>
        e.Message.Contains("Error transferring instance data: websocket: bad handshake", StringComparison.Ordinal) ||
        e.Message.Contains("Timed out waiting for migration connections", StringComparison.Ordinal);

    /// <summary>
    /// A transfer cut by a saturated member: the target's read of the source timed out ("Error transferring instance
    /// data: read tcp …: i/o timeout") or LXD's database did not answer in time ("Failed to begin transaction: context
    /// deadline exceeded", lxd/db/query/transaction.go, lxd-5.0.2). Both seen in the 9-member lab on 2 CPUs; LXD reverts
    /// the half-made copy, and the retry first checks where the instance is.
    /// </summary>
    public static bool TransferCut(LxdException e) =>
        (e.Message.Contains("Error transferring instance data: read tcp", StringComparison.Ordinal) && e.Message.EndsWith("i/o timeout", StringComparison.Ordinal)) ||
        e.Message.Contains("Failed to begin transaction: context deadline exceeded", StringComparison.Ordinal);

    /// <summary>A VM, or on Incus a container with migration.stateful (on LXD the key is VM-only: see LxdServerProfile).</summary>
    public static bool CanMigrateLive(Instance i, LxdServerProfile server) =>
        i.Type == "virtual-machine" || (server.LiveMigratesContainers && i.ExpandedConfig.GetValueOrDefault("migration.stateful") == "true");

    /// <summary>Why a pre-copy cannot move this running container (<see cref="PreCopyEligibility"/>), or null.</summary>
    private async Task<string?> PreCopyRefusalAsync(Instance i, CancellationToken ct)
    {
        if (RootPool(i) is not { } pool) return "it has no root disk on a storage pool";
        var driver = (await lxd.GetStoragePoolAsync(pool, ct)).Driver;
        if (PreCopyEligibility.Refusal(i.Type, i.Ephemeral, i.ExpandedConfig, i.ExpandedDevices, driver, restrictedProject: false) is { } refusal) return refusal;
        var project = await lxd.GetProjectAsync(string.IsNullOrEmpty(i.Project) ? InstanceRef.DefaultProject : i.Project, ct);
        return project.Config.GetValueOrDefault("restricted") == "true"
            ? PreCopyEligibility.Refusal(i.Type, i.Ephemeral, i.ExpandedConfig, i.ExpandedDevices, driver, restrictedProject: true)
            : null;
    }

    /// <summary>Refuses a move the target's pool has no room for, when LXD reports the sizes (not on a dir pool without quotas).</summary>
    private async Task<string?> SpaceRefusalAsync(Instance i, string target, CancellationToken ct)
    {
        if (RootPool(i) is not { } pool) return null;
        var state = await lxd.GetInstanceStateAsync(i.Name, ct, i.Project);
        if (state.Disk?.GetValueOrDefault("root") is not { Usage: > 0 } root) return null;
        var space = (await lxd.GetStoragePoolResourcesAsync(pool, target, ct)).Space;
        return space.Total <= 0 ? null : PreCopyEligibility.SpaceRefusal(target, pool, root.Usage, space.Total - space.Used);
    }

    /// <summary>The pool of its root disk; null for an instance without one (a pre-copy has nothing to copy).</summary>
    internal static string? RootPool(Instance i) =>
        i.ExpandedDevices.Values.FirstOrDefault(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("path") == "/")?.GetValueOrDefault("pool");

    private async Task StopAsync(InstanceRef i, CancellationToken ct)
    {
        try
        {
            await lxd.SetInstanceStateAsync(i.Name, "stop", timeoutSeconds: (int)Timings.Workloads.GracefulStop.TotalSeconds, ct: ct, project: i.Project);
        }
        catch (LxdException e)
        {
            log($"{i}: clean shutdown failed ({e.Message}); forcing it");
            try
            {
                await lxd.SetInstanceStateAsync(i.Name, "stop", force: true, ct: ct, project: i.Project);
            }
            catch (LxdException)
            {
                // The failed shutdown may have stopped it after all ("The instance is already stopped"): what was wanted.
                if ((await lxd.GetInstanceAsync(i.Name, i.Project, ct)).Power() != PowerState.Stopped) throw;
            }
        }
    }

    /// <summary>Starts a stopped instance again where it is (at most a minute); a failure is logged, not raised.</summary>
    internal async Task RestartWhereItIsAsync(InstanceRef i)
    {
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await lxd.SetInstanceStateAsync(i.Name, "start", ct: limit.Token, project: i.Project);
        }
        catch (Exception e) when (e is LxdException or OperationCanceledException)
        {
            log($"{i}: could not start it again where it was: {e.Message}");
        }
    }
}
