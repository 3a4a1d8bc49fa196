using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<Operation> GetOperationAsync(string idOrPath, CancellationToken ct = default) =>
        GetAsync(OperationPath(idOrPath), LxdJson.Info<Operation>(), ct);

    /// <summary>
    /// Waits for an operation to finish. Uses LXD's long-poll /wait with a short timeout so that the
    /// operation's metadata (progress fields such as "migration_progress") is reported about once a second.
    /// Throws <see cref="LxdOperationFailedException"/> when it fails or is cancelled.
    /// </summary>
    public async Task<Operation> WaitOperationAsync(string idOrPath, IProgress<Operation>? progress = null, CancellationToken ct = default)
    {
        var path = OperationPath(idOrPath);
        while (true)
        {
            var op = await GetAsync($"{path}/wait?timeout=1", LxdJson.Info<Operation>(), ct);
            progress?.Report(op);
            if (!op.IsFinal) continue;
            if (!op.Succeeded) throw new LxdOperationFailedException(op.Id, op.Err is { Length: > 0 } e ? e : op.Status);
            return op;
        }
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
