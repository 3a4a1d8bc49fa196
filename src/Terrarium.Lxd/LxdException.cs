using System.Net;

namespace Terrarium.Lxd;

/// <summary>LXD answered with an error (or could not be reached). The message is LXD's own sentence.</summary>
public class LxdException(string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;
    public bool IsNotFound => Status == HttpStatusCode.NotFound;
    public bool IsPreconditionFailed => Status == HttpStatusCode.PreconditionFailed;
}

/// <summary>An asynchronous LXD operation finished in failure or was cancelled.</summary>
public sealed class LxdOperationFailedException(string operationId, string message)
    : LxdException($"LXD operation {operationId} failed: {message}")
{
    public string OperationId { get; } = operationId;
    public string Reason { get; } = message;
}

/// <summary>The server at the join token's address presents another certificate than the token names: the token or the address is not the cluster's.</summary>
public sealed class CertificateMismatchException(string message, Exception? inner = null) : LxdException(message, null, inner);
