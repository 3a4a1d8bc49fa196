using Terrarium.Cluster.Config;
using Terrarium.Host.Ovn;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Ovn;

namespace Terrarium.UnitTests.Operations;

/// <summary>The OVN pass's steps, in order, read back as one result for the agent's timing, `reconfigure` and join's wait.</summary>
public class OvnReconcilersTests
{
    private static OvnPass Pass(bool central) => new(SharedConfig.Empty, new OvnRecord { Signer = "node1", Central = central ? ["node1"] : [] },
        new NodeIdentity { Member = "node1", MeshAddress = "10.255.54.1" }, new MemberRecord { Name = "node1" }, null, [], new OvnRemotes("", ""), false);

    [Fact]
    public void The_steps_run_certificates_first_then_chassis_central_lxd_signer_repair_host_port_and_nics()
    {
        var env = new Terrarium.Operations.NodeEnvironment(new Terrarium.Cluster.Layout.NodeLayout("/nonexistent"), Terrarium.Host.Tools.ToolPaths.FromEnvironment(),
            "/in-memory", _ => { });
        var steps = OvnReconcilers.Create(env);
        Assert.Equal(["ovn-certificates", "ovn-chassis", "ovn-central", "ovn-northbound", "ovn-signer", "ovn-repair", "ovn-host-port", "ovn-nics"], steps.Select(s => s.Concern));
        Assert.All(steps, s => Assert.True(s.Contained && s.FailureEndsPass, s.Concern)); // OVN never stops the host's pass; each step needs the ones before
    }

    [Fact]
    public void A_pass_without_a_certificate_is_awaiting_it()
    {
        var r = OvnReconcilers.Result(null, [new OvnCertificateOutcome(OvnResult.AwaitingCertificate, 0, true) { EndsPass = true }]);
        Assert.Equal(OvnResult.AwaitingCertificate, r!.State);
        Assert.True(r.Changed); // its request was recorded
        Assert.False(r.MembershipPending);
    }

    [Fact]
    public void A_ready_pass_carries_what_its_steps_found()
    {
        var pass = Pass(central: true);
        pass.Pending = true;
        pass.HostAddress = "10.20.0.2";
        var r = OvnReconcilers.Result(pass, [new OvnCertificateOutcome(OvnResult.Ready, 2, false), new ReconcileOutcome("ovn-chassis", false), new ReconcileOutcome("ovn-central", true)]);
        Assert.Equal(new OvnResult(OvnResult.Ready, true, 2, true) { MembershipPending = true, HostAddress = "10.20.0.2" }, r);
    }

    [Fact]
    public void A_failed_step_leaves_no_result_its_error_is_the_passs()
    {
        var r = OvnReconcilers.Result(Pass(central: false), [new OvnCertificateOutcome(OvnResult.Ready, 0, false), new ReconcileOutcome("ovn-chassis", false, "ovs-vsctl: database connection failed")]);
        Assert.Null(r);
    }
}
