using Terrarium.Operations;

namespace Terrarium.UnitTests.Operations;

/// <summary>The one bounded wait: asked at once, then every interval, once more at the bound, all on the given clock.</summary>
public class PollTests
{
    [Fact]
    public async Task A_yes_at_once_waits_for_nothing()
    {
        var time = new SteppingTime();
        Assert.True(await Poll.UntilAsync(_ => Task.FromResult(true), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), time, CancellationToken.None));
        Assert.Equal(TimeSpan.Zero, time.Elapsed);
    }

    [Fact]
    public async Task A_later_yes_ends_the_wait_at_the_interval_it_came()
    {
        var time = new SteppingTime();
        var asked = 0;
        Assert.True(await Poll.UntilAsync(_ => Task.FromResult(++asked == 4), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(250), time, CancellationToken.None));
        Assert.Equal((4, TimeSpan.FromMilliseconds(750)), (asked, time.Elapsed));
    }

    [Fact]
    public async Task No_yes_within_the_bound_is_false_after_asking_once_more_at_the_bound()
    {
        var time = new SteppingTime();
        var asked = 0;
        Assert.False(await Poll.UntilAsync(_ => Task.FromResult(++asked < 0), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), time, CancellationToken.None));
        Assert.Equal((6, TimeSpan.FromSeconds(5)), (asked, time.Elapsed));
    }

    [Fact]
    public async Task A_cancelled_wait_throws_instead_of_answering()
    {
        using var cut = new CancellationTokenSource();
        await cut.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Poll.UntilAsync(_ => Task.FromResult(false), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeProvider.System, cut.Token));
    }
}
