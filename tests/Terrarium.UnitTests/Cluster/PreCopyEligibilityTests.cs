using Terrarium.Cluster.Placement;

namespace Terrarium.UnitTests.Cluster;

public class PreCopyEligibilityTests
{
    private static readonly Dictionary<string, Dictionary<string, string>> Plain = new()
    {
        ["root"] = new() { ["type"] = "disk", ["path"] = "/", ["pool"] = "default" },
        ["eth0"] = new() { ["type"] = "nic", ["network"] = "terrarium-ovn" },
    };

    private static string? Refusal(string type = "container", bool ephemeral = false, Dictionary<string, string>? config = null,
        Dictionary<string, Dictionary<string, string>>? devices = null, string driver = "dir", bool restricted = false) =>
        PreCopyEligibility.Refusal(type, ephemeral, config ?? [], devices ?? Plain, driver, restricted);

    [Theory]
    [InlineData("dir")]
    [InlineData("zfs")]
    [InlineData("btrfs")]
    [InlineData("lvm")]
    public void A_plain_running_container_on_a_copying_pool_is_moved_by_pre_copy(string driver) => Assert.Null(Refusal(driver: driver));

    public static TheoryData<string, string?> Refused() => new()
    {
        { "vm", "virtual machine" },
        { "ephemeral", "ephemeral" },
        { "ceph", "shared by every member" },
        { "powerflex", "no incremental refresh" },
        { "restricted", "restricted" },
        { "protected", "security.protection.delete" },
        { "disk", "disk device data" },
        { "gpu", "gpu device gpu0" },
        { "physical", "host interface" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void What_a_pre_copy_cannot_move_is_said_before_anything_is_copied(string what, string? says)
    {
        var devices = new Dictionary<string, Dictionary<string, string>>(Plain);
        if (what == "disk") devices["data"] = new() { ["type"] = "disk", ["path"] = "/srv", ["source"] = "/srv/data" };
        if (what == "gpu") devices["gpu0"] = new() { ["type"] = "gpu" };
        if (what == "physical") devices["eth1"] = new() { ["type"] = "nic", ["nictype"] = "physical", ["parent"] = "enp5s0" };
        var refusal = Refusal(type: what == "vm" ? "virtual-machine" : "container", ephemeral: what == "ephemeral",
            config: what == "protected" ? new() { ["security.protection.delete"] = "true" } : null, devices: devices,
            driver: what == "ceph" ? "ceph" : what == "powerflex" ? "powerflex" : "dir", restricted: what == "restricted");
        Assert.NotNull(refusal);
        Assert.Contains(says!, refusal);
    }

    [Fact]
    public void Too_little_space_on_the_target_is_refused_up_front_and_unknown_sizes_are_not()
    {
        Assert.Contains("has 900 MiB free and the instance needs 1.1 GiB",
            PreCopyEligibility.SpaceRefusal("node2", "default", 1L << 30, 900L << 20));
        Assert.Null(PreCopyEligibility.SpaceRefusal("node2", "default", 1L << 30, 2L << 30));
        Assert.Null(PreCopyEligibility.SpaceRefusal("node2", "default", null, 1L << 20)); // a dir pool without quotas reports no usage
    }
}
