using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Lxd;

namespace Terrarium.Operations;

/// <summary>Everything an operation needs to act on this node: paths, tools, the local LXD, a log and the time (a seam for tests).</summary>
/// <remarks>
/// The seams a unit test replaces: <paramref name="time"/>, <paramref name="lxd"/> (a factory of the LXD API, the real
/// client on <paramref name="lxdSocket"/> by default) and <see cref="ToolPaths.Runner"/> (every program Host runs).
/// </remarks>
public sealed class NodeEnvironment(NodeLayout layout, ToolPaths tools, string lxdSocket, Action<string> log, TimeProvider? time = null,
    Func<ILxdClient>? lxd = null, Func<CancellationToken, Task<ILxdEvents>>? events = null)
{
    public NodeLayout Layout { get; } = layout;
    public ToolPaths Tools { get; } = tools;
    public string LxdSocket { get; } = lxdSocket;
    public Action<string> Log { get; } = log;
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    public DateTimeOffset Clock() => Time.GetUtcNow();

    /// <summary>The same node with another log (a join holds its progress lines until its input can no longer be refused).</summary>
    public NodeEnvironment WithLog(Action<string> other) => new(Layout, Tools, LxdSocket, other, Time, lxd, events);

    /// <summary>A client of the local daemon; the caller disposes it.</summary>
    public ILxdClient Lxd() => lxd?.Invoke() ?? LxdClient.ForSocket(LxdSocket);

    /// <summary>LXD's lifecycle events of every project, as the agent follows them; the caller disposes the subscription.</summary>
    public async Task<ILxdEvents> LifecycleEventsAsync(CancellationToken ct) =>
        events is not null ? await events(ct)
            : await LxdEventStream.ConnectAsync(Terrarium.Lxd.Transport.LxdEndpoint.UnixSocket(LxdSocket), "lifecycle", allProjects: true, ct);

    /// <summary>A client whose every request gives up after <paramref name="timeout"/> (a check must not hang on a stuck daemon).</summary>
    /// <summary>
    /// LXD's GET /1.0 within <paramref name="bound"/>, or null when it does not answer in time or at all (a daemon
    /// waiting for its database leader accepts the connection and answers nothing).
    /// </summary>
    public async Task<Terrarium.Lxd.Wire.ServerInfo?> ServerWithinAsync(TimeSpan bound, CancellationToken ct)
    {
        using var client = Lxd(bound);
        try
        {
            return await client.GetServerAsync(ct);
        }
        catch (Exception e) when (e is LxdException or TimeoutException || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    public ILxdClient Lxd(TimeSpan timeout) => lxd?.Invoke() ?? new LxdClient(Terrarium.Lxd.Transport.LxdEndpoint.UnixSocket(LxdSocket), timeout);
}
