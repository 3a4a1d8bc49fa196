using Terrarium.Host.Processes;

namespace Terrarium.Tests.Shared;

/// <summary>Assertions on a finished command that always show what the command said when they fail.</summary>
public static class ProcessAssert
{
    public static void Exit(int expected, ProcessResult r) =>
        Xunit.Assert.True(r.ExitCode == expected, $"exit {r.ExitCode}, wanted {expected}\nstdout: {r.StdOut}\nstderr: {r.StdErr}");

    public static void Ok(ProcessResult r) => Exit(0, r);
}
