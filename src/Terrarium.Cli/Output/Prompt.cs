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

    /// <summary>y/N on a TTY; false when not interactive.</summary>
    public static bool Confirm(string question) =>
        Ask($"{question} [y/N] ") is { } answer && (answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase));
}
