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
}
