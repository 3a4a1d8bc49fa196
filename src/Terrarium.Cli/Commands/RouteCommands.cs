using System.CommandLine;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Routes;

namespace Terrarium.Cli.Commands;

/// <summary>`terrariumctl route list|set|unset`: the routes instances declare as user.terrarium.route.NAME, as commands.</summary>
public static class RouteCommands
{
    public static Command Build()
    {
        var route = new Command("route", "List, set and unset the HTTP routes instances publish through every member's Traefik (user.terrarium.route.NAME)");
        route.Subcommands.Add(List());
        route.Subcommands.Add(Set());
        route.Subcommands.Add(Unset());
        return route;
    }

    private static Command List()
    {
        var c = new Command("list", "Every declared route of every instance in every project: its backend, the members that serve it, and conflicts or refusals");
        c.SetHandler(async (pr, ct) =>
        {
            var rows = await RouteListing.ListAsync(CommonOptions.Node(pr), ct);
            CommonOptions.Print(pr, rows.Select(RouteListRow.Of).ToList(), CliJsonContext.Default.ListRouteListRow, Table(rows));
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>The table (and csv) of `route list`; names and reasons are escaped, a refused key is the instance's own text.</summary>
    /// <remarks>An HTTPS column (each host's certificate) once the cluster has an ACME account (`cluster tls configure`).</remarks>
    public static TableData Table(IReadOnlyList<RouteRow> rows)
    {
        var https = rows.Any(r => r.Certificate is not null);
        return new([.. "HOST PATH ENTRY INSTANCE NAME BACKEND".Split(' '), "SERVED BY", "STATE", .. https ? new[] { "HTTPS" } : []],
            rows.Select(r => (IReadOnlyList<string>)[r.Host ?? "-", r.Path ?? "-", r.Entry, $"{r.Project}/{r.Instance}", EchoText.Escaped(r.Name),
                r.Backend ?? "-", r.ServedBy.Count == 0 ? "-" : string.Join(",", r.ServedBy),
                r.Reason is null ? r.State : $"{r.State}: {EchoText.Escaped(r.Reason, 256)}",
                .. https ? new[] { r.Certificate?.Describe() is { } c ? EchoText.Escaped(c, 256) : "-" } : []]).ToList());
    }

    private static Command Set()
    {
        var (instance, name, project) = Target();
        var value = new Argument<string>("route") { Description = $"HOST[/PATH]:PORT: the host clients ask for and the port the instance listens on, e.g. {Cluster.Routes.RouteGrammar.Example}" };
        var c = new Command("set", "Publish a route: set user.terrarium.route.NAME on the instance (checked with the agents' grammar first)") { instance, name, value, project };
        c.SetHandler(async (pr, ct) =>
        {
            var (target, key, route) = (Ref(pr, instance, project), pr.GetValue(name)!, pr.GetValue(value)!);
            RouteEdit.Check(key, route); // before LXD is asked: a refused route changes nothing
            using var lxd = CommonOptions.Node(pr).Lxd();
            await RouteEdit.SetAsync(lxd, target, key, route, ct);
            if (!CommonOptions.Write(pr, new RouteChangeOutput(target.Project, target.Name, RouteEdit.Key(key), route, true), CliJsonContext.Default.RouteChangeOutput))
                Console.WriteLine($"{target}: {RouteEdit.Key(key)} = {route}; every member's agent renders it in a few seconds (see `terrariumctl route list`).");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static Command Unset()
    {
        var (instance, name, project) = Target();
        var c = new Command("unset", "Withdraw a route: remove user.terrarium.route.NAME from the instance") { instance, name, project };
        c.SetHandler(async (pr, ct) =>
        {
            var (target, key) = (Ref(pr, instance, project), pr.GetValue(name)!);
            RouteEdit.Check(key, null);
            using var lxd = CommonOptions.Node(pr).Lxd();
            if (!await RouteEdit.UnsetAsync(lxd, target, key, ct))
                throw new InputException($"{target} has no route named {key}; nothing changed.");
            if (!CommonOptions.Write(pr, new RouteChangeOutput(target.Project, target.Name, RouteEdit.Key(key), null, true), CliJsonContext.Default.RouteChangeOutput))
                Console.WriteLine($"{target}: {RouteEdit.Key(key)} removed; the members stop serving it in a few seconds.");
            return ExitCodes.Ok;
        });
        return c;
    }

    private static (Argument<string> Instance, Argument<string> Name, Option<string?> Project) Target() =>
        (new Argument<string>("instance") { Description = "Instance that serves the route" },
         new Argument<string>("name") { Description = "Route name: the NAME in user.terrarium.route.NAME, e.g. web" },
         new Option<string?>("--project") { Description = "Project of the instance (default: default)" });

    private static InstanceRef Ref(ParseResult pr, Argument<string> instance, Option<string?> project) =>
        InstanceRef.Of(pr.GetValue(project), pr.GetValue(instance)!);
}
