namespace Terrarium.Operations;

/// <summary>
/// The one "ask until yes or a bound passes" of Operations, on the node's <see cref="TimeProvider"/>: a test's clock
/// then drives both the waits and the deadline, and every bounded wait reads the same.
/// </summary>
public static class Poll
{
    /// <summary>
    /// True as soon as <paramref name="done"/> says so; false once <paramref name="within"/> has passed without it.
    /// <paramref name="done"/> is asked at once, then every <paramref name="every"/>, and once more at the bound.
    /// </summary>
    public static async Task<bool> UntilAsync(Func<CancellationToken, Task<bool>> done, TimeSpan within, TimeSpan every, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + within;
        while (true)
        {
            if (await done(ct)) return true;
            if (time.GetUtcNow() >= deadline) return false;
            await Task.Delay(every, time, ct);
        }
    }
}
