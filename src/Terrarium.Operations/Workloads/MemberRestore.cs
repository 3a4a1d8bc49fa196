using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// C-7: LXD's own restore of an evacuated member (`POST /1.0/cluster/members/NAME/state`, action restore), made to finish.
/// LXD (lxd/api_cluster.go `restoreClusterMember`, lxd-5.0.2) and Incus (cmd/incusd/api_cluster_evacuation.go, v6.0.4)
/// move the instances back one by one: stop, migrate, start. A transfer that misses the source's 10 s window for the
/// migration websockets fails the whole restore, which puts the member back to evacuated; the instances moved so far
/// stay moved (their origin key is gone) and the one being moved stays where it was, stopped. LXD's restore is safe to
/// run again, so such a miss is tried once more, and whatever the restore stopped and did not start is started.
/// </summary>
public sealed class MemberRestore(ILxdClient lxd, Action<string> log, TimeProvider time)
{

    public async Task RunAsync(string member, IReadOnlyList<InstanceRef> returning, IProgress<string>? progress, CancellationToken ct)
    {
        // Read now, not at planning: the plan may have waited at a prompt.
        var returningSet = returning.ToHashSet();
        var running = (await lxd.GetAllInstancesAsync(ct)).Where(i => i.Power() == PowerState.Running)
            .Select(PlacementInputs.Ref).Where(returningSet.Contains).ToHashSet();
        var last = "";
        var lxdProgress = new InlineProgress<Operation>(op =>
        {
            if (LxdClient.DescribeProgress(op) is { } text && text != last) progress?.Report(last = text);
        });
        try
        {
            try
            {
                await lxd.SetClusterMemberStateAsync(member, "restore", lxdProgress, ct);
            }
            catch (LxdException e) when (Retryable(e))
            {
                var again = $"the restore stopped ({e.Message}); nothing was lost, restoring again in {Timings.Workloads.RestoreRetryWait.TotalSeconds:0} s";
                log($"{member}: {again}");
                progress?.Report(again);
                await Task.Delay(Timings.Workloads.RestoreRetryWait, time, ct);
                await lxd.SetClusterMemberStateAsync(member, "restore", lxdProgress, ct);
            }
        }
        catch (LxdException e)
        {
            // LXD and Incus put the member back to evacuated when their restore fails; what moved stays moved.
            throw new OperationFailedException($"The restore of {member} stopped: {e.Message}. The instances it moved back stay there; " +
                                               $"run `terrariumctl cluster restore {member} --yes` again to bring back the others.");
        }
        finally
        {
            await StartStoppedAsync(running, progress);
        }
    }

    /// <summary>A miss of the transfer window or of the member-to-member events connection, or a transfer cut by a saturated member: it clears by itself.</summary>
    public static bool Retryable(LxdException e) =>
        InstanceMover.MigrationWindowMissed(e) || InstanceMover.TransferCut(e) || InstanceMover.EventConnectionMissing(e) || StopRaced(e);

    /// <summary>
    /// Incus stopping an instance to move it back: the clean shutdown timed out on a loaded member ("forcing stop"), and
    /// the instance was gone by the time the force stop came, so the restore failed with "container is not running"
    /// (clean-clone run N, workload S02 on Incus 6.0.4). The instance is stopped, the member evacuated again: a second
    /// restore moves it.
    /// </summary>
    public static bool StopRaced(LxdException e) =>
        e.Message.Contains("Failed to stop instance", StringComparison.Ordinal) && e.Message.Contains("is not running", StringComparison.Ordinal);

    // An instance that was running when the restore began and is stopped now was stopped by a failed attempt (its
    // retry moves it but starts only what was running). Started wherever it is, also when the restore failed.
    private async Task StartStoppedAsync(IReadOnlySet<InstanceRef> running, IProgress<string>? progress)
    {
        if (running.Count == 0) return;
        List<Instance> now;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            now = await lxd.GetAllInstancesAsync(limit.Token);
        }
        catch (Exception e) when (e is LxdException or OperationCanceledException)
        {
            log($"could not read the instances after the restore: {e.Message}");
            return;
        }
        var mover = new InstanceMover(lxd, log, time);
        foreach (var what in now.Where(i => i.Power() == PowerState.Stopped).Select(PlacementInputs.Ref).Where(running.Contains))
        {
            progress?.Report($"Starting {what} again (it was running before the restore)");
            await mover.RestartWhereItIsAsync(what);
        }
    }
}
