using System.CommandLine;
using System.Reflection;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd;
using Terrarium.Lxd.Transport;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl version`: this binary's version and, when one answers, the LXD or Incus daemon's.</summary>
public static class VersionCommand
{
    // Short: `version` is what one runs to find out whether the daemon is there at all.
    private static readonly TimeSpan DaemonTimeout = TimeSpan.FromSeconds(5);

    public static Command Build()
    {
        var c = new Command("version", "Print terrariumctl's version and the kind and version of the LXD or Incus daemon on the socket (if one answers)");
        c.SetHandler(async (pr, ct) =>
        {
            var daemon = await AskDaemonAsync(pr, ct);
            if (CommonOptions.Structured(pr))
            {
                CommonOptions.Write(pr, VersionOutput.Of(Client, daemon), CliJsonContext.Default.VersionOutput);
                return ExitCodes.Ok;
            }
            Console.WriteLine($"client: terrariumctl {Client}");
            Console.WriteLine(daemon.Reachable ? $"daemon: {daemon.Product} {daemon.Version} at {daemon.Socket}" : $"daemon: not reachable ({daemon.Error})");
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The informational version: the package version and the commit it was built from.</summary>
    public static string Client =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private static async Task<DaemonVersionRow> AskDaemonAsync(ParseResult pr, CancellationToken ct)
    {
        string socket;
        try
        {
            socket = CommonOptions.Socket(pr);
        }
        catch (InputException e)
        {
            return DaemonVersionRow.Unreachable(null, e.Message);
        }
        using var lxd = new LxdClient(LxdEndpoint.UnixSocket(socket), DaemonTimeout);
        try
        {
            var profile = LxdServerProfile.From(await lxd.GetServerAsync(ct));
            return new DaemonVersionRow(true, profile.Server, profile.Product, profile.Version, socket, null);
        }
        catch (Exception e) when (e is LxdException or TimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return DaemonVersionRow.Unreachable(socket, e is LxdException ? e.Message : $"no answer at unix:{socket} within {DaemonTimeout.TotalSeconds:0}s");
        }
    }
}
