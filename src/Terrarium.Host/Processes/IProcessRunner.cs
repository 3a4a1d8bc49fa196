using System.Diagnostics;

namespace Terrarium.Host.Processes;

/// <summary>What a finished external program returned.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Ok => ExitCode == 0;
    public string FirstErrorLine => (StdErr.Length > 0 ? StdErr : StdOut).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
}

/// <summary>Thrown by <see cref="ProcessRunnerExtensions.RunCheckedAsync"/> when a tool exits non-zero.</summary>
public sealed class ProcessFailedException(string command, ProcessResult result)
    : Exception($"`{Shorten(command)}` failed with exit code {result.ExitCode}: {result.FirstErrorLine}")
{
    public ProcessResult Result { get; } = result;

    // Long daemon command lines would bury the error itself.
    private static string Shorten(string command) => command.Length <= 100 ? command : command[..97] + "...";
}

/// <summary>
/// Runs external tools (ip, nft, wg, ...). An instance, carried by <see cref="Tools.ToolPaths.Runner"/>, so a unit test
/// can hand the host adapters a fake that records commands and answers them.
/// </summary>
public interface IProcessRunner
{
    Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, CancellationToken ct = default);

    /// <summary>Runs a program attached to this terminal (stdin/stdout/stderr inherited); returns its exit code.</summary>
    Task<int> RunInteractiveAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, CancellationToken ct = default);
}

public static class ProcessRunnerExtensions
{
    /// <summary>Runs a tool and throws <see cref="ProcessFailedException"/> when it exits non-zero.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(this IProcessRunner runner, string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var list = args.ToList();
        var result = await runner.RunAsync(file, list, stdin, env, timeout, ct);
        if (!result.Ok) throw new ProcessFailedException($"{file} {string.Join(' ', list)}", result);
        return result;
    }
}
