using System.Reflection;

namespace Terrarium.IntegrationTests.Support;

/// <summary>Every test class is in one of the two lab queues, so at most two labs ever run at once.</summary>
[Collection(LabQueue.Lxd)]
public class LabQueueTests
{
    [Fact]
    public void Every_test_class_runs_in_one_of_the_two_lab_queues()
    {
        string[] queues = [LabQueue.Lxd, LabQueue.Incus];
        var outside = typeof(LabQueueTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethods().Any(m => m.GetCustomAttribute<FactAttribute>() is not null))
            .Where(t => !t.GetCustomAttributesData().Any(a => a.AttributeType == typeof(CollectionAttribute) &&
                                                              queues.Contains(a.ConstructorArguments[0].Value as string)))
            .Select(t => t.Name).ToList();
        Assert.True(outside.Count == 0, $"not in a lab queue: {string.Join(", ", outside)}");
    }
}
