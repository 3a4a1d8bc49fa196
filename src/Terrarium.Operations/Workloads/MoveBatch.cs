using Terrarium.Cluster.Placement;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// Runs a placement plan with at most <c>parallel</c> migrations at once (C-6). One failed instance never
/// stops the others; every outcome is returned, in plan order.
/// </summary>
public static class MoveBatch
{
    /// <param name="afterMove">Runs in the move's slot after each successful move (e.g. recording its origin), so
    /// that per-instance bookkeeping runs in parallel too instead of one after another at the end.</param>
    public static async Task<IReadOnlyList<MoveOutcome>> RunAsync(InstanceMover mover, IReadOnlyList<PlannedMove> plan, int parallel,
        Action<string> log, CancellationToken ct, Func<MoveOutcome, Task>? afterMove = null)
    {
        if (parallel < 1) throw new ArgumentOutOfRangeException(nameof(parallel));
        var outcomes = new MoveOutcome[plan.Count];
        using var gate = new SemaphoreSlim(parallel);
        var tasks = plan.Select(async (move, i) =>
        {
            await gate.WaitAsync(ct);
            try
            {
                log($"{move.Instance}: moving to {move.Target}");
                var lastReported = "";
                var progress = new InlineProgress<string>(text =>
                {
                    if (text == lastReported) return;
                    lastReported = text;
                    log($"{move.Instance}: {text}");
                });
                try
                {
                    outcomes[i] = await mover.MoveAsync(move.Instance, move.Target, progress, ct);
                    if (outcomes[i].Succeeded && afterMove is not null) await afterMove(outcomes[i]);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    outcomes[i] = new MoveOutcome(move.Instance, "?", move.Target, false, "error", e.Message, TimeSpan.Zero);
                }
                log($"{move.Instance}: {(outcomes[i].Succeeded ? "done" : "FAILED")}: {outcomes[i].Detail}");
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        return outcomes;
    }
}
