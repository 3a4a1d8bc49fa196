namespace Terrarium.Lxd;

/// <summary>A subscription to LXD's events: the daemon's /1.0/events websocket (<see cref="LxdEventStream"/>), or a test's.</summary>
public interface ILxdEvents : IAsyncDisposable
{
    /// <summary>Yields events until the subscription ends or <paramref name="ct"/> is cancelled.</summary>
    IAsyncEnumerable<Wire.LxdEvent> ReadAllAsync(CancellationToken ct = default);
}
