using System.CommandLine;
using Terrarium.Cli.Docs;
using Terrarium.Cli.Output;
using Terrarium.Lxd;
using Terrarium.Lxd.Transport;

namespace Terrarium.Cli.Commands;

/// <summary>
/// Hidden `terrariumctl __complete members|instances|routes`: the names the completion scripts offer, one a line.
/// It runs while the user presses TAB, so LXD gets a short bound and any failure prints nothing and exits 0.
/// </summary>
public static class CompleteCommand
{
    public const string Name = "__complete";
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    public static Command Build()
    {
        var kind = new Argument<string>("kind") { Description = "members, instances or routes" };
        kind.AcceptOnlyFromAmong(DynamicValues.Kinds);
        var instance = new Argument<string?>("instance") { Description = "For routes: the instance whose route names are listed", Arity = ArgumentArity.ZeroOrOne };
        var project = new Option<string?>("--project") { Description = "Project of the instances (default: default)" };
        var c = new Command(Name, "Print member, instance or route names for the shell completion scripts") { kind, instance, project };
        c.Hidden = true;
        c.SetAction(async (pr, ct) =>
        {
            foreach (var name in await NamesAsync(pr.GetValue(kind)!, pr.GetValue(instance), pr.GetValue(project), () => CommonOptions.Socket(pr), ct))
                Console.WriteLine(name);
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The names, or none when the socket is missing, LXD is slow or refuses: completion never shows an error.</summary>
    public static async Task<IReadOnlyList<string>> NamesAsync(string kind, string? instance, string? project, Func<string> socket, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Bound);
        try
        {
            using var lxd = new LxdClient(LxdEndpoint.UnixSocket(socket()), Bound);
            return await CompletionNames.ReadAsync(lxd, kind, instance, project, bound.Token);
        }
        catch (Exception)
        {
            return [];
        }
    }
}
