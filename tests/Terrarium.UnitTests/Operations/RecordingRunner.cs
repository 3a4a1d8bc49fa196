using Terrarium.Host.Processes;

namespace Terrarium.UnitTests.Operations;

/// <summary>A process runner that runs nothing: it records each command line and answers from <see cref="Answer"/> (exit 0 by default).</summary>
public sealed class RecordingRunner : IProcessRunner
{
    public List<string> Commands { get; } = [];

    /// <summary>The answer to a command line ("ip link show dev terrarium-wg0"); null means exit 0 with no output.</summary>
    public Func<string, ProcessResult?> Answer { get; set; } = _ => null;

    public Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var line = string.Join(' ', [file, .. args]);
        lock (Commands) Commands.Add(line);
        return Task.FromResult(Answer(line) ?? new ProcessResult(0, "", ""));
    }

    public Task<int> RunInteractiveAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, CancellationToken ct = default) =>
        throw new InvalidOperationException("No terminal in a unit test.");
}
