using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Lxd;
using Terrarium.Operations.Ovn;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Operations;

/// <summary>Incus gets one OVN client identity in its cluster-wide keys; LXD keeps its per-member files.</summary>
public class DaemonOvnClientTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task I13_incus_gets_an_ovn_client_certificate_of_the_ca_once_and_again_after_a_ca_rotation()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Incus604);
        using var lxd = LxdClient.ForSocket(fake.Socket);
        var ca = OvnPki.CreateCa(Now);
        Task<bool> EnsureAsync(PemPair with) => Task.Run(async () => await DaemonOvnClient.EnsureAsync(lxd, (await lxd.GetServerAsync()).Config, with, Now, _ => { }, CancellationToken.None));

        Assert.True(await EnsureAsync(ca));
        Assert.Equal(ca.CertificatePem, fake.Config[DaemonOvnClient.CaKey]);
        Assert.True(OvnPki.IsValidFor(fake.Config[DaemonOvnClient.CertificateKey], ca.CertificatePem, DaemonOvnClient.Identity, Now));
        Assert.Contains("PRIVATE KEY", fake.Config[DaemonOvnClient.PrivateKeyKey]);
        Assert.False(await EnsureAsync(ca)); // current: untouched

        var rotated = OvnPki.CreateCa(Now);
        Assert.True(await EnsureAsync(rotated));
        Assert.True(OvnPki.IsValidFor(fake.Config[DaemonOvnClient.CertificateKey], rotated.CertificatePem, DaemonOvnClient.Identity, Now));
    }

    [Fact]
    public async Task I13_lxd_keeps_reading_each_members_own_files()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        using var lxd = LxdClient.ForSocket(fake.Socket);
        var ca = OvnPki.CreateCa(Now);
        Assert.False(await DaemonOvnClient.EnsureAsync(lxd, (await lxd.GetServerAsync()).Config, ca, Now, _ => { }, CancellationToken.None));
        Assert.DoesNotContain(DaemonOvnClient.CertificateKey, fake.Config.Keys);
    }

    [Fact]
    public void I13_the_daemon_identity_can_never_be_a_member_name() =>
        Assert.Throws<Terrarium.Cluster.Validation.InputException>(() => MemberName.Validate(DaemonOvnClient.Identity));
}
