using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<Operation> GetOperationAsync(string idOrPath, CancellationToken ct = default) =>
        GetAsync(OperationPath(idOrPath), LxdJson.Info<Operation>(), ct);

    /// <summary>This daemon's operations that are still running (GET /1.0/operations?recursion=1, "running" list).</summary>
    public async Task<List<Operation>> GetRunningOperationsAsync(CancellationToken ct = default)
    {
        var byStatus = await GetAsync("/1.0/operations?recursion=1", LxdJson.Info<Dictionary<string, List<Operation>>>(), ct);
        return byStatus.GetValueOrDefault("running") ?? [];
    }

    /// <summary>
    /// Waits for an operation to finish, reporting its metadata (progress fields such as "migration_progress")
    /// about once a second. Throws <see cref="LxdOperationFailedException"/> when it fails or is cancelled.
    /// The long-poll /wait answers in two shapes, and both are read: LXD 5.0.2 and Incus >= 6.0.5 render the
    /// operation when the timeout passes; LXD >= 5.0.3 and Incus 6.0.0-6.0.4 answer HTTP 200 with an error
    /// envelope, "context deadline exceeded" while it still runs, or the operation's own error once it failed
    /// (lxd/operations.go operationWaitGet + operations.Operation.Wait, since lxd 4f91c57).
    /// </summary>
    public async Task<Operation> WaitOperationAsync(string idOrPath, IProgress<Operation>? progress = null, CancellationToken ct = default)
    {
        var path = OperationPath(idOrPath);
        var waitPath = WaitPath(idOrPath);
        var polls = 0;
        var seen = false;
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var sinceLastAnswer = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var asked = sinceLastAnswer.Elapsed;
            var sentAt = waiting.Elapsed; // a loaded daemon may answer the first poll seconds later: the grace counts from the asking
            var (reply, status, reason, _) = await SendRawAsync(HttpMethod.Get, waitPath, null, null, ct);
            polls++;
            sinceLastAnswer.Restart();
            var wait = OperationWait.Classify(reply, status, reason);
            switch (wait.Kind)
            {
                case OperationWait.State.Running when wait.Operation is { } running:
                    seen = true;
                    progress?.Report(running);
                    continue;
                case OperationWait.State.Running:
                    seen = true;
                    // The error-envelope shape carries no metadata: read the operation itself for progress.
                    if (progress is not null) progress.Report(await GetOperationAsync(path, ct));
                    continue;
                case OperationWait.State.Finished:
                    progress?.Report(wait.Operation!);
                    if (!wait.Operation!.Succeeded)
                        throw new LxdOperationFailedException(IdOf(path), wait.Operation.Err is { Length: > 0 } e ? e : wait.Operation.Status);
                    return wait.Operation;
                case OperationWait.State.Failed:
                    throw new LxdOperationFailedException(IdOf(path), wait.Error!);
                case OperationWait.State.Unreadable when NotYetVisible(wait.NotFound ? System.Net.HttpStatusCode.NotFound : status, seen, sentAt):
                    // Just created on another member (a targeted launch right after that member joined), the operation
                    // was not yet found through this one; a moment later it is.
                    await Task.Delay(NotYetVisibleRetry, ct);
                    continue;
                default:
                    // The daemon forgets an operation 5 s after it ended (operations.go done()): say how late this poll was.
                    throw new LxdException($"LXD GET {path}/wait: {wait.Error} (poll {polls}, sent {asked.TotalSeconds:0.0} s after the previous answer)", status);
            }
        }
    }

    /// <summary>How long an operation this client was just given may answer "not found" before that is believed.</summary>
    public static readonly TimeSpan NotYetVisibleGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan NotYetVisibleRetry = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A 404 for an operation never seen running, within <see cref="NotYetVisibleGrace"/> of the first poll: the daemon
    /// only forgets an operation 5 s after it ended (lxd/operations/operations.go `done`), so this early it has not yet
    /// found one created on another member.
    /// </summary>
    public static bool NotYetVisible(System.Net.HttpStatusCode status, bool seen, TimeSpan waited) =>
        status == System.Net.HttpStatusCode.NotFound && !seen && waited < NotYetVisibleGrace;

    private static string IdOf(string path)
    {
        var withoutQuery = path.Split('?')[0];
        return withoutQuery[(withoutQuery.LastIndexOf('/') + 1)..];
    }

    /// <summary>
    /// The one-second long poll of an operation. Incus names a project's operation with its project
    /// (`/1.0/operations/ID?project=NAME`, internal/server/operations/operations.go): `/wait` goes before the query,
    /// or the request is a plain GET of the operation and the wait becomes a busy loop.
    /// </summary>
    public static string WaitPath(string idOrPath)
    {
        var path = OperationPath(idOrPath);
        var q = path.IndexOf('?');
        return q < 0 ? $"{path}/wait?timeout=1" : $"{path[..q]}/wait?{path[(q + 1)..]}&timeout=1";
    }

    /// <summary>A one-line progress text from an operation's metadata (e.g. "migration_progress: 42%").</summary>
    public static string? DescribeProgress(Operation op)
    {
        if (op.Metadata.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in op.Metadata.EnumerateObject())
            if (p.Name.EndsWith("_progress", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.String)
                return p.Value.GetString();
        return null;
    }

    internal static string OperationPathOf(string idOrPath) => OperationPath(idOrPath);

    private static string OperationPath(string idOrPath) =>
        idOrPath.StartsWith("/1.0/operations/", StringComparison.Ordinal) ? idOrPath : $"/1.0/operations/{Escape(idOrPath)}";
}
