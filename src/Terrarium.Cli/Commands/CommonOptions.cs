using System.CommandLine;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Lxd;
using Terrarium.Host.Tools;
using Terrarium.Operations;

namespace Terrarium.Cli.Commands;

/// <summary>Options every node command shares: where the node's files live and how to reach its LXD.</summary>
public static class CommonOptions
{
    public static readonly Option<string> Root = new("--root")
    {
        Description = "Root prefix for every host path Terrarium touches (env TERRARIUM_ROOT)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TERRARIUM_ROOT") is { Length: > 0 } r ? r : "/",
    };

    public static readonly Option<string?> LxdSocket = new("--lxd-socket")
    {
        Description = "LXD or Incus unix socket (default: $LXD_DIR, $INCUS_SOCKET, $INCUS_DIR, then the snap, Debian or Incus socket that exists)",
        Recursive = true,
    };

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "Output format: table or json",
        Recursive = true,
        DefaultValueFactory = _ => "table",
    };

    public static void AddTo(RootCommand root)
    {
        Output.AcceptOnlyFromAmong("table", "json");
        root.Options.Add(Root);
        root.Options.Add(LxdSocket);
        root.Options.Add(Output);
    }

    public static NodeLayout Layout(ParseResult pr)
    {
        var root = pr.GetValue(Root)!;
        if (!Path.IsPathFullyQualified(root)) throw new InputException($"--root '{root}' must be an absolute path.");
        return new NodeLayout(root);
    }

    public static string Socket(ParseResult pr) => LxdSocketLocator.Locate(pr.GetValue(LxdSocket));

    public static bool Json(ParseResult pr) => pr.GetValue(Output) == "json";

    /// <summary>This node as operations see it: paths under --root, tools from the environment, the local LXD.</summary>
    public static NodeEnvironment Node(ParseResult pr) =>
        new(Layout(pr), ToolPaths.FromEnvironment(), Socket(pr), message => Console.Error.WriteLine(message));
}
