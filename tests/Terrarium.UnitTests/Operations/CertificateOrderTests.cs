using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Tls;
using Terrarium.Host.Acme;
using Terrarium.Host.Tools;
using Terrarium.Operations;
using Terrarium.Operations.Store;
using Terrarium.Operations.Tls;
using Terrarium.UnitTests.Host;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// One ACME order against the in-test CA (<see cref="FakeAcmeServer"/>) with the shared configuration in
/// <see cref="InMemoryLxd"/>: what the lease holds when, what the certificate record says afterwards, and a take-over
/// that finishes another member's order instead of placing a new one; and the agent's pass writing the certificates
/// as this member's files for Traefik.
/// </summary>
public sealed class CertificateOrderTests : IDisposable
{
    private const string Host = "app.example.test"; // the one host the fake CA certifies
    private const string OrderUrl = "https://acme.test/order/1";
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-certorder-").FullName;
    private readonly ECDsa _accountKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly InMemoryLxd _lxd = new();
    private readonly HurriedTime _time = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly FakeAcmeServer _server;
    private readonly SharedConfigStore _store;

    public CertificateOrderTests()
    {
        _server = new FakeAcmeServer(_accountKey) { Issues = true };
        _lxd.Projects.Add(SharedConfig.Project);
        _store = new SharedConfigStore(_lxd);
    }

    public void Dispose()
    {
        _accountKey.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private NodeEnvironment Env() =>
        new(new NodeLayout(_root), ToolPaths.FromEnvironment(), "/nonexistent.socket", _log.Enqueue, _time, () => _lxd);

    private TlsSettingsRecord Settings() => new()
    {
        Directory = "https://acme.test/dir", Email = "ops@example.test", AccountKey = _accountKey.ExportPkcs8PrivateKeyPem(),
        AccountUrl = "https://acme.test/acct/1",
    };

    private CertificateOrder Order(string self) =>
        new(Env(), _store, Settings(), self, (s, account) => new AcmeClient(new Uri(s.Directory), account, s.AccountUrl, handler: _server));

    /// <summary>The lease row as LXD holds it now (null: none).</summary>
    private OrderLeaseRecord? LeaseRow() =>
        _lxd.Profiles[SharedConfig.Project].TryGetValue(RowNames.OrderLease(Host), out var row)
            ? JsonSerializer.Deserialize(row.Config[RowNames.RecordKey], TlsJsonContext.Default.OrderLeaseRecord) : null;

    private async Task<CertificateRecord?> StoredCertificate() => (await _store.LoadAsync()).Certificate(Host);

    private static byte[] PublicKeyOf(string certificatePem)
    {
        using var leaf = X509Certificate2.CreateFromPem(certificatePem);
        using var key = leaf.GetECDsaPublicKey()!;
        return key.ExportSubjectPublicKeyInfo();
    }

    [Fact]
    public async Task The_holder_stores_the_key_authorization_in_the_lease_before_answering_then_writes_the_certificate_and_releases_the_lease()
    {
        OrderLeaseRecord? atAnswer = null;
        _server.OnChallengeAnswer = () => atAnswer = LeaseRow(); // what any member's responder could serve when the CA looks

        Assert.True(await Order("node1").RunAsync(new OrderDecision(Host, null, Resume: false), null, CancellationToken.None));

        Assert.NotNull(atAnswer);
        Assert.Equal("node1", atAnswer.Holder);
        var answer = Assert.Single(atAnswer.Challenges);
        Assert.Equal(("tok-1", AcmeJws.KeyAuthorization("tok-1", _accountKey)), (answer.Token, answer.KeyAuthorization));
        Assert.Equal(OrderUrl, atAnswer.OrderUrl);
        var record = await StoredCertificate();
        Assert.NotNull(record);
        Assert.Contains("-----BEGIN CERTIFICATE-----", record.Certificate);
        Assert.Equal(atAnswer.Key, record.Key);
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(record.Key!);
            Assert.Equal(key.ExportSubjectPublicKeyInfo(), PublicKeyOf(record.Certificate!));
        }
        Assert.Equal((FakeAcmeServer.NotBefore, FakeAcmeServer.NotAfter), (record.NotBefore, record.NotAfter));
        Assert.Equal(("node1", OrderUrl, 1, 0), (record.IssuedBy, record.OrderUrl, record.Orders, record.Failures));
        Assert.Null(record.LastError);
        Assert.Null(LeaseRow());
        Assert.Single(_server.Requests, r => r.Line == "POST /order");
    }

    [Fact]
    public async Task A_member_taking_over_an_expired_lease_finishes_the_same_order_with_the_leases_key()
    {
        var now = _time.GetUtcNow();
        var old = (await _store.TryTakeOrderLeaseAsync(Host, "node2", now - TimeSpan.FromMinutes(2), null))!;
        using var leaseKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        (old.OrderUrl, old.Key) = (OrderUrl, leaseKey.ExportPkcs8PrivateKeyPem());
        old.Challenges = [new ChallengeAnswer { Token = "tok-1", KeyAuthorization = AcmeJws.KeyAuthorization("tok-1", _accountKey) }];
        Assert.True(await _store.RenewOrderLeaseAsync(old)); // node2 placed its order, then its agent stopped
        var config = await _store.LoadAsync();
        var decision = CertificatePlanner.Next([Host], config.Certificates, config.OrderLeases, "node1", preferred: false, now, new Dictionary<string, DateTimeOffset>());
        Assert.NotNull(decision);
        Assert.Equal("node2", decision.Expired?.Holder);
        OrderLeaseRecord? whileRunning = null;
        _server.OnChallengeAnswer = () => whileRunning = LeaseRow();

        Assert.True(await Order("node1").RunAsync(decision, null, CancellationToken.None));

        Assert.DoesNotContain(_server.Requests, r => r.Line == "POST /order");
        Assert.Contains($"POST {new Uri(OrderUrl).AbsolutePath}", _server.Requests.Select(r => r.Line));
        Assert.NotNull(whileRunning);
        Assert.Equal(("node1", OrderUrl, old.Key), (whileRunning.Holder, whileRunning.OrderUrl, whileRunning.Key));
        Assert.Equal(["node2"], whileRunning.Previous);
        var record = await StoredCertificate();
        Assert.NotNull(record);
        Assert.Equal((OrderUrl, "node1", old.Key), (record.OrderUrl, record.IssuedBy, record.Key));
        Assert.Equal(leaseKey.ExportSubjectPublicKeyInfo(), PublicKeyOf(record.Certificate!));
        Assert.Null(LeaseRow());
        Assert.Contains(_log, l => l.Contains("taking over node2's order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ca_refusal_records_the_failure_keeps_the_valid_certificate_and_releases_the_lease()
    {
        var known = new CertificateRecord
        {
            Host = Host, Certificate = "-----BEGIN CERTIFICATE-----\nMIIBold\n-----END CERTIFICATE-----\n", Key = "old key",
            NotBefore = _time.GetUtcNow().AddDays(-70), NotAfter = _time.GetUtcNow().AddDays(20), IssuedBy = "node2",
            OrderUrl = "https://acme.test/order/0", Orders = 3,
        };
        await _store.PutCertificateAsync(known);
        _server.Refusals["/order"] = (HttpStatusCode.TooManyRequests, "application/problem+json",
            """{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates for app.example.test","status":429}""");

        Assert.True(await Order("node1").RunAsync(new OrderDecision(Host, null, Resume: false), known, CancellationToken.None));

        var record = await StoredCertificate();
        Assert.NotNull(record);
        Assert.Equal(1, record.Failures);
        Assert.Contains("urn:ietf:params:acme:error:rateLimited", record.LastError);
        Assert.Equal(_time.GetUtcNow(), record.FailedAt);
        Assert.Equal((known.Certificate, "old key", known.NotBefore, known.NotAfter), (record.Certificate, record.Key, record.NotBefore, record.NotAfter));
        Assert.Equal(("node2", "https://acme.test/order/0", 3), (record.IssuedBy, record.OrderUrl, record.Orders));
        Assert.Null(LeaseRow());
    }

    [Fact]
    public async Task Another_members_live_lease_means_no_order_and_nothing_sent_to_the_ca()
    {
        var theirs = await _store.TryTakeOrderLeaseAsync(Host, "node2", _time.GetUtcNow(), null);
        Assert.NotNull(theirs);

        Assert.False(await Order("node1").RunAsync(new OrderDecision(Host, null, Resume: false), null, CancellationToken.None));

        Assert.Empty(_server.Requests);
        Assert.Equal("node2", LeaseRow()?.Holder);
        Assert.Null(await StoredCertificate());
    }

    [Fact]
    public async Task The_workers_pass_writes_each_certificate_and_key_0600_once_and_removes_them_with_the_tls_settings()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var self = new CertificateRequest("CN=app.example.test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        var (pem, keyPem) = (self.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
        await _store.PutTlsAsync(new TlsSettingsRecord { Directory = "https://acme.test/dir", AccountUrl = "https://acme.test/acct/1" });
        await _store.PutCertificateAsync(new CertificateRecord { Host = "app.example.test", Certificate = pem, Key = keyPem, NotAfter = self.NotAfter });
        var layout = new NodeLayout(_root);
        // No node identity: the pass writes files and runs no order (nothing reaches the CA).
        var worker = new CertificateWorker(Env(), new IPEndPoint(IPAddress.Loopback, 8402));
        var idle = TimeSpan.FromMinutes(10);

        var first = await worker.PassAsync([], idle, CancellationToken.None);

        Assert.True(first.RenderingChanged);
        Assert.NotNull(worker.Rendering);
        Assert.Equal("http://127.0.0.1:8402", worker.Rendering.ChallengeResponder);
        var files = worker.Rendering.Certificates["app.example.test"];
        Assert.Equal(layout.TlsDir, Path.GetDirectoryName(files.CertFile));
        Assert.StartsWith("app.example.test-", Path.GetFileName(files.CertFile));
        Assert.Equal((pem, keyPem), (File.ReadAllText(files.CertFile), File.ReadAllText(files.KeyFile)));
        foreach (var file in new[] { files.CertFile, files.KeyFile })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.False((await worker.PassAsync([], idle, CancellationToken.None)).RenderingChanged);

        await _store.DeleteTlsAsync();
        var last = await worker.PassAsync([], idle, CancellationToken.None);

        Assert.True(last.RenderingChanged);
        Assert.Null(worker.Rendering);
        Assert.Equal(CertificateWorker.WithoutAccount, last.Next); // without an account, events wake it, not every resync
        Assert.Empty(Directory.EnumerateFiles(layout.TlsDir));
        Assert.Empty(_server.Requests);
    }
}

/// <summary>
/// A clock for orders: a wait of a second or less (a poll) passes at once, a longer one (the lease renewal) never
/// fires during a test. Its timestamps move with it, so the challenge book's read bound can be stepped over.
/// </summary>
internal sealed class HurriedTime : TimeProvider
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset Start = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);
    private long _elapsed = TimeSpan.TicksPerSecond; // a timestamp of 0 is not a real clock's

    public override DateTimeOffset GetUtcNow() => Start + TimeSpan.FromTicks(Interlocked.Read(ref _elapsed));
    public override long GetTimestamp() => Interlocked.Read(ref _elapsed);
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _elapsed, by.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime >= TimeSpan.Zero && dueTime <= Quick)
        {
            Advance(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state)); // never inline: the caller may still be setting the timer up
        }
        return new Idle();
    }

    private sealed class Idle : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
