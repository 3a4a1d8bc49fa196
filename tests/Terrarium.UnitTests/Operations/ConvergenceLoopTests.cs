using Terrarium.Operations.Convergence;

namespace Terrarium.UnitTests.Operations;

/// <summary>The loop that runs the reconcilers for `reconfigure`, the agent and the commands.</summary>
public class ConvergenceLoopTests
{
    private sealed class FakeConcern(string name, bool contained, Exception? failure = null, List<string>? ran = null, bool endsPass = false,
        bool failureEndsPass = false) : IReconciler
    {
        public string Concern => name;
        public bool Contained => contained;
        public bool FailureEndsPass => failureEndsPass;

        public Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
        {
            ran?.Add(name);
            return failure is null ? Task.FromResult(new ReconcileOutcome(name, Changed: true) { EndsPass = endsPass }) : Task.FromException<ReconcileOutcome>(failure);
        }
    }

    [Fact]
    public async Task C11_reconcilers_run_in_order_and_a_contained_failure_is_reported_while_the_rest_goes_on()
    {
        var ran = new List<string>();
        var loop = new ConvergenceLoop([
            new FakeConcern("mesh", false, ran: ran),
            new FakeConcern("ovn", true, new TimeoutException("ovn-nbctl did not finish in time."), ran),
            new FakeConcern("routes", false, ran: ran),
        ]);
        var outcomes = await loop.RunAsync(null!, CancellationToken.None);
        Assert.Equal(["mesh", "ovn", "routes"], ran);
        Assert.Equal(["mesh", "ovn", "routes"], outcomes.Select(o => o.Concern));
        var ovn = outcomes[1];
        Assert.False(ovn.Changed);
        Assert.Equal("ovn-nbctl did not finish in time.", ovn.Error);
    }

    [Fact]
    public async Task C11_a_failure_of_the_mesh_or_firewall_stops_the_pass()
    {
        var ran = new List<string>();
        var loop = new ConvergenceLoop([new FakeConcern("firewall", false, new IOException("nft: syntax error"), ran), new FakeConcern("ovn", true, ran: ran)]);
        await Assert.ThrowsAsync<IOException>(() => loop.RunAsync(null!, CancellationToken.None));
        Assert.Equal(["firewall"], ran);
    }

    [Fact]
    public async Task C11_a_bug_in_a_contained_concern_is_not_swallowed() =>
        await Assert.ThrowsAsync<NullReferenceException>(() =>
            new ConvergenceLoop([new FakeConcern("ovn", true, new NullReferenceException())]).RunAsync(null!, CancellationToken.None));

    [Fact]
    public async Task C11_an_ovn_step_that_fails_ends_the_ovn_pass_with_its_error_and_the_steps_before_it_reported()
    {
        var ran = new List<string>();
        var loop = new ConvergenceLoop([
            new FakeConcern("ovn-certificates", true, ran: ran, failureEndsPass: true),
            new FakeConcern("ovn-chassis", true, new TimeoutException("ovs-vsctl did not finish in time."), ran, failureEndsPass: true),
            new FakeConcern("ovn-central", true, ran: ran, failureEndsPass: true),
        ]);
        var outcomes = await loop.RunAsync(null!, CancellationToken.None);
        Assert.Equal(["ovn-certificates", "ovn-chassis"], ran);
        Assert.Equal([null, "ovn-chassis"], outcomes.Select(o => o.Error is null ? null : o.Concern));
        Assert.True(outcomes[1].EndsPass);
    }

    [Fact]
    public async Task C11_an_outcome_may_end_the_pass_itself()
    {
        var ran = new List<string>();
        var outcomes = await new ConvergenceLoop([new FakeConcern("ovn-certificates", true, ran: ran, endsPass: true), new FakeConcern("ovn-chassis", true, ran: ran)])
            .RunAsync(null!, CancellationToken.None);
        Assert.Equal(["ovn-certificates"], ran);
        Assert.Single(outcomes);
    }
}
