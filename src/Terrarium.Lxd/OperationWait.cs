using System.Net;
using System.Text.Json;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// Reads one answer of GET /1.0/operations/ID/wait?timeout=N, whichever daemon wrote it (see
/// <see cref="LxdClient.WaitOperationAsync"/>): a rendered operation, or an error envelope inside HTTP 200.
/// </summary>
public sealed record OperationWait(OperationWait.State Kind, Operation? Operation, string? Error)
{
    public enum State { Running, Finished, Failed, Unreadable }

    /// <summary>
    /// The daemon does not know the operation: an HTTP 404, or (LXD >= 5.0.3, Incus 6.0.0-6.0.4, the lab's 6.9 proxy)
    /// HTTP 200 with an error envelope whose error_code is 404. Either way <see cref="State.Unreadable"/>.
    /// </summary>
    public bool NotFound { get; init; }

    // What LXD >= 5.0.3 and Incus 6.0.0-6.0.4 say when the wait's timeout passed with the operation still running
    // (Go's context.DeadlineExceeded.Error()).
    private const string DeadlineExceeded = "context deadline exceeded";

    public static OperationWait Classify(LxdResponse? reply, HttpStatusCode status, string? reason)
    {
        if (reply is null) return new(State.Unreadable, null, $"HTTP {(int)status} {reason}") { NotFound = status == HttpStatusCode.NotFound };
        if (reply.Type == "error")
        {
            var error = reply.Error is { Length: > 0 } e ? e : $"HTTP {(int)status} {reason}";
            if (error.Contains(DeadlineExceeded, StringComparison.Ordinal)) return new(State.Running, null, null);
            // A 404 means no such operation (never, or finished more than LXD's 5 s retention ago): not the operation's failure.
            if (status == HttpStatusCode.NotFound || reply.ErrorCode == 404) return new(State.Unreadable, null, error) { NotFound = true };
            return new(State.Failed, null, error);
        }
        if ((int)status >= 400) return new(State.Unreadable, null, $"HTTP {(int)status} {reason}") { NotFound = status == HttpStatusCode.NotFound };
        Operation? op;
        try
        {
            op = reply.Metadata.ValueKind == JsonValueKind.Object ? reply.Metadata.Deserialize(LxdJson.Info<Operation>()) : null;
        }
        catch (JsonException)
        {
            op = null;
        }
        if (op is null) return new(State.Unreadable, null, "the reply carried no operation");
        return op.IsFinal ? new(State.Finished, op, null) : new(State.Running, op, null);
    }
}
