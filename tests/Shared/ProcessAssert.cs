using Terrarium.Host.Processes;

namespace Terrarium.Tests.Shared;

/// <summary>Assertions on a finished command that always show what the command said when they fail.</summary>
public static class ProcessAssert
{
    // stderr first: it is where a failing command says why, and CI keeps only the first lines of an error.
    public static void Exit(int expected, ProcessResult r) =>
        Xunit.Assert.True(r.ExitCode == expected, $"exit {r.ExitCode}, wanted {expected}\nstderr: {r.StdErr}\nstdout: {r.StdOut}");

    public static void Ok(ProcessResult r) => Exit(0, r);
}
