// Labs run in two queues side by side: the LXD labs (Debian's 5.0.2, also behind the skew proxy) and the Incus labs.
// Each queue runs one class at a time; a class joins a queue with [Collection(LabQueue.…)], and LabQueueTests checks
// that every class did (a class without one would run beside both).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]

namespace Terrarium.IntegrationTests.Support;

public static class LabQueue
{
    public const string Lxd = "LXD labs";
    public const string Incus = "Incus labs";
}
