using Terrarium.Tests.Shared;
using Terrarium.IntegrationTests.Support;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// The whole workload scenario on three real Incus 6.0.4 daemons (Debian bookworm-backports), the cluster
/// formed by `lab up --server incus` with terrariumctl; plus what only a real Incus shows: the server profile, operation
/// waits across Incus 6.0.4's error-envelope answers (behaviour 1), and terrariumctl finding the daemon by INCUS_DIR.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
[Collection(LabQueue.Incus)]
public class WorkloadOnIncus(TerrariumLabIncus lab) : WorkloadSteps(lab), IClassFixture<TerrariumLabIncus>
{
    /// <summary>
    /// Only two of three at once: what brings one member back (its boot units, the daemon starting what ran) is the
    /// same code on either daemon and runs on LXD; two at once is where the daemon's own database loses its majority.
    /// </summary>
    protected override int[][] RebootRounds => [[2, 3]];

    /// <summary>The swap's kill and resume run on LXD: the same daemon calls as the first move, the resume rules Terrarium's.</summary>
    protected override bool ResumesTheSwapToo => false;

    [Fact]
    public Task S00a_L13_every_node_is_incus_6_0_and_a_member_of_one_cluster() => lab.Steps.RunAsync(async () =>
    {
        for (var i = 1; i <= 3; i++)
        {
            using var incus = lab.Client(i);
            var profile = await incus.GetServerProfileAsync();
            Assert.True(profile.IsIncus, profile.ToString());
            Assert.StartsWith("Incus 6.0", profile.ToString());
            // Incus 6.0.4 reset it when a network.ovn.* change failed (LxdServerProfile.FailedPatchResetsUnnamedKeys).
            Assert.Equal($"10.255.54.{i}:8443", (await incus.GetServerAsync()).Config.GetValueOrDefault("cluster.https_address"));
        }
        using var first = lab.Client(1);
        Assert.All(await first.GetClusterMembersAsync(), m => Assert.Equal("Online", m.Status));
    });

    [Fact]
    public Task S00b_L13_B1_a_running_operation_is_waited_on_across_timeouts_and_a_cancelled_one_fails_with_its_reason() => lab.Steps.RunAsync(async () =>
    {
        using var incus = lab.Client(1);
        // A join token is an operation that runs until it is used or cancelled: every 1 s wait times out.
        var (_, _, operation) = await incus.CreateJoinTokenWithOperationAsync("node9");
        var reports = 0;
        using (var cut = new CancellationTokenSource(TimeSpan.FromSeconds(3.5)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                incus.WaitOperationAsync(operation, new Terrarium.Operations.Workloads.InlineProgress<Terrarium.Lxd.Wire.Operation>(_ => reports++), cut.Token));
        }
        Assert.True(reports >= 2, $"progress reported {reports} time(s) across the timed-out waits");

        var waiting = incus.WaitOperationAsync(operation);
        await Task.Delay(500);
        await incus.CancelOperationAsync(operation);
        var failed = await Assert.ThrowsAsync<Terrarium.Lxd.LxdOperationFailedException>(() => waiting);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
    });

    [Fact]
    public Task S00c_L13_terrariumctl_finds_incus_through_INCUS_DIR() => lab.Steps.RunAsync(async () =>
    {
        var r = await Terrarium.Host.Processes.SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0],
            [.. Terrariumctl.Command.Skip(1), "--root", lab.Node(1).TerrariumRoot, "-o", "json", "doctor"],
            env: new Dictionary<string, string> { ["LXD_DIR"] = "", ["INCUS_DIR"] = lab.Node(1).LxdDir }, timeout: TimeSpan.FromMinutes(1));
        using var json = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var daemon = json.RootElement.GetProperty("checks").EnumerateArray().First(c => c.GetProperty("check").GetString() == "daemon");
        Assert.True(daemon.GetProperty("result").GetString() == "PASS", r.StdOut + r.StdErr);
        Assert.Contains("Incus 6.0.4", daemon.GetProperty("detail").GetString());
    });
}
