using Terrarium.Cluster.Config;
using Terrarium.Operations.Store;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// Cleanup works from a snapshot seconds old while other members go on: an expired invite's address may meanwhile be
/// released and leased to the next invite, or the name invited again. Cleanup must then leave the newer records alone.
/// </summary>
public sealed class SharedRecordsRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly InMemoryLxd _lxd = new();
    private readonly SharedConfigStore _store;

    public SharedRecordsRaceTests() => _store = new SharedConfigStore(_lxd);

    private static InviteRecord Invite(string name, string key, DateTimeOffset expires) => new()
    {
        Name = name, MeshAddress = "10.255.54.4", Address = "203.0.113.4", PublicKey = key, ExpiresAt = expires, TokenOperation = "", CreatedBy = "node1",
    };

    private async Task<SharedConfig> ExpiredNode4Async()
    {
        await _store.EnsureProjectAsync();
        Assert.True(await _store.TryLeaseAsync("10.255.54.4", "node4", Now.AddMinutes(-2)));
        await _store.PutInviteAsync(Invite("node4", "K-old", Now.AddMinutes(-1)));
        return await _store.LoadAsync();
    }

    [Fact]
    public async Task A_stale_revoke_leaves_the_lease_another_invite_took_since()
    {
        var stale = await ExpiredNode4Async();
        // Another member cleaned node4 up first and the next invite leased the same address.
        await _store.RevokeInviteAsync(stale, stale.Invite("node4")!, default);
        Assert.True(await _store.TryLeaseAsync("10.255.54.4", "ghost", Now));
        await _store.PutInviteAsync(Invite("ghost", "K-ghost", Now.AddHours(1)));

        await _store.RevokeInviteAsync(stale, stale.Invite("node4")!, default); // this member's pass, from its older snapshot

        var now = await _store.LoadAsync();
        Assert.Equal("ghost", Assert.Single(now.Leases).Holder);
        Assert.Equal("ghost", Assert.Single(now.Invites).Name);
    }

    [Fact]
    public async Task A_stale_revoke_leaves_a_newer_invite_of_the_same_name_and_its_lease()
    {
        var stale = await ExpiredNode4Async();
        await _store.RevokeInviteAsync(stale, stale.Invite("node4")!, default);
        Assert.True(await _store.TryLeaseAsync("10.255.54.4", "node4", Now)); // invited again: same name, same address
        await _store.PutInviteAsync(Invite("node4", "K-new", Now.AddHours(1)));

        await _store.RevokeInviteAsync(stale, stale.Invite("node4")!, default);

        var now = await _store.LoadAsync();
        Assert.Equal("K-new", Assert.Single(now.Invites).PublicKey);
        Assert.Equal(Now, Assert.Single(now.Leases).CreatedAt);
    }

    [Fact]
    public async Task A_revoke_from_a_current_snapshot_removes_the_invite_and_its_lease()
    {
        var current = await ExpiredNode4Async();
        await _store.RevokeInviteAsync(current, current.Invite("node4")!, default);
        var now = await _store.LoadAsync();
        Assert.Empty(now.Invites);
        Assert.Empty(now.Leases);
    }

    [Fact]
    public async Task A_lease_is_released_by_address_only_while_its_holder_holds_it()
    {
        await _store.EnsureProjectAsync();
        Assert.True(await _store.TryLeaseAsync("10.255.54.9", "other", Now));
        await _store.ReleaseLeaseAsync("10.255.54.9", "mine");
        Assert.Single((await _store.LoadAsync()).Leases);
        await _store.ReleaseLeaseAsync("10.255.54.9", "other");
        Assert.Empty((await _store.LoadAsync()).Leases);
    }
}
