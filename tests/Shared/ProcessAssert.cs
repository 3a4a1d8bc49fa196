using Terrarium.Host.Processes;

namespace Terrarium.Tests.Shared;

/// <summary>Assertions on a finished command that always show what the command said when they fail.</summary>
public static class ProcessAssert
{
    // The command's last stderr line comes first: a failing command says why at the end (after its progress lines),
    // and CI keeps only the first lines of an error. The whole stderr and stdout follow.
    public static void Exit(int expected, ProcessResult r) =>
        Xunit.Assert.True(r.ExitCode == expected, $"exit {r.ExitCode}, wanted {expected}: {LastLine(r.StdErr)}\nstderr: {r.StdErr}\nstdout: {r.StdOut}");

    public static void Ok(ProcessResult r) => Exit(0, r);

    public static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no stderr)";
}
