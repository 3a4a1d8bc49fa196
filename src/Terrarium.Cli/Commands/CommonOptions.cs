using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using Terrarium.Cli.Output;
using Terrarium.Cli.Usage;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Lxd;
using Terrarium.Host.Tools;
using Terrarium.Operations;

namespace Terrarium.Cli.Commands;

/// <summary>Options every node command shares: where the node's files live and how to reach its LXD.</summary>
public static class CommonOptions
{
    public static readonly Option<string> Root = ValueOptions.Judged(new Option<string>("--root")
    {
        Description = "Root prefix for every host path Terrarium touches (env TERRARIUM_ROOT)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TERRARIUM_ROOT") is { Length: > 0 } r ? r : "/",
    }, root => AbsoluteRoot(root));

    public static readonly Option<string?> LxdSocket = ValueOptions.Judged(new Option<string?>("--lxd-socket")
    {
        Description = "LXD or Incus unix socket (default: $LXD_DIR, $INCUS_SOCKET, $INCUS_DIR, then the snap, Debian or Incus socket that exists)",
        Recursive = true,
    }, socket => LxdSocketLocator.Locate(socket, _ => null, _ => false));

    public static readonly Option<string> Output = OutputOption();

    public static readonly Option<bool> Debug = new("--debug")
    {
        Description = "Log each LXD request and host program run to stderr, secrets redacted (env TERRARIUM_DEBUG=1)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TERRARIUM_DEBUG") is "1" or "true",
    };

    private static Option<string> OutputOption()
    {
        // Set up once: the tree may be built more than once in a process (the unit tests), validators must not pile up.
        var output = new Option<string>("--output", "-o") { Description = "Output format: table, json, yaml or csv", Recursive = true, DefaultValueFactory = _ => Formatted.Table };
        output.AcceptOnlyFromAmong(Formatted.Names);
        return output;
    }

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Root);
        root.Options.Add(LxdSocket);
        root.Options.Add(Output);
        root.Options.Add(Debug);
    }

    /// <summary>
    /// Sends the LXD client's and the process runner's debug lines to stderr when --debug (or TERRARIUM_DEBUG=1) is
    /// given. Completion asks LXD while the user types, so it stays silent whatever the environment says.
    /// </summary>
    public static void StartDebugOutput(ParseResult pr)
    {
        if (!pr.GetValue(Debug) || pr.CommandResult.Command.Name == CompleteCommand.Name) return;
        Action<string> write = line => Console.Error.WriteLine(line);
        Terrarium.Lxd.Transport.LxdRequestLog.Sink = write;
        Terrarium.Host.Processes.ProcessLog.Sink = write;
    }

    public static NodeLayout Layout(ParseResult pr)
    {
        return new NodeLayout(AbsoluteRoot(pr.GetValue(Root)!));
    }

    private static string AbsoluteRoot(string root) =>
        Path.IsPathFullyQualified(root) ? root : throw new InputException($"--root {ValueOptions.Shown(root)} must be an absolute path.");

    public static string Socket(ParseResult pr) => LxdSocketLocator.Locate(pr.GetValue(LxdSocket));

    public static string Format(ParseResult pr) => pr.GetValue(Output) ?? Formatted.Table;

    /// <summary>A machine format (json, yaml, csv): the human lines around a table are left out.</summary>
    public static bool Structured(ParseResult pr) => Format(pr) != Formatted.Table;

    /// <summary>Writes the result in the chosen machine format and returns true; false means print the table.</summary>
    public static bool Write<T>(ParseResult pr, T value, JsonTypeInfo<T> type, Func<TableData>? table = null) =>
        Formatted.Write(Format(pr), value, type, table);

    /// <summary>A listing: the chosen machine format, else <paramref name="table"/> as an aligned table.</summary>
    public static void Print<T>(ParseResult pr, T value, JsonTypeInfo<T> type, TableData table)
    {
        if (!Write(pr, value, type, () => table)) Console.Write(TableWriter.Render(table));
    }

    /// <summary>This node as operations see it: paths under --root, tools from the environment, the local LXD.</summary>
    public static NodeEnvironment Node(ParseResult pr) =>
        new(Layout(pr), ToolPaths.FromEnvironment(), Socket(pr), message => Console.Error.WriteLine(message));
}
