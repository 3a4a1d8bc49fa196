using System.Text.Json;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Lxd.Wire;

namespace Terrarium.UnitTests.Lxd;

/// <summary>LXD answers null for the config of an instance whose member is offline; the client's serialisers must never hand readers that null.</summary>
public class WireNullTests
{
    private const string OfflineMemberInstance =
        """[{"name":"c1","status":"Error","location":"node3","config":null,"expanded_config":null,"profiles":null,"expanded_devices":null,"project":null}]""";

    [Fact]
    public void Null_collections_and_strings_from_lxd_read_as_empty()
    {
        var i = JsonSerializer.Deserialize(OfflineMemberInstance, LxdJson.Info<List<Instance>>())!.Single();
        Assert.Empty(i.Config);
        Assert.Empty(i.ExpandedConfig);
        Assert.Empty(i.Profiles);
        Assert.Empty(i.ExpandedDevices);
        Assert.Equal("", i.Project);
    }

    [Fact]
    public void T3_route_planning_skips_an_instance_on_an_offline_member()
    {
        var i = JsonSerializer.Deserialize(OfflineMemberInstance, LxdJson.Info<List<Instance>>())!.Single();
        var plan = RoutePlanner.Plan([new RoutedInstance(i.Name, PowerStates.Parse(i.Status), i.Location, i.Config, null)], new HashSet<string> { "node1" });
        Assert.Empty(plan.Backends);
        Assert.Empty(plan.Errors);
    }
}
