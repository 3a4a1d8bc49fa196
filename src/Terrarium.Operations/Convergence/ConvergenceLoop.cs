using Terrarium.Host.Processes;
using Terrarium.Lxd;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// Runs reconcilers in order over one context. A contained reconciler's failure is reported in its outcome and the pass
/// goes on, unless the reconcilers after it depend on it (<see cref="IReconciler.FailureEndsPass"/>); an outcome may also
/// end the pass itself (<see cref="ReconcileOutcome.EndsPass"/>).
/// </summary>
public sealed class ConvergenceLoop(IReadOnlyList<IReconciler> reconcilers, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public IReadOnlyList<IReconciler> Reconcilers { get; } = reconcilers;

    /// <summary>The concern being reconciled right now (null between passes): what a watchdog reports about a long pass.</summary>
    public string? Running { get; private set; }

    public async Task<IReadOnlyList<ReconcileOutcome>> RunAsync(ConvergenceContext context, CancellationToken ct)
    {
        var outcomes = new List<ReconcileOutcome>(Reconcilers.Count);
        foreach (var reconciler in Reconcilers)
        {
            var started = _time.GetTimestamp();
            Running = reconciler.Concern;
            ReconcileOutcome outcome;
            try
            {
                outcome = await reconciler.ReconcileAsync(context, ct) with { Elapsed = _time.GetElapsedTime(started) };
            }
            catch (Exception e) when (reconciler.Contained && IsHostOrDaemonFailure(e))
            {
                outcome = new ReconcileOutcome(reconciler.Concern, false, e.Message) { Elapsed = _time.GetElapsedTime(started), EndsPass = reconciler.FailureEndsPass };
            }
            outcomes.Add(outcome);
            if (outcome.EndsPass) break;
        }
        Running = null;
        return outcomes;
    }

    /// <summary>The failures a contained concern reports instead of throwing; a bug (e.g. NullReferenceException) still throws.</summary>
    public static bool IsHostOrDaemonFailure(Exception e) =>
        e is ProcessFailedException or TimeoutException or IOException or InvalidOperationException or LxdException;
}
