using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Lxd;

namespace Terrarium.Operations;

/// <summary>Everything an operation needs to act on this node: paths, tools, the local LXD, a log and a clock.</summary>
public sealed class NodeEnvironment(NodeLayout layout, ToolPaths tools, string lxdSocket, Action<string> log, Func<DateTimeOffset>? clock = null)
{
    public NodeLayout Layout { get; } = layout;
    public ToolPaths Tools { get; } = tools;
    public string LxdSocket { get; } = lxdSocket;
    public Action<string> Log { get; } = log;
    public Func<DateTimeOffset> Clock { get; } = clock ?? (() => DateTimeOffset.UtcNow);

    public LxdClient Lxd() => LxdClient.ForSocket(LxdSocket);
}
