namespace Terrarium.Host.Processes;

/// <summary>
/// --debug for host programs: one line per program the runner ran (redacted command line, exit code, milliseconds).
/// Its stdin, output and environment are never written: keys and bundles travel there.
/// </summary>
public static class ProcessLog
{
    /// <summary>Where debug lines go; null (the default) writes nothing. Set once at start-up.</summary>
    public static Action<string>? Sink { get; set; }

    public static void Write(string file, IEnumerable<string> args, string outcome, long milliseconds) =>
        Sink?.Invoke(Line(file, args, outcome, milliseconds));

    public static string Line(string file, IEnumerable<string> args, string outcome, long milliseconds) =>
        $"debug: run {CommandLineRedaction.Redact(file, args)} -> {outcome} ({milliseconds} ms)";
}
