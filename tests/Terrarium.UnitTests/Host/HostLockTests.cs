using Terrarium.Host.Files;

namespace Terrarium.UnitTests.Host;

public class HostLockTests
{
    [Fact]
    public async Task A_second_holder_waits_until_the_first_releases()
    {
        var path = Path.Join(Path.GetTempPath(), $"terrarium-lock-{Guid.NewGuid():N}", "converge.lock");
        var first = await HostLock.AcquireAsync(path, TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => HostLock.AcquireAsync(path, TimeSpan.FromMilliseconds(300)));
        var second = HostLock.AcquireAsync(path, TimeSpan.FromSeconds(5));
        first.Dispose();
        (await second).Dispose();
    }
}
