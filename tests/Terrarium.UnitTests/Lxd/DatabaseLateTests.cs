using Terrarium.Lxd;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Lxd;

/// <summary>
/// A GET that LXD could not answer from its own database in time (seen right after a remove's moves) is asked again
/// for a while; a write is never sent twice, and a refusal is reported at once.
/// </summary>
public class DatabaseLateTests
{
    [Theory]
    [InlineData("Failed to begin transaction: context deadline exceeded")] // lxd/db/query/transaction.go, lxd-5.0.2
    [InlineData("context deadline exceeded")]
    [InlineData("Failed to fetch members: no available dqlite leader server found")]
    public void The_database_not_answering_is_late(string message) => Assert.True(LxdClient.DatabaseLate(message));

    [Theory]
    [InlineData("Profile is currently in use")]
    [InlineData("Name \"x\" already in use")]
    [InlineData("context deadline exceeded while doing something else entirely, said differently")]
    public void A_refusal_is_not(string message) => Assert.False(LxdClient.DatabaseLate(message));

    [Fact]
    public async Task A_get_is_asked_again_until_the_database_answers()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.Clustered = true;
        fake.Members.Add(("node1", "Online", ["database-leader", "database"]));
        fake.DatabaseErrors["/1.0/cluster/members"] = new(["context deadline exceeded", "Failed to begin transaction: context deadline exceeded"]);
        using var lxd = LxdClient.ForSocket(fake.Socket);

        var members = await lxd.GetClusterMembersAsync();

        Assert.Equal("node1", Assert.Single(members).ServerName);
        Assert.Equal(3, fake.Count("GET /1.0/cluster/members"));
    }

    [Fact]
    public async Task A_write_is_not_sent_twice()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.DatabaseErrors["/1.0/profiles"] = new(["context deadline exceeded"]);
        using var lxd = LxdClient.ForSocket(fake.Socket);

        var e = await Assert.ThrowsAsync<LxdException>(() => lxd.CreateProfileAsync(new Terrarium.Lxd.Wire.Profile { Name = "p" }, "default"));

        Assert.Contains("context deadline exceeded", e.Message);
        Assert.Equal(1, fake.Count("POST /1.0/profiles"));
    }

    [Fact]
    public async Task A_caller_with_a_tighter_bound_stops_sooner()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.DatabaseErrors["/1.0/cluster/members"] = new(Enumerable.Repeat("context deadline exceeded", 100));
        using var lxd = LxdClient.ForSocket(fake.Socket);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lxd.GetClusterMembersAsync(bound.Token));
        Assert.InRange(fake.Count("GET /1.0/cluster/members"), 2, 4);
    }
}

/// <summary>An operation just created on another member may be "not found" through this one for a moment.</summary>
public class OperationNotYetVisibleTests
{
    [Theory]
    [InlineData(404, false, 0.0, true)]   // the first poll, right away
    [InlineData(404, false, 4.9, true)]
    [InlineData(404, false, 5.0, false)]  // then it is believed
    [InlineData(404, true, 1.0, false)]   // seen running, then gone: it ended and was forgotten
    [InlineData(500, false, 0.0, false)]
    public void Not_found_is_believed_only_after_a_moment_or_once_the_operation_was_seen(int status, bool seen, double waited, bool retried) =>
        Assert.Equal(retried, LxdClient.NotYetVisible((System.Net.HttpStatusCode)status, seen, TimeSpan.FromSeconds(waited)));

    [Fact]
    public void A_not_found_error_envelope_in_an_http_200_is_a_not_found_too()
    {
        // LXD >= 5.0.3 / Incus 6.0.0-6.0.4 answer /wait with HTTP 200 and {"type":"error","error_code":404,...}.
        var envelope = new Terrarium.Lxd.Wire.LxdResponse { Type = "error", ErrorCode = 404, Error = "Operation not found" };
        var wait = OperationWait.Classify(envelope, System.Net.HttpStatusCode.OK, "OK");
        Assert.Equal((OperationWait.State.Unreadable, true), (wait.Kind, wait.NotFound));
        Assert.True(OperationWait.Classify(null, System.Net.HttpStatusCode.NotFound, "Not Found").NotFound);
        var failed = new Terrarium.Lxd.Wire.LxdResponse { Type = "error", ErrorCode = 500, Error = "boom" };
        Assert.False(OperationWait.Classify(failed, System.Net.HttpStatusCode.OK, "OK").NotFound);
    }
}
