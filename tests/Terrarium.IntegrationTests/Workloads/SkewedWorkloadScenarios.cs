using Terrarium.IntegrationTests.Support;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// Issue #13: the whole workload scenario (moves, evacuation, routes, OVN, reboots, projects, remove --move) on real
/// LXD 5.0.2 daemons that answer as snap LXD 5.21.1 through the lab's skew proxy, the cluster formed by `lab up
/// --lxd-behaviour 5.21` (init, invite, join and agents all through the proxy).
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
public class Issue13_WorkloadOnLxd521(TerrariumLab521 lab) : WorkloadSteps(lab), IClassFixture<TerrariumLab521>
{
    [Fact]
    public Task S00a_L13_every_node_answers_as_LXD_5_21_through_the_proxy() => lab.Steps.RunAsync(async () =>
    {
        for (var i = 1; i <= 3; i++)
        {
            using var lxd = lab.Client(i);
            Assert.Equal("LXD 5.21.1", (await lxd.GetServerProfileAsync()).ToString());
        }
    });
}
