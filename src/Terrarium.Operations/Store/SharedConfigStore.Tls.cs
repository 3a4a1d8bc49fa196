using Terrarium.Cluster.Config;
using Terrarium.Cluster.Tls;
using Terrarium.Lxd;

namespace Terrarium.Operations.Store;

/// <summary>The HTTPS records: the cluster's ACME account, each route host's certificate and its order lease.</summary>
public sealed partial class SharedConfigStore
{
    private static TlsJsonContext TlsJson => TlsJsonContext.Default;

    public Task PutTlsAsync(TlsSettingsRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Tls, Serialize(r, TlsJson.TlsSettingsRecord), "ACME account for route certificates", ct);
    public Task DeleteTlsAsync(CancellationToken ct = default) => DeleteRowAsync(RowNames.Tls, ct);
    public Task PutCertificateAsync(CertificateRecord r, CancellationToken ct = default) => UpsertAsync(RowNames.Certificate(r.Host), Serialize(r, TlsJson.CertificateRecord), $"certificate of route host {r.Host}", ct);
    public Task DeleteCertificateAsync(string host, CancellationToken ct = default) => DeleteRowAsync(RowNames.Certificate(host), ct);

    /// <summary>
    /// Takes the order lease of <paramref name="host"/>: a new one (the first insert wins), or <paramref name="expired"/>'s
    /// place, carrying its order, key and answers so the same order is finished. Null when another member holds it.
    /// </summary>
    public async Task<OrderLeaseRecord?> TryTakeOrderLeaseAsync(string host, string self, DateTimeOffset now, OrderLeaseRecord? expired, CancellationToken ct = default)
    {
        var row = RowNames.OrderLease(host);
        if (expired is not null && expired.Holder != self)
            await DeleteRowIfAsync(row, TlsJson.OrderLeaseRecord, l => l.Holder == expired.Holder && l.ExpiresAt == expired.ExpiresAt, ct);
        else if (expired is not null)
            return await RenewOrderLeaseAsync(With(expired, now), ct) ? expired : null;
        var lease = new OrderLeaseRecord
        {
            Host = host, Holder = self, TakenAt = now, ExpiresAt = now + CertificatePlanner.LeaseLifetime,
            OrderUrl = expired?.OrderUrl, Key = expired?.Key, Challenges = expired?.Challenges ?? [],
            Previous = expired is null ? [] : [.. expired.Previous, expired.Holder],
        };
        var won = await InsertOnceAsync(row, lease, TlsJson.OrderLeaseRecord, $"order of a certificate for {host}", ct);
        return won?.Holder == self && won.TakenAt == now ? won : null;
    }

    /// <summary>The lease with its expiry moved on from <paramref name="now"/> (the same record: its holder keeps writing it).</summary>
    private static OrderLeaseRecord With(OrderLeaseRecord lease, DateTimeOffset now)
    {
        lease.ExpiresAt = now + CertificatePlanner.LeaseLifetime;
        return lease;
    }

    /// <summary>Writes the holder's lease (renewed, or with its order and answers); false when another member took it over meanwhile.</summary>
    public async Task<bool> RenewOrderLeaseAsync(OrderLeaseRecord lease, CancellationToken ct = default)
    {
        var held = true;
        try
        {
            await UpdateRowAsync(RowNames.OrderLease(lease.Host), p =>
            {
                var now = p.Config.TryGetValue(RowNames.RecordKey, out var json) ? Parse(json, TlsJson.OrderLeaseRecord) : null;
                if (now?.Holder != lease.Holder) return held = false;
                p.Config[RowNames.RecordKey] = Serialize(lease, TlsJson.OrderLeaseRecord);
                return true;
            }, ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            return false;
        }
        return held;
    }

    /// <summary>Ends this member's order of <paramref name="host"/> (a finished or failed order; a take-over's row is left).</summary>
    public Task ReleaseOrderLeaseAsync(string host, string holder, CancellationToken ct = default) =>
        DeleteRowIfAsync(RowNames.OrderLease(host), TlsJson.OrderLeaseRecord, l => l.Holder == holder, ct);

    /// <summary>Collects the HTTPS rows while the shared configuration is read.</summary>
    private sealed class TlsRows
    {
        public TlsSettingsRecord? Settings;
        public readonly List<CertificateRecord> Certificates = [];
        public readonly List<OrderLeaseRecord> Leases = [];

        /// <summary>True when the row is one of these (taken, or dropped when it does not parse or its name does not match its host).</summary>
        public bool TryAdd(string name, string json)
        {
            if (name == RowNames.Tls) Settings = Parse(json, TlsJson.TlsSettingsRecord);
            else if (name.StartsWith(RowNames.CertificatePrefix, StringComparison.Ordinal))
            {
                if (Parse(json, TlsJson.CertificateRecord) is { } c && RowNames.Certificate(c.Host) == name) Certificates.Add(c);
            }
            else if (name.StartsWith(RowNames.OrderLeasePrefix, StringComparison.Ordinal))
            {
                if (Parse(json, TlsJson.OrderLeaseRecord) is { } l && RowNames.OrderLease(l.Host) == name) Leases.Add(l);
            }
            else return false;
            return true;
        }
    }
}
