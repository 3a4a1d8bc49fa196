using Terrarium.Cluster.Tls;

namespace Terrarium.UnitTests.Cluster;

public class CertificatePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, DateTimeOffset> NeverDue = [];

    private static CertificateRecord Cert(string host, TimeSpan age, TimeSpan lifetime, int failures = 0, TimeSpan? failedAgo = null) => new()
    {
        Host = host, Certificate = "-----BEGIN CERTIFICATE-----", Key = "k", NotBefore = Now - age, NotAfter = Now - age + lifetime,
        Failures = failures, FailedAt = failedAgo is { } f ? Now - f : null, LastError = failures > 0 ? "the CA refused" : null,
    };

    private static OrderLeaseRecord Lease(string host, string holder, TimeSpan expiresIn) =>
        new() { Host = host, Holder = holder, TakenAt = Now - TimeSpan.FromSeconds(5), ExpiresAt = Now + expiresIn, OrderUrl = "https://ca/order/1" };

    [Theory]
    [InlineData(10, 90, CertificateState.Valid)]   // 10 of 90 days: valid
    [InlineData(59, 90, CertificateState.Valid)]   // just before two thirds
    [InlineData(61, 90, CertificateState.Due)]     // past two thirds: renewal due
    [InlineData(91, 90, CertificateState.Due)]     // expired: due, and no longer "valid until"
    public void A_certificate_is_renewed_at_two_thirds_of_its_lifetime(int ageDays, int lifetimeDays, CertificateState expected)
    {
        var c = CertificatePlanner.Assess("app.example.com", Cert("app.example.com", TimeSpan.FromDays(ageDays), TimeSpan.FromDays(lifetimeDays)), null, Now);
        Assert.Equal(expected, c.State);
        Assert.Equal(ageDays < lifetimeDays, c.ValidUntil is not null);
    }

    [Fact]
    public void A_host_without_a_certificate_is_due_and_a_live_lease_is_ordering_by_its_holder()
    {
        Assert.Equal(CertificateState.Due, CertificatePlanner.Assess("a.example.com", null, null, Now).State);
        var ordering = CertificatePlanner.Assess("a.example.com", null, Lease("a.example.com", "node2", TimeSpan.FromSeconds(20)), Now);
        Assert.Equal((CertificateState.Ordering, "node2"), (ordering.State, ordering.Holder));
        Assert.Equal("ordering (node2)", ordering.Describe());
    }

    [Theory]
    [InlineData("*.apps.example.com", "wildcard")]
    [InlineData("intranet", "without a dot")]
    public void Wildcard_and_dotless_hosts_are_refused_with_a_reason_and_never_ordered(string host, string why)
    {
        var c = CertificatePlanner.Assess(host, null, null, Now);
        Assert.Equal(CertificateState.Refused, c.State);
        Assert.Contains(why, c.Describe());
        Assert.Null(CertificatePlanner.Next([host], [], [], "node1", preferred: true, Now, NeverDue));
    }

    [Fact]
    public void A_failure_backs_off_exponentially_and_keeps_the_still_valid_certificate()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), CertificatePlanner.Backoff(1));
        Assert.Equal(TimeSpan.FromMinutes(20), CertificatePlanner.Backoff(3));
        Assert.Equal(CertificatePlanner.MaxBackoff, CertificatePlanner.Backoff(40));
        var failed = Cert("a.example.com", TimeSpan.FromDays(70), TimeSpan.FromDays(90), failures: 2, failedAgo: TimeSpan.FromMinutes(3));
        var c = CertificatePlanner.Assess("a.example.com", failed, null, Now);
        Assert.Equal(CertificateState.Failed, c.State);
        Assert.Equal(Now - TimeSpan.FromMinutes(3) + TimeSpan.FromMinutes(10), c.RetryAt);
        Assert.NotNull(c.ValidUntil);
        Assert.StartsWith("failed: the CA refused; retry at", c.Describe());
        Assert.Null(CertificatePlanner.Next(["a.example.com"], [failed], [], "node1", preferred: true, Now, NeverDue));
        // Once the backoff is over it is due again.
        var later = Cert("a.example.com", TimeSpan.FromDays(70), TimeSpan.FromDays(90), failures: 2, failedAgo: TimeSpan.FromMinutes(11));
        Assert.Equal("a.example.com", CertificatePlanner.Next(["a.example.com"], [later], [], "node1", preferred: true, Now, NeverDue)?.Host);
    }

    [Fact]
    public void Only_the_preferred_member_orders_at_once_the_others_after_a_wait()
    {
        string[] hosts = ["a.example.com"];
        Assert.NotNull(CertificatePlanner.Next(hosts, [], [], "node1", preferred: true, Now, NeverDue));
        Assert.Null(CertificatePlanner.Next(hosts, [], [], "node2", preferred: false, Now, new Dictionary<string, DateTimeOffset> { ["a.example.com"] = Now - TimeSpan.FromSeconds(30) }));
        var waited = CertificatePlanner.Next(hosts, [], [], "node2", preferred: false, Now, new Dictionary<string, DateTimeOffset> { ["a.example.com"] = Now - CertificatePlanner.OthersWait });
        Assert.Equal(("a.example.com", false), (waited!.Host, waited.Resume));
    }

    [Fact]
    public void A_live_lease_of_another_member_is_left_alone_and_an_expired_one_is_taken_over_first()
    {
        string[] hosts = ["a.example.com", "b.example.com"];
        var live = Lease("a.example.com", "node1", TimeSpan.FromSeconds(10));
        Assert.Equal("b.example.com", CertificatePlanner.Next(hosts, [], [live], "node2", preferred: true, Now, NeverDue)?.Host);
        var expired = Lease("b.example.com", "node1", TimeSpan.FromSeconds(-1));
        var takeOver = CertificatePlanner.Next(hosts, [], [live, expired], "node3", preferred: false, Now, NeverDue);
        Assert.Equal(("b.example.com", true, "node1"), (takeOver!.Host, takeOver.Resume, takeOver.Expired!.Holder));
    }

    [Fact]
    public void A_member_resumes_its_own_lease_after_its_agent_restarted()
    {
        var mine = Lease("a.example.com", "node1", TimeSpan.FromSeconds(25));
        var next = CertificatePlanner.Next(["a.example.com"], [], [mine], "node1", preferred: true, Now, NeverDue);
        Assert.Equal((true, "node1"), (next!.Resume, next.Expired!.Holder));
    }

    [Fact]
    public void N_members_with_one_due_host_give_one_order_per_host()
    {
        // Every member runs Next on the same records: only the preferred one orders; once its lease exists, nobody else.
        string[] members = ["node1", "node2", "node3", "node4", "node5"];
        var dueSince = new Dictionary<string, DateTimeOffset> { ["a.example.com"] = Now };
        var ordering = members.Where(m => CertificatePlanner.Next(["a.example.com"], [], [], m, m == "node1", Now, dueSince) is not null).ToList();
        Assert.Equal(["node1"], ordering);
        var lease = Lease("a.example.com", "node1", CertificatePlanner.LeaseLifetime);
        Assert.All(members.Skip(1), m => Assert.Null(CertificatePlanner.Next(["a.example.com"], [], [lease], m, false, Now, dueSince)));
    }
}
