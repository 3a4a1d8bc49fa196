using Terrarium.Host.Processes;

namespace Terrarium.Operations.Journal;

/// <summary>
/// Test hook for X-3: with TERRARIUM_CRASH_AFTER_STEP=operation:step (e.g. join:lxd-join) the process kills
/// itself with SIGKILL right after that step is journaled, exactly like a power cut at that point. The
/// integration tests use it to prove that a re-run resumes; nothing sets it in normal use.
/// </summary>
public static class CrashHook
{
    public const string Variable = "TERRARIUM_CRASH_AFTER_STEP";

    public static void AfterStep(string operation, string step) => At(operation, step, $"after step {step}");

    /// <summary>A point inside a step (e.g. join:inside-lxd-join, while LXD runs the join it was sent).</summary>
    public static void At(string operation, string point, string? what = null)
    {
        if (Environment.GetEnvironmentVariable(Variable) != $"{operation}:{point}") return;
        Console.Error.WriteLine($"terrariumctl: {Variable} is set: killing this process {what ?? $"at {point}"} of {operation}.");
        ProcessControl.Signal(Environment.ProcessId, ProcessControl.SigKill);
        Thread.Sleep(Timeout.Infinite);
    }
}
