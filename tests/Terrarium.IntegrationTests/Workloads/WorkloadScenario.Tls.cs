using System.Text.Json;
using Terrarium.Tests.Shared;
using Terrarium.Cluster.Ovn;
using Terrarium.Cluster.Tls;
using Terrarium.Host.Processes;
using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Store;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// HTTPS for route hosts against a real ACME CA (Debian's Pebble): on LXD only, since what is decided here is
/// Terrarium's (one lease, one order, shared answers), and its records are the same rows on either daemon.
/// </summary>
public partial class WorkloadScenario
{
    private const string SecureHost = "app.tls.test";
    private const string NewOrderLine = "placed a new ACME order";

    [Fact]
    [Needs]
    public Task S06c_T5_one_certificate_per_route_host_is_ordered_once_finished_by_another_member_and_renewed_everywhere() => Lab.Steps.RunAsync(async () =>
    {
        // Every name resolves to node2: the CA validates there, whichever member ordered.
        await using var pebble = await PebbleCa.StartAsync(Path.Join(Lab.Lab.Spec.Root, "pebble"), Lab.Lab.Spec.HostAddress, Lab.Node(2).Address,
            validitySeconds: 45, LabRunner.AcmeResponderPort);
        using var lxd = Lab.Client(1);
        try
        {
            await LaunchSecuredAsync(lxd);
            var configure = new[] { "cluster", "tls", "configure", "--acme-directory", pebble.Directory, "--email", "ops@tls.test", "--ca-root", pebble.TlsRootFile };
            ProcessAssert.Exit(2, await Lab.Ctl(3, [.. configure[..4], "http://" + pebble.Directory["https://".Length..], .. configure[5..]]));
            ProcessAssert.Exit(2, await Lab.Ctl(3, [.. configure[..6], "ops", .. configure[7..]]));
            Assert.Null((await Store(lxd).LoadAsync()).Tls);
            MeshLab.AssertOk(await Lab.Ctl(3, configure));
            var again = await Lab.Ctl(3, configure);
            MeshLab.AssertOk(again);
            Assert.Contains("Nothing to change", again.StdOut);
            var account = (await Store(lxd).LoadAsync()).Tls!.AccountUrl;

            var (interrupted, issued) = await KillTheOrdererMidOrderAsync(lxd, pebble);
            Assert.NotEqual(interrupted.Holder, issued.IssuedBy);
            Assert.Equal(interrupted.OrderUrl, issued.OrderUrl); // the same order, finished: no duplicate
            Assert.Equal(1, issued.Orders);
            var root = Path.Join(pebble.Dir, "issuing-root.pem");
            await File.WriteAllTextAsync(root, await pebble.IssuingRootAsync());
            await EveryMemberServesAsync(issued.Certificate!, root);
            await StatusAndListShowValidAsync();

            // Renewal at two thirds of 45 s: one member orders once, and every member serves the new certificate.
            CertificateRecord? renewed = null;
            await MeshLab.EventuallyAsync(async () => (renewed = (await Store(lxd).LoadAsync()).Certificate(SecureHost)) is { Orders: 2 },
                TimeSpan.FromSeconds(60), $"the renewal of {SecureHost}'s certificate");
            Assert.NotEqual(issued.Certificate, renewed!.Certificate);
            await EveryMemberServesAsync(renewed.Certificate!, root);
            var config = await Store(lxd).LoadAsync();
            Assert.Equal(account, config.Tls!.AccountUrl);
            var orders = Enumerable.Range(1, 3).Sum(i => File.ReadAllText(Lab.Node(i).AgentLog).Split('\n').Count(l => l.Contains(NewOrderLine) && l.Contains(SecureHost)));
            Assert.True(orders == 2, $"3 members placed {orders} ACME orders for one host and one renewal, not 2");
            Console.Error.WriteLine($"[tls] 3 members, 1 host, its issuance and 1 renewal: {orders} ACME orders (first by {interrupted.Holder}, finished by {issued.IssuedBy}; renewed by {renewed.IssuedBy})");

            MeshLab.AssertOk(await Lab.Ctl(2, "cluster", "tls", "configure", "--off", "--yes"));
            await AllNodesAsync(text => !text.Contains("websecure") && !text.Contains("acme-challenge"), "HTTPS gone from every node once turned off", 30);
            for (var i = 1; i <= 3; i++) Assert.Empty(TlsFiles(i));
        }
        catch (Exception) when (Dump(pebble))
        {
            throw;
        }
        finally
        {
            await Lab.Ctl(1, "cluster", "tls", "configure", "--off", "--yes");
            await Lab.Exec(1, Lab.Lab.Cli, "delete", "--force", "tls1");
        }
    });

    private static bool Dump(PebbleCa pebble)
    {
        Console.Error.WriteLine(pebble.Logs());
        return false;
    }

    private static SharedConfigStore Store(Terrarium.Lxd.ILxdClient lxd) => new(lxd);

    private string TlsDir(int node) => new Terrarium.Cluster.Layout.NodeLayout(Lab.Node(node).TerrariumRoot).TlsDir;

    private string[] TlsFiles(int node, string pattern = "*") => Directory.Exists(TlsDir(node)) ? Directory.GetFiles(TlsDir(node), pattern) : [];

    /// <summary>A running instance on terrarium-ovn routed at <see cref="SecureHost"/>: every member serves it.</summary>
    private async Task LaunchSecuredAsync(Terrarium.Lxd.ILxdClient lxd)
    {
        await OvnSettle.WaitAsync(Lab);
        var body = new InstancesPost { Name = "tls1", Source = new InstanceSource { Alias = LabRunner.ImageAlias } };
        body.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = OvnNetworkSettings.NetworkName };
        body.Config["user.terrarium.route.web"] = $"{SecureHost}:8080";
        await lxd.LaunchInstanceAsync(body, "node3");
        await AllNodesAsync(text => text.Contains($"Host(`{SecureHost}`)"), "the route on every node", 60);
    }

    /// <summary>
    /// node1, the first member, orders; its agent is killed once the CA's challenge answer is in the lease (before the
    /// certificate: it polls the CA every second). Another member takes the lease over when it expires and finishes.
    /// </summary>
    private async Task<(OrderLeaseRecord Interrupted, CertificateRecord Issued)> KillTheOrdererMidOrderAsync(Terrarium.Lxd.ILxdClient lxd, PebbleCa pebble)
    {
        OrderLeaseRecord? lease = null;
        await MeshLab.EventuallyAsync(async () =>
        {
            var config = await Store(lxd).LoadAsync();
            lease = config.OrderLease(SecureHost);
            Assert.True(config.Certificate(SecureHost)?.Certificate is null, "the order finished before it could be interrupted");
            return lease is { Challenges.Count: > 0 };
        }, TimeSpan.FromSeconds(60), $"an order of {SecureHost} with its HTTP-01 answer in the lease");
        Assert.Equal("node1", lease!.Holder);
        var pid = int.Parse(await File.ReadAllTextAsync(Lab.Node(1).AgentPidFile));
        ProcessControl.Signal(pid, ProcessControl.SigKill);
        await ProcessControl.TerminateAsync([pid], TimeSpan.FromSeconds(5));
        try
        {
            CertificateRecord? issued = null;
            await MeshLab.EventuallyAsync(async () => (issued = (await Store(lxd).LoadAsync()).Certificate(SecureHost)) is { Certificate: not null },
                TimeSpan.FromSeconds(90), "another member finishes node1's order once its lease expired");
            return (lease, issued!);
        }
        finally
        {
            await Lab.Lab.StartAgentAsync(Lab.Node(1));
        }
    }

    /// <summary>Every member: the certificate's files (0600), which openssl verifies against Pebble's root, in its Traefik file.</summary>
    private async Task EveryMemberServesAsync(string certificate, string root)
    {
        for (var i = 1; i <= 3; i++)
        {
            string? file = null;
            await MeshLab.EventuallyAsync(() =>
            {
                file = TlsFiles(i, $"{SecureHost}-*.crt").FirstOrDefault(f => File.ReadAllText(f) == certificate);
                return Task.FromResult(file is not null && File.ReadAllText(Lab.TraefikFile(i)).Contains(file));
            }, TimeSpan.FromSeconds(30), $"node{i} serves the certificate");
            var key = Path.ChangeExtension(file!, ".key");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file!));
            var verified = await Lab.Exec(i, "openssl", "verify", "-CAfile", root, "-untrusted", file!, file!);
            MeshLab.AssertOk(verified);
            Assert.Contains(": OK", verified.StdOut);
            var traefik = File.ReadAllText(Lab.TraefikFile(i));
            Assert.Contains("websecure", traefik);
            Assert.Contains("tls: {}", traefik);
            Assert.Contains("PathPrefix(`/.well-known/acme-challenge/`)", traefik);
        }
    }

    private async Task StatusAndListShowValidAsync()
    {
        using (var status = await Lab.StatusAsync(2))
        {
            var row = status.RootElement.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("host").GetString() == SecureHost);
            Assert.Equal("valid", row.GetProperty("state").GetString());
        }
        var listed = await Lab.Ctl(3, "route", "list", "-o", "json");
        MeshLab.AssertOk(listed);
        using var routes = JsonDocument.Parse(listed.StdOut);
        var route = routes.RootElement.EnumerateArray().Single(r => r.GetProperty("instance").GetString() == "tls1");
        Assert.Equal("valid", route.GetProperty("certificate").GetProperty("state").GetString());
    }
}
