using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;

namespace Terrarium.IntegrationTests.Lxd;

/// <summary>The LXD client against a real 2-member LXD cluster: members, HTTPS, ETags, events, operations.</summary>
[Collection(LabQueue.Lxd)]
public class ClusteredLabTests(ClusteredLab lab) : IClassFixture<ClusteredLab>
{
    [Fact]
    public async Task Members_are_online_and_instances_carry_their_location()
    {
        using var lxd = lab.Client(1);
        var members = await lxd.GetClusterMembersAsync();
        Assert.Equal(["node1", "node2"], members.Select(m => m.ServerName).Order());
        Assert.All(members, m => Assert.Equal("Online", m.Status));

        await lxd.CreateInstanceAsync(new InstancesPost { Name = "loc2", Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, target: "node2");
        using var other = lab.Client(2);
        var seen = await other.GetInstanceAsync("loc2");
        Assert.Equal("node2", seen.Location);
        Assert.Equal("Stopped", seen.Status);
        await lxd.DeleteInstanceAsync("loc2");
        Assert.False(await lxd.ExistsAsync("/1.0/instances/loc2"));
    }

    [Fact]
    public async Task Https_with_a_trusted_client_certificate_and_a_pinned_server_certificate()
    {
        using var local = lab.Client(1);
        var serverPem = (await local.GetServerAsync()).Environment.Certificate;
        var server = X509Certificate2.CreateFromPem(serverPem);
        using var trustedCert = SelfSigned("trm-it-trusted");
        await local.AddTrustedCertificateAsync("trm-it", trustedCert.RawData);

        // From the root namespace, over the underlay, to the *other* member.
        var url = new Uri($"https://{lab.Node(2).Address}:{LabRunner.LxdPort}");
        using (var remote = new LxdClient(LxdEndpoint.Https(url, trustedCert, server)))
        {
            Assert.Equal("trusted", (await remote.GetServerAsync()).Auth);
            Assert.Equal(2, (await remote.GetClusterMembersAsync()).Count);
        }

        using var strangerCert = SelfSigned("trm-it-stranger");
        using (var stranger = new LxdClient(LxdEndpoint.Https(url, strangerCert, server)))
        {
            Assert.Equal("untrusted", (await stranger.GetServerAsync()).Auth);
            var denied = await Assert.ThrowsAsync<LxdException>(() => stranger.GetInstancesAsync());
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, denied.Status);
        }

        // A server that does not present the pinned certificate is refused before any request is sent.
        using var impostor = SelfSigned("not-the-cluster");
        using var pinnedWrong = new LxdClient(LxdEndpoint.Https(url, trustedCert, impostor));
        await Assert.ThrowsAnyAsync<Exception>(() => pinnedWrong.GetServerAsync());
    }

    [Fact]
    public async Task Etag_read_modify_write_reapplies_when_another_member_wrote_in_between()
    {
        using var a = lab.Client(1);
        using var b = lab.Client(2);
        var calls = 0;
        await a.UpdateProjectAsync("default", p =>
        {
            if (++calls == 1)
            {
                // Another member writes between our GET and our PUT: our If-Match is now stale (412).
                Task.Run(() => b.UpdateProjectAsync("default", q => { q.Config["user.terrarium.test-b"] = "b"; return true; })).GetAwaiter().GetResult();
            }
            p.Config["user.terrarium.test-a"] = "a";
            return true;
        });
        Assert.Equal(2, calls);
        var config = (await a.GetProjectAsync("default")).Config;
        Assert.Equal("a", config["user.terrarium.test-a"]);
        Assert.Equal("b", config["user.terrarium.test-b"]);
    }

    [Fact]
    public async Task A_stale_etag_is_refused_and_changes_nothing()
    {
        using var a = lab.Client(1);
        using var b = lab.Client(2);
        const string path = "/1.0/projects/default";
        var (project, etag) = await a.GetWithETagAsync(path, LxdJson.Info<Project>());
        await b.UpdateProjectAsync("default", q => { q.Config["user.terrarium.test-bump"] = Guid.NewGuid().ToString(); return true; });

        project.Config["user.terrarium.never"] = "x";
        var e = await Assert.ThrowsAsync<LxdException>(() => a.ReplaceAsync(path, project, LxdJson.Info<Project>(), etag));
        Assert.True(e.IsPreconditionFailed);
        Assert.DoesNotContain("user.terrarium.never", (await a.GetProjectAsync("default")).Config.Keys);
    }

    [Fact]
    public async Task Events_stream_reports_lifecycle_changes_from_other_members()
    {
        await using var events = await LxdEventStream.ConnectAsync(lab.Client(1).Endpoint, "lifecycle");
        using var node2 = lab.Client(2);
        await node2.CreateInstanceAsync(new InstancesPost { Name = "ev1", Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, target: "node2");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        LxdEvent? created = null;
        await foreach (var e in events.ReadAllAsync(timeout.Token))
            if (e.LifecycleAction == "instance-created" && e.LifecycleSource == "/1.0/instances/ev1") { created = e; break; }
        Assert.NotNull(created);
        await node2.DeleteInstanceAsync("ev1");
    }

    [Fact]
    public async Task Move_waits_for_the_migration_operation()
    {
        using var lxd = lab.Client(1);
        await lxd.CreateInstanceAsync(new InstancesPost { Name = "mv1", Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, target: "node1");
        var updates = 0;
        await lxd.MoveInstanceAsync("mv1", "node2", live: false, new SyncProgress<Operation>(_ => updates++));
        Assert.Equal("node2", (await lxd.GetInstanceAsync("mv1")).Location);
        Assert.True(updates >= 1);

        var missing = await Assert.ThrowsAsync<LxdException>(() => lxd.GetInstanceAsync("no-such-instance"));
        Assert.True(missing.IsNotFound);
        await lxd.DeleteInstanceAsync("mv1");
    }

    private static X509Certificate2 SelfSigned(string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }
}
