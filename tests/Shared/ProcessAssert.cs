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

    /// <summary>`cluster status` answered: healthy (0), problems listed (3) or LXD's database silent (4).</summary>
    public static bool StatusAnswered(ProcessResult r) => r.ExitCode is 0 or 3 or 4;

    public static void Status(ProcessResult r) =>
        Xunit.Assert.True(StatusAnswered(r), $"cluster status exit {r.ExitCode}, wanted 0, 3 or 4: {LastLine(r.StdErr)}\nstderr: {r.StdErr}\nstdout: {r.StdOut}");

    public static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no stderr)";
}
