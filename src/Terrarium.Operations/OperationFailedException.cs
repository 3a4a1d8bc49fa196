namespace Terrarium.Operations;

/// <summary>An operation could not finish for a reason that is not bad input (exit 1); the message says what to do.</summary>
public sealed class OperationFailedException(string message) : Exception(message);
