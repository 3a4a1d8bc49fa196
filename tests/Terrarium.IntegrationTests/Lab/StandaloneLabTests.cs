using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;

namespace Terrarium.IntegrationTests.Lab;

/// <summary>Two real LXD daemons in two namespaces, listed through the C# client.</summary>
[Collection(LabQueue.Lxd)]
public class StandaloneLabTests(StandaloneLab lab) : IClassFixture<StandaloneLab>
{
    [Fact]
    public async Task Two_lxd_daemons_in_two_namespaces_list_their_own_instances()
    {
        for (var i = 1; i <= 2; i++)
        {
            using var lxd = lab.Client(i);
            var reports = 0;
            await lxd.LaunchInstanceAsync(new InstancesPost
            {
                Name = $"c-node{i}", Source = new InstanceSource { Alias = LabRunner.ImageAlias },
            }, progress: new SyncProgress<Operation>(_ => reports++));
            Assert.True(reports >= 1);
        }
        for (var i = 1; i <= 2; i++)
        {
            using var lxd = lab.Client(i);
            var info = await lxd.GetServerAsync();
            Assert.Equal("trusted", info.Auth);
            Assert.Contains($"{lab.Node(i).Address}:{LabRunner.LxdPort}", info.Environment.Addresses);
            var instances = await lxd.GetInstancesAsync();
            var only = Assert.Single(instances);
            Assert.Equal($"c-node{i}", only.Name);
            Assert.Equal("Running", only.Status);
        }
    }

    [Fact]
    public async Task Each_daemon_runs_in_its_own_network_namespace()
    {
        var status = await lab.Lab.StatusAsync();
        Assert.Equal(2, status.Count);
        var namespaces = status.Select(s => File.ResolveLinkTarget($"/proc/{s.DaemonPid}/ns/net", false)!.FullName).ToList();
        Assert.Equal(2, namespaces.Distinct().Count());
        Assert.DoesNotContain(File.ResolveLinkTarget("/proc/self/ns/net", false)!.FullName, namespaces);
    }
}
