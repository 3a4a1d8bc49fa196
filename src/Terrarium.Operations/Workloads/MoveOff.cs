using System.Diagnostics;
using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// Moves a plan's instances off a member (evacuate, remove --move) so that a run killed half-way is finished by the
/// next run on this server (X-3, <see cref="MoveOffJournal"/>): it waits for the transfers LXD still runs for the killed
/// run, moves what is still on the member and starts it if it ran, and finishes what LXD moved alone.
/// </summary>
/// <param name="afterMove">Per moved instance, in its slot (evacuate records the origin there).</param>
public sealed class MoveOff(NodeEnvironment env, ILxdClient lxd, string member, Func<InstanceRef, Task>? afterMove = null)
{

    /// <summary>
    /// What an interrupted run on this server left to finish, once LXD no longer runs an operation on any of it, so that
    /// none is planned while LXD still moves it (a second move meets "already exists" or "not found"). Bounded: a stuck
    /// operation stops the wait, not the plan.
    /// </summary>
    public async Task<IReadOnlyList<InstanceRef>> WaitForInterruptedAsync(CancellationToken ct)
    {
        var interrupted = MoveOffJournal.Open(env.Layout, member).Pending;
        if (interrupted.Count == 0) return interrupted;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timings.Workloads.InterruptedMovesWait);
        try
        {
            while ((await lxd.GetRunningOperationsAsync(limit.Token))
                   .FirstOrDefault(o => interrupted.Any(i => o.Touches(i.Project, i.Name))) is { } busy)
            {
                env.Log($"waiting for LXD to finish \"{busy.Description}\" ({busy.Id}), started by an interrupted run");
                try
                {
                    await lxd.WaitOperationAsync(busy.Id, ct: limit.Token);
                }
                catch (LxdException e)
                {
                    env.Log($"{busy.Id} ended: {e.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            env.Log($"LXD still works on instances of the interrupted run after {Timings.Workloads.InterruptedMovesWait.TotalMinutes:0} minutes; going on");
        }
        return interrupted;
    }

    /// <summary>Finishes what an interrupted run left, then runs <paramref name="plan"/>; <paramref name="running"/>: the planned instances that run now.</summary>
    /// <returns>Every outcome (finished ones first, method "resumed"); the journal is left only for what did not succeed.</returns>
    public async Task<IReadOnlyList<MoveOutcome>> RunAsync(IReadOnlyList<PlannedMove> plan, IReadOnlySet<InstanceRef> running, int parallel, CancellationToken ct)
    {
        var journal = MoveOffJournal.Open(env.Layout, member);
        var mover = new InstanceMover(lxd, env.Log, env.Time, new OvnAddressHold(env, lxd));
        var planned = plan.Select(m => m.Instance).ToHashSet();
        var finished = new List<MoveOutcome>();
        foreach (var i in journal.Pending.Where(i => !planned.Contains(i)))
            if (await FinishAsync(journal, mover, i, ct) is { } outcome) finished.Add(outcome);

        journal.Begin(plan.Select(m => (m.Instance, running.Contains(m.Instance))));
        var moves = await MoveBatch.RunAsync(mover, plan, parallel, env.Log, ct, afterMove: async m =>
        {
            if (afterMove is not null) await afterMove(m.Instance);
            // Stopped by the interrupted run, so moved cold: it runs again as it did before.
            if (m.Method == "cold" && journal.WasRunning(m.Instance)) await lxd.SetInstanceStateAsync(m.Instance.Name, "start", ct: ct, project: m.Instance.Project);
            journal.Done(m.Instance);
        });
        foreach (var m in moves.Where(m => !m.Succeeded && m.Method != "stop-move-start" && journal.WasRunning(m.Instance)))
            await mover.RestartWhereItIsAsync(m.Instance); // one the interrupted run stopped, whose move failed now
        return [.. finished, .. moves];
    }

    /// <summary>Killed between deleting the source and renaming its copy: the move to where the copy is finishes it.</summary>
    private async Task<MoveOutcome?> InterruptedPreCopyAsync(InstanceMover mover, InstanceRef i, CancellationToken ct)
    {
        try
        {
            var copy = await lxd.GetInstanceAsync(PreCopyMarkers.CopyName(i.Name), i.Project, ct);
            if (copy.Config.GetValueOrDefault(PreCopyMarkers.Of) != i.Name) return null;
            var outcome = await mover.MoveAsync(i, copy.Location, ct: ct);
            if (outcome.Succeeded && afterMove is not null) await afterMove(i);
            return outcome with { Method = "resumed" };
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>The journal is no longer needed (the operation finished).</summary>
    public void Complete() => MoveOffJournal.Delete(env.Layout, member);

    /// <summary>
    /// An instance of the interrupted run that LXD moved alone: <c>afterMove</c> done for it and, if it ran, started
    /// where it is. One still on the member is left to the plan; one that is gone is forgotten.
    /// </summary>
    private async Task<MoveOutcome?> FinishAsync(MoveOffJournal journal, InstanceMover mover, InstanceRef i, CancellationToken ct)
    {
        Instance instance;
        try
        {
            instance = await lxd.GetInstanceAsync(i.Name, i.Project, ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            if (await InterruptedPreCopyAsync(mover, i, ct) is { } finished)
            {
                if (finished.Succeeded) journal.Done(i);
                return finished;
            }
            env.Log($"{i}: gone since the interrupted run (deleted, or lost in a transfer LXD could not finish); nothing to finish");
            journal.Done(i);
            return null;
        }
        if (instance.Location == member) return null;
        if (instance.Config.ContainsKey(PreCopyMarkers.Of))
        {
            var outcome = await mover.MoveAsync(i, instance.Location, ct: ct); // the copy took its name; its identity and start are left
            if (!outcome.Succeeded) return outcome;
            instance = await lxd.GetInstanceAsync(i.Name, i.Project, ct);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (afterMove is not null) await afterMove(i);
            var start = journal.WasRunning(i) && instance.Power() == PowerState.Stopped;
            if (start) await lxd.SetInstanceStateAsync(i.Name, "start", ct: ct, project: i.Project);
            journal.Done(i);
            return new MoveOutcome(i, member, instance.Location, true, "resumed",
                $"moved to {instance.Location} by the interrupted run{(start ? "; started" : "")}", Stopwatch.GetElapsedTime(started));
        }
        catch (LxdException e)
        {
            return new MoveOutcome(i, member, instance.Location, false, "resumed", $"moved to {instance.Location} by the interrupted run, but {e.Message}",
                Stopwatch.GetElapsedTime(started));
        }
    }
}
