using System.Text.Json;
using System.Text.Json.Serialization;
using Terrarium.Cluster.Layout;
using Terrarium.Host.Files;

namespace Terrarium.Operations.Journal;

/// <summary>
/// a multi-step operation records each finished step under /var/lib/terrarium/journal, so a re-run after
/// a crash skips what is done and resumes at the first unfinished step. Every step is idempotent as well.
/// </summary>
public sealed class OperationJournal
{
    private readonly string _path;
    private readonly Action<string> _log;
    private readonly JournalState _state;
    private readonly IReadOnlyList<string>? _steps;

    private OperationJournal(string path, JournalState state, Action<string> log, IReadOnlyList<string>? steps)
    {
        _path = path;
        _state = state;
        _log = log;
        _steps = steps;
    }

    /// <param name="steps">The operation's step table (JoinSteps.Order, InitSteps.Order): a step not in it, or run
    /// before an earlier one of it is done, is a bug and throws, so the table --dry-run prints is the one that runs.</param>
    public static OperationJournal Open(NodeLayout layout, string operation, Action<string> log, DateTimeOffset now, IReadOnlyList<string>? steps = null)
    {
        var path = PathOf(layout, operation);
        var state = File.Exists(path)
            ? JsonSerializer.Deserialize(File.ReadAllText(path), OperationsJsonContext.Default.JournalState) ?? new JournalState()
            : new JournalState { Operation = operation, StartedAt = now };
        return new OperationJournal(path, state, log, steps);
    }

    public static bool InProgress(NodeLayout layout, string operation) => File.Exists(PathOf(layout, operation));

    /// <summary>init or join runs (or was interrupted) on this host: they change it in their own order, journal open.</summary>
    public static bool LifecycleInProgress(NodeLayout layout) => InProgress(layout, "init") || InProgress(layout, "join");

    /// <summary>
    /// When the init or join in progress on this host began (null when none): what it does once per operation (the OVN
    /// repair restart) it may do again in a later operation. An unreadable journal counts from its file's last write,
    /// so this agrees with <see cref="LifecycleInProgress"/>.
    /// </summary>
    public static DateTimeOffset? LifecycleStartedAt(NodeLayout layout) =>
        new[] { "init", "join" }.Select(o => StartedAt(PathOf(layout, o))).Max();

    private static DateTimeOffset? StartedAt(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), OperationsJsonContext.Default.JournalState)?.StartedAt
                   ?? File.GetLastWriteTimeUtc(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
        }
    }

    /// <summary>Forgets an operation that was rolled back.</summary>
    public static void Discard(NodeLayout layout, string operation) => File.Delete(PathOf(layout, operation));

    private static string PathOf(NodeLayout layout, string operation) => Path.Join(layout.JournalDir, $"{operation}.json");

    public bool Resuming => _state.Done.Count > 0;

    public IReadOnlyList<string> DoneSteps => _state.Done;

    public bool IsDone(string step) => _state.Done.Contains(step);

    public async Task StepAsync(string step, Func<Task> body)
    {
        if (_steps is not null)
        {
            if (!_steps.Contains(step)) throw new InvalidOperationException($"Step {step} is not in the {_state.Operation} step table.");
            if (_steps.TakeWhile(s => s != step).FirstOrDefault(s => !IsDone(s)) is { } earlier)
                throw new InvalidOperationException($"Step {step} of {_state.Operation} ran before step {earlier}.");
        }
        if (IsDone(step))
        {
            _log($"step {step}: already done");
            return;
        }
        _log($"step {step}: running");
        await body();
        _state.Done.Add(step);
        Save();
        _log($"step {step}: done");
        CrashHook.AfterStep(_state.Operation, step);
    }

    /// <summary>The operation finished: the journal is removed so the next run starts fresh.</summary>
    public void Complete()
    {
        if (File.Exists(_path)) File.Delete(_path);
    }

    private void Save() => AtomicFile.WriteIfChanged(_path, JsonSerializer.Serialize(_state, OperationsJsonContext.Default.JournalState));
}

public sealed class JournalState
{
    [JsonPropertyName("operation")] public string Operation { get; set; } = "";
    [JsonPropertyName("started_at")] public DateTimeOffset StartedAt { get; set; }
    [JsonPropertyName("done")] public List<string> Done { get; set; } = [];
}
