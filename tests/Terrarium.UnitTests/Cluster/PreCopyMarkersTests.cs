using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class PreCopyMarkersTests
{
    [Theory]
    [InlineData("web1")]
    [InlineData("a-very-long-instance-name-that-fills-the-whole-sixty-three-chars")]
    public void The_copy_name_is_a_valid_instance_name_the_same_on_every_run_and_distinct_per_instance(string name)
    {
        var copy = PreCopyMarkers.CopyName(name);
        InstanceName.Validate(copy);
        Assert.True(copy.Length <= 63);
        Assert.Equal(copy, PreCopyMarkers.CopyName(name));
        Assert.NotEqual(copy, PreCopyMarkers.CopyName(name + "x"));
    }

    [Fact]
    public void The_copy_keeps_the_identity_the_source_had_and_drops_the_rest_of_its_volatile_keys()
    {
        var source = new Dictionary<string, string>
        {
            ["volatile.eth0.hwaddr"] = "00:16:3e:aa:bb:cc", ["volatile.eth1.hwaddr"] = "00:16:3e:aa:bb:cd",
            ["volatile.cloud-init.instance-id"] = "id-1", ["volatile.evacuate.origin"] = "node1", ["volatile.uuid"] = "u1",
            ["volatile.eth0.host_name"] = "veth1", ["volatile.base_image"] = "abc", ["volatile.idmap.next"] = "[]",
            ["user.terrarium.route.web"] = "a.example.com:80", ["limits.memory"] = "1GiB",
            ["user.terrarium.move.of"] = "stale", // markers of an earlier move never travel
        };
        var markers = PreCopyMarkers.For("web1", true, source, new Dictionary<string, string> { ["eth0"] = "10.42.0.5" });
        var copy = PreCopyMarkers.CopyConfig(source, markers);
        Assert.Equal(["limits.memory", "user.terrarium.move.keep.cloud-init.instance-id", "user.terrarium.move.keep.eth0.hwaddr",
            "user.terrarium.move.keep.eth1.hwaddr", "user.terrarium.move.keep.evacuate.origin", "user.terrarium.move.of",
            "user.terrarium.move.ovn.eth0", "user.terrarium.move.running", "user.terrarium.route.web", "volatile.base_image"], copy.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("web1", copy[PreCopyMarkers.Of]);

        var kept = PreCopyMarkers.KeptVolatile(copy);
        Assert.Equal(new Dictionary<string, string>
        {
            ["volatile.eth0.hwaddr"] = "00:16:3e:aa:bb:cc", ["volatile.eth1.hwaddr"] = "00:16:3e:aa:bb:cd",
            ["volatile.cloud-init.instance-id"] = "id-1", ["volatile.evacuate.origin"] = "node1",
        }, kept);
        Assert.False(PreCopyMarkers.Pinned(copy));
        foreach (var (k, v) in kept) copy[k] = v;
        Assert.True(PreCopyMarkers.Pinned(copy));
        Assert.Equal(new Dictionary<string, string> { ["eth0"] = "10.42.0.5" }, PreCopyMarkers.OvnAddresses(copy));
        Assert.All(PreCopyMarkers.Cleared(copy), kv => Assert.True(kv.Value == "" && PreCopyMarkers.IsMarker(kv.Key)));
        Assert.Equal(7, PreCopyMarkers.Cleared(copy).Count);
    }
}
