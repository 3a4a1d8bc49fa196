using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

public sealed partial class LxdClient
{
    public Task<ServerInfo> GetServerAsync(CancellationToken ct = default) => GetAsync("/1.0", LxdJson.Info<ServerInfo>(), ct);

    /// <summary>GET /1.0 answered by one member (LXD forwards it): a cheap liveness probe of that member.</summary>
    public Task<ServerInfo> GetMemberServerAsync(string member, CancellationToken ct = default) =>
        GetAsync(WithQuery("/1.0", ("target", member)), LxdJson.Info<ServerInfo>(), ct);

    /// <summary>Whether this member forwards a request to <paramref name="member"/> now (GET /1.0 through it).</summary>
    public async Task<bool> ForwardsToAsync(string member, CancellationToken ct = default)
    {
        try
        {
            await GetMemberServerAsync(member, ct);
            return true;
        }
        catch (LxdException)
        {
            return false;
        }
    }

    private LxdServerProfile? _profile;

    /// <summary>The daemon's kind, version and extensions (read once per client; they change only with an upgrade).</summary>
    public async Task<LxdServerProfile> GetServerProfileAsync(CancellationToken ct = default) =>
        _profile ??= LxdServerProfile.From(await GetServerAsync(ct));

    /// <summary>
    /// Changes server config keys; a null value removes the key. PATCH /1.0 with only the changed keys (it exists
    /// in LXD 5.0 and Incus alike), never a PUT of the whole map: a hidden key read back as true would otherwise be
    /// written as the literal password "true". If-Match keeps a concurrent writer's change from being lost. Daemons
    /// whose failed PATCH resets the keys it does not name get every visible key in the PATCH too
    /// (<see cref="LxdServerProfile.FailedPatchResetsUnnamedKeys"/>).
    /// </summary>
    public async Task<ServerInfo> SetServerConfigAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await GetWithETagAsync("/1.0", LxdJson.Info<ServerInfo>(), ct);
            _profile ??= LxdServerProfile.From(current);
            var patch = new ServerPut();
            foreach (var (key, value) in changes)
            {
                var has = current.Config.TryGetValue(key, out var now);
                if (value is null ? has : now != value) patch.Config[key] = value ?? "";
            }
            if (patch.Config.Count == 0) return current;
            if (_profile.FailedPatchResetsUnnamedKeys)
                // Should this PATCH fail, the daemon resets every key it does not name; naming each one
                // with its current value keeps the member's addresses (and the cluster's keys) as they were.
                foreach (var (key, value) in current.Config)
                    if (!patch.Config.ContainsKey(key) && !_profile.HiddenKeys.Contains(key)) patch.Config[key] = value;
            try
            {
                await SendJsonAsync(HttpMethod.Patch, "/1.0", patch, LxdJson.Info<ServerPut>(), ct, etag);
                return current;
            }
            catch (LxdException e) when (e.IsPreconditionFailed && attempt < 20)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 * attempt)), ct);
            }
        }
    }

    /// <summary>Polls GET /1.0 until the daemon answers (LXD's own "waitready" equivalent).</summary>
    public async Task<ServerInfo> WaitReadyAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Each request is bounded too: a daemon waiting for its database leader accepts the connection and never answers.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(deadline - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
            try
            {
                return await GetServerAsync(bound.Token);
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new LxdException($"LXD did not answer within {timeout.TotalSeconds:0} s", inner: e);
            }
            catch (LxdException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct);
            }
        }
    }
}
