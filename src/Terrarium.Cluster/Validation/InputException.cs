namespace Terrarium.Cluster.Validation;

/// <summary>
/// Bad input from the user: the message is one sentence naming the problem; the CLI prints it and
/// exits 2. Thrown before anything on the host or in LXD has changed.
/// </summary>
public sealed class InputException(string message) : Exception(message);
