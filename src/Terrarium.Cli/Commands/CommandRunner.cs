using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Processes;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd;

namespace Terrarium.Cli.Commands;

/// <summary>Wraps command bodies: maps known failures to one-sentence errors and SPEC exit codes.</summary>
public static class CommandRunner
{
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (pr, ct) =>
        {
            try
            {
                return await body(pr, ct);
            }
            catch (InputException e)
            {
                return Fail(ExitCodes.BadInput, e.Message);
            }
            catch (NotImplementedYetException e)
            {
                return Fail(ExitCodes.Failed, e.Message);
            }
            catch (Exception e) when (e is LxdException or LabException or ProcessFailedException or TimeoutException or IOException or Terrarium.Operations.OperationFailedException)
            {
                return Fail(ExitCodes.Failed, e.Message);
            }
            catch (OperationCanceledException)
            {
                return Fail(ExitCodes.Failed, "Interrupted; re-run the same command to resume.");
            }
        });

    public static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"Error: {message}");
        return code;
    }

    /// <summary>Placeholder body for a command whose implementation has not landed yet.</summary>
    public static void NotYet(this Command command, string tracking) =>
        command.SetHandler((_, _) => throw new NotImplementedYetException(
            $"`terrariumctl {FullName(command)}` is not implemented in this build yet ({tracking})."));

    private static string FullName(Command c)
    {
        var names = new List<string>();
        for (Symbol? s = c; s is Command cmd and not RootCommand; s = cmd.Parents.FirstOrDefault()) names.Insert(0, ((Command)s).Name);
        return string.Join(' ', names);
    }
}

public sealed class NotImplementedYetException(string message) : Exception(message);
