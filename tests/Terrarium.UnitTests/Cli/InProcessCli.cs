using System.CommandLine;
using Terrarium.Cli;
using Terrarium.Cli.Usage;

namespace Terrarium.UnitTests.Cli;

/// <summary>What one in-process command line did: the exit code (null: it parsed and would run a command), stdout and stderr.</summary>
public sealed record CliRun(int? Exit, string StdOut, string StdErr)
{
    public string All => StdOut + StdErr;
}

/// <summary>
/// terrariumctl's parser in this process, the way Program.Main uses it: a refusal is written as Main writes it, help is
/// printed; a command line that would run a command is only reported, never run (nothing on this machine changes).
/// </summary>
public static class InProcessCli
{
    // One tree per process: the shared static options (--root, --output, ...) join it once. Parsing is serialised.
    private static readonly Lazy<RootCommand> Tree = new(Program.BuildRoot);
    private static readonly Lock Gate = new();

    public static RootCommand Root => Tree.Value;

    public static CliRun Run(params string[] args)
    {
        lock (Gate)
        {
            var parsed = Root.Parse(args);
            var (output, error) = (new StringWriter(), new StringWriter());
            if (UsageErrors.Reject(parsed, args, error) is { } refused) return new(refused, "", error.ToString());
            if (!GroupHelp.OnlyShowsHelp(parsed)) return new(null, "", "");
            var code = parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
            return new(code, output.ToString(), error.ToString());
        }
    }
}
