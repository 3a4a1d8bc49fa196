namespace Terrarium.UnitTests.Operations;

/// <summary>A clock that moves on by exactly what is waited for, at once; <see cref="OnWait"/> sees the time so far.</summary>
public sealed class SteppingTime(DateTimeOffset? start = null) : TimeProvider
{
    private readonly DateTimeOffset _start = start ?? DateTimeOffset.UnixEpoch;
    public TimeSpan Elapsed { get; private set; }
    public Action<TimeSpan>? OnWait { get; init; }

    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Elapsed += dueTime;
            OnWait?.Invoke(Elapsed);
        }
        callback(state);
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
