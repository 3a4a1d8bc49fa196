using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Lxd;

namespace Terrarium.Operations;

/// <summary>Everything an operation needs to act on this node: paths, tools, the local LXD, a log and the time (a seam for tests).</summary>
public sealed class NodeEnvironment(NodeLayout layout, ToolPaths tools, string lxdSocket, Action<string> log, TimeProvider? time = null)
{
    public NodeLayout Layout { get; } = layout;
    public ToolPaths Tools { get; } = tools;
    public string LxdSocket { get; } = lxdSocket;
    public Action<string> Log { get; } = log;
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public DateTimeOffset Clock() => Time.GetUtcNow();

    public LxdClient Lxd() => LxdClient.ForSocket(LxdSocket);
}
