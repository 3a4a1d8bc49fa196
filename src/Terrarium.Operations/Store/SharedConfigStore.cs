using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Terrarium.Cluster.Config;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Store;

/// <summary>
/// S-1/S-2: Terrarium's shared configuration in LXD's database. Each record is one profile in the
/// Terrarium-owned project, its JSON under <see cref="RowNames.RecordKey"/>. LXD's ETag check is not atomic
/// (docs/lxd-notes.md), so records never share an entity: inserts rely on LXD's unique names (a lease
/// can only be created once) and updates are ETag read-modify-write on a record with a single writer.
/// </summary>
public sealed partial class SharedConfigStore(ILxdClient lxd)
{
    private static ClusterJsonContext Json => ClusterJsonContext.Default;

    public async Task EnsureProjectAsync(CancellationToken ct = default)
    {
        if (await lxd.ExistsAsync($"/1.0/projects/{SharedConfig.Project}", ct)) return;
        try
        {
            await lxd.CreateProjectAsync(new Project
            {
                Name = SharedConfig.Project,
                Description = "Terrarium shared cluster configuration (managed by terrariumctl; do not edit)",
                Config = { ["features.profiles"] = "true", ["features.images"] = "false", ["features.storage.volumes"] = "false" },
            }, ct);
        }
        catch (LxdException)
        {
            // Another member may have created it at the same moment; anything else is a real failure.
            if (!await lxd.ExistsAsync($"/1.0/projects/{SharedConfig.Project}", ct)) throw;
        }
    }

    public async Task<SharedConfig> LoadAsync(CancellationToken ct = default)
    {
        if (!await lxd.ExistsAsync($"/1.0/projects/{SharedConfig.Project}", ct)) return SharedConfig.Empty;
        var rows = await lxd.GetProfilesAsync(SharedConfig.Project, ct);
        ClusterSettingsRecord? settings = null;
        var members = new List<MemberRecord>();
        var invites = new List<InviteRecord>();
        var leases = new List<LeaseRecord>();
        OvnRecord? ovn = null;
        var certificates = new List<OvnCertificateRecord>();
        var claims = new List<RouteClaimRecord>();
        var evacuations = new List<EvacuationRecord>();
        var tls = new TlsRows();
        foreach (var row in rows)
        {
            if (!row.Config.TryGetValue(RowNames.RecordKey, out var json)) continue;
            if (tls.TryAdd(row.Name, json)) continue;
            if (row.Name == RowNames.Settings) settings = Parse(json, Json.ClusterSettingsRecord);
            else if (row.Name == RowNames.Ovn) ovn = Parse(json, Json.OvnRecord);
            else if (row.Name.StartsWith(RowNames.OvnCertificatePrefix, StringComparison.Ordinal)) Add(certificates, Parse(json, Json.OvnCertificateRecord));
            else if (row.Name.StartsWith(RowNames.MemberPrefix, StringComparison.Ordinal)) Add(members, Parse(json, Json.MemberRecord));
            else if (row.Name.StartsWith(RowNames.InvitePrefix, StringComparison.Ordinal)) Add(invites, Parse(json, Json.InviteRecord));
            else if (row.Name.StartsWith(RowNames.LeasePrefix, StringComparison.Ordinal)) Add(leases, Parse(json, Json.LeaseRecord));
            else if (row.Name.StartsWith(RowNames.RouteClaimPrefix, StringComparison.Ordinal) && Parse(json, Json.RouteClaimRecord) is { } claim &&
                     RowNames.RouteClaim(claim.Host) == row.Name) claims.Add(claim); // a row whose name does not match its host is not trusted
            else if (row.Name.StartsWith(RowNames.EvacuationPrefix, StringComparison.Ordinal)) Add(evacuations, Parse(json, Json.EvacuationRecord));
        }
        if (settings is not null && settings.Schema > SharedConfig.SchemaVersion)
            throw new LxdException($"The cluster's shared configuration has schema {settings.Schema}, newer than this terrariumctl ({SharedConfig.SchemaVersion}); upgrade terrariumctl on this node.");
        return new SharedConfig(settings, members.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(), invites, leases)
        {
            Ovn = ovn, OvnCertificates = certificates, RouteClaims = claims, Evacuations = evacuations,
            Tls = tls.Settings, Certificates = tls.Certificates, OrderLeases = tls.Leases,
        };
    }

    public Task PutSettingsAsync(ClusterSettingsRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Settings, Serialize(r, Json.ClusterSettingsRecord), "cluster settings", ct);
    public Task PutMemberAsync(MemberRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Member(r.Name), Serialize(r, Json.MemberRecord), $"mesh member {r.Name}", ct);
    public Task PutInviteAsync(InviteRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Invite(r.Name), Serialize(r, Json.InviteRecord), $"pending invite {r.Name}", ct);
    public Task PutOvnAsync(OvnRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Ovn, Serialize(r, Json.OvnRecord), "OVN central set and CA", ct);
    public Task PutOvnCertificateAsync(OvnCertificateRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.OvnCertificate(r.Member), Serialize(r, Json.OvnCertificateRecord), $"OVN certificate of {r.Member}", ct);
    public Task PutEvacuationAsync(EvacuationRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Evacuation(r.Member), Serialize(r, Json.EvacuationRecord), $"instances evacuated from {r.Member}", ct);
    public Task DeleteEvacuationAsync(string member, CancellationToken ct = default) => DeleteRowAsync(RowNames.Evacuation(member), ct);
    public Task DeleteOvnCertificateAsync(string member, CancellationToken ct = default) => DeleteRowAsync(RowNames.OvnCertificate(member), ct);
    public Task DeleteMemberAsync(string name, CancellationToken ct = default) => DeleteRowAsync(RowNames.Member(name), ct);
    public Task DeleteInviteAsync(string name, CancellationToken ct = default) => DeleteRowAsync(RowNames.Invite(name), ct);

    /// <summary>Deletes the invite row only while it is still <paramref name="seen"/> (each invite has its own key), not a newer invite of that name.</summary>
    public Task DeleteInviteAsync(InviteRecord seen, CancellationToken ct = default) =>
        DeleteRowIfAsync(RowNames.Invite(seen.Name), Json.InviteRecord, now => now.PublicKey == seen.PublicKey, ct);

    /// <summary>
    /// Releases the lease only while it is still the one <paramref name="seen"/> in a snapshot: another member may have
    /// released it and leased the address again since (an expired invite's address taken by the next invite).
    /// </summary>
    public Task ReleaseLeaseAsync(LeaseRecord seen, CancellationToken ct = default) =>
        DeleteRowIfAsync(RowNames.Lease(seen.Address), Json.LeaseRecord, now => now.Holder == seen.Holder && now.CreatedAt == seen.CreatedAt, ct);

    /// <summary>Releases the lease on <paramref name="address"/> only while <paramref name="holder"/> holds it.</summary>
    public Task ReleaseLeaseAsync(string address, string holder, CancellationToken ct = default) =>
        DeleteRowIfAsync(RowNames.Lease(address), Json.LeaseRecord, now => now.Holder == holder, ct);

    /// <summary>Cancels an invite's LXD join token and removes its row and lease. Safe to race with another member.</summary>
    public async Task RevokeInviteAsync(SharedConfig config, InviteRecord invite, CancellationToken ct)
    {
        if (invite.TokenOperation.Length > 0)
        {
            try { await lxd.CancelOperationAsync(invite.TokenOperation, ct); }
            catch (LxdException) { /* already used, expired or gone */ }
        }
        await DeleteInviteAsync(invite, ct);
        foreach (var lease in config.Leases.Where(l => l.Address == invite.MeshAddress && l.Holder == invite.Name))
            await ReleaseLeaseAsync(lease, ct);
    }

    /// <summary>Claims <paramref name="host"/> for <paramref name="project"/>; the first claim wins. Returns the owner.</summary>
    public async Task<string?> ClaimRouteHostAsync(string host, string project, DateTimeOffset now, CancellationToken ct = default) =>
        (await InsertOnceAsync(RowNames.RouteClaim(host), new RouteClaimRecord { Host = host, Project = project, ClaimedAt = now }, Json.RouteClaimRecord,
            $"route host {host} belongs to project {project}", ct))?.Project;

    public Task ReleaseRouteHostAsync(string host, CancellationToken ct = default) => DeleteRowAsync(RowNames.RouteClaim(host), ct);

    /// <summary>M-2: takes the lease on an address for <paramref name="holder"/>; false if someone else holds it.</summary>
    public async Task<bool> TryLeaseAsync(string address, string holder, DateTimeOffset now, CancellationToken ct = default) =>
        (await InsertOnceAsync(RowNames.Lease(address), new LeaseRecord { Address = address, Holder = holder, CreatedAt = now }, Json.LeaseRecord,
            $"mesh address {address}", ct))?.Holder == holder;

    /// <summary>
    /// Inserts a record whose row name can exist once (LXD refuses a duplicate name, atomically): the record is
    /// <paramref name="record"/> when this insert won, else the one already there (possibly a racing insert), or null.
    /// </summary>
    internal async Task<T?> InsertOnceAsync<T>(string row, T record, JsonTypeInfo<T> type, string description, CancellationToken ct) where T : class
    {
        try
        {
            await lxd.CreateProfileAsync(Row(row, Serialize(record, type), description), SharedConfig.Project, ct);
            return record;
        }
        catch (LxdException)
        {
            var existing = await TryGetAsync(row, ct);
            return existing is not null && existing.Config.TryGetValue(RowNames.RecordKey, out var v) ? Parse(v, type) : null;
        }
    }

    internal async Task UpsertAsync(string name, string json, string description, CancellationToken ct)
    {
        if (await TryGetAsync(name, ct) is null)
        {
            try
            {
                await lxd.CreateProfileAsync(Row(name, json, description), SharedConfig.Project, ct);
                return;
            }
            catch (LxdException)
            {
                // Created concurrently: fall through to an update; anything else is a real failure.
                if (await TryGetAsync(name, ct) is null) throw;
            }
        }
        await lxd.UpdateProfileAsync(name, SharedConfig.Project, p =>
        {
            if (p.Config.TryGetValue(RowNames.RecordKey, out var current) && current == json) return false;
            p.Config[RowNames.RecordKey] = json;
            return true;
        }, ct);
    }

    internal async Task DeleteRowAsync(string name, CancellationToken ct)
    {
        try
        {
            await lxd.DeleteProfileAsync(name, SharedConfig.Project, ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
        }
    }

    /// <summary>
    /// Deletes a row only while its record still satisfies <paramref name="stillIt"/>. LXD's profile DELETE takes no
    /// ETag (lxd/profiles.go profileDelete), so this reads just before deleting: a snapshot seconds old no longer
    /// decides, only the milliseconds between the two requests.
    /// </summary>
    internal async Task DeleteRowIfAsync<T>(string name, JsonTypeInfo<T> type, Func<T, bool> stillIt, CancellationToken ct) where T : class
    {
        if (await TryGetAsync(name, ct) is not { } row || !row.Config.TryGetValue(RowNames.RecordKey, out var json)) return;
        if (Parse(json, type) is { } record && !stillIt(record)) return;
        await DeleteRowAsync(name, ct);
    }

    internal Task<Profile?> TryGetAsync(string name, CancellationToken ct) => lxd.TryGetProfileAsync(name, SharedConfig.Project, ct);

    internal Task<Profile> UpdateRowAsync(string name, Func<Profile, bool> mutate, CancellationToken ct) => lxd.UpdateProfileAsync(name, SharedConfig.Project, mutate, ct);

    private static Profile Row(string name, string json, string description) => new()
    {
        Name = name,
        Description = $"Terrarium: {description} (managed by terrariumctl; do not edit)",
        Config = { [RowNames.RecordKey] = json },
    };

    internal static string Serialize<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);

    internal static T? Parse<T>(string json, JsonTypeInfo<T> type) where T : class
    {
        try { return JsonSerializer.Deserialize(json, type); }
        catch (JsonException) { return null; }
    }

    private static void Add<T>(List<T> list, T? item) where T : class
    {
        if (item is not null) list.Add(item);
    }
}
