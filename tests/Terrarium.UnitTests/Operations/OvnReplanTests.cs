using Terrarium.Cluster.Config;
using Terrarium.Cluster.Layout;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Lifecycle;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Store;

namespace Terrarium.UnitTests.Operations;

/// <summary>O-2/O-3 with the LXD API in memory: the replan `cluster remove` and `ovn configure` make.</summary>
public sealed class OvnReplanTests : IDisposable
{
    private readonly NodeLayout _layout = new(Directory.CreateTempSubdirectory("terrarium-ovn-").FullName);
    private readonly InMemoryLxd _lxd = new();

    public void Dispose() => Directory.Delete(_layout.Root, recursive: true);

    private NodeEnvironment Node() => new(_layout, ToolPaths.FromEnvironment() with { Runner = new RecordingRunner() }, "/in-memory", _ => { }, lxd: () => _lxd);

    private async Task<SharedConfigStore> ClusterAsync()
    {
        foreach (var n in new[] { "node1", "node2", "node3", "node4" }) _lxd.Members.Add((n, "Online", true));
        var store = new SharedConfigStore(_lxd);
        await store.EnsureProjectAsync();
        await store.PutOvnAsync(new OvnRecord { CaCertificate = "OLD CA", Signer = "node1", Central = ["node1", "node2", "node3"], Uplink = "lxdbr0" });
        return store;
    }

    [Fact]
    public async Task I10_removing_the_member_that_holds_the_ovn_ca_and_leads_raft_moves_both_to_the_survivors()
    {
        var store = await ClusterAsync();
        var env = Node();

        var record = await OvnPlanning.ReplanAsync(env, env.Lxd(), store, "node2", rotateCa: false, excluding: ["node1"]);

        Assert.Equal(["node2", "node3", "node4"], record.Central.Order());
        Assert.Equal("node2", record.Signer); // the member running `remove` makes the new CA
        Assert.NotEqual("OLD CA", record.CaCertificate);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_layout.OvnCaPrivateKey));
        var stored = (await store.LoadAsync()).Ovn!;
        Assert.Equal(record.Central, stored.Central);
        Assert.Equal("lxdbr0", stored.Uplink);
    }

    [Fact]
    public async Task C10_a_plan_writes_nothing_and_says_what_would_change()
    {
        var store = await ClusterAsync();
        var env = Node();

        var plan = await OvnPlanning.PlanAsync(env, env.Lxd(), store, "node2", rotateCa: false, excluding: ["node1"]);

        Assert.True(plan.Changes);
        Assert.True(plan.NewCa && plan.SignerGone);
        Assert.Equal(["node1", "node2", "node3"], plan.Current.Central);
        Assert.Equal("OLD CA", (await store.LoadAsync()).Ovn!.CaCertificate);
        Assert.False(File.Exists(_layout.OvnCaPrivateKey));
    }

    [Fact]
    public async Task C10_nothing_changes_when_the_set_and_its_ca_holder_are_current()
    {
        var store = await ClusterAsync();
        var env = Node();
        Directory.CreateDirectory(Path.GetDirectoryName(_layout.OvnCaPrivateKey)!);
        File.WriteAllText(_layout.OvnCaPrivateKey, "key");
        _lxd.Members.RemoveAll(m => m.Name == "node4");

        var plan = await OvnPlanning.PlanAsync(env, env.Lxd(), store, "node1", rotateCa: false);
        Assert.False(plan.Changes);
    }

    [Fact]
    public async Task C10_a_new_cap_that_moves_raft_servers_or_a_ca_rotation_asks_first_and_a_plain_repair_does_not()
    {
        var store = await ClusterAsync();
        var env = Node();
        async Task<bool> Asks(bool rotateCa, int? max) => OvnConfigureOperation.NeedsConfirmation(
            await OvnPlanning.PlanAsync(env, env.Lxd(), store, "node1", rotateCa, maxCentral: max), rotateCa, max);

        Assert.True(await Asks(rotateCa: false, max: 1)); // three raft servers become one
        Assert.True(await Asks(rotateCa: true, max: null)); // every member restarts its OVN daemons
        Assert.False(await Asks(rotateCa: false, max: 5)); // four members: the set stays three, only the cap is recorded
        Assert.False(await Asks(rotateCa: false, max: null)); // what the user guide runs
        _lxd.Members.RemoveAll(m => m.Name == "node3");
        Assert.False(await Asks(rotateCa: false, max: null)); // a repair after a member left: applied as the guide says
    }
}
