using Terrarium.Cluster.Validation;

namespace Terrarium.Cli.Output;

/// <summary>Questions for an operator at a terminal; never asked when input is not a TTY (scripts get an error instead).</summary>
public static class Prompt
{
    public static bool Interactive => !Console.IsInputRedirected && !Console.IsErrorRedirected;

    public static string? Ask(string question)
    {
        if (!Interactive) return null;
        Console.Error.Write(question);
        return Console.ReadLine()?.Trim();
    }

    /// <summary>
    /// Goes on only when the operator answers yes at a terminal. Without a terminal: <paramref name="withoutTerminal"/>
    /// (which names the flag that confirms); an answer other than yes: "Cancelled; {unchanged}." Both exit 2.
    /// </summary>
    public static void Require(string question, string withoutTerminal, string unchanged)
    {
        if (!Interactive) throw new InputException(withoutTerminal);
        if (!Confirm(question)) throw new InputException($"Cancelled; {unchanged}.");
    }

    /// <summary>y/N on a TTY; false when not interactive.</summary>
    public static bool Confirm(string question) =>
        Ask($"{question} [y/N] ") is { } answer && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
