namespace Terrarium.Cluster.Tls;

/// <summary>Where a route host's certificate stands.</summary>
public enum CertificateState
{
    /// <summary>A certificate is served and not yet due for renewal.</summary>
    Valid,
    /// <summary>No certificate yet, or its renewal is due: the next order is for it.</summary>
    Due,
    /// <summary>A member holds the host's order lease and is ordering.</summary>
    Ordering,
    /// <summary>The last order failed; the next waits for the backoff (a still-valid certificate is kept and served).</summary>
    Failed,
    /// <summary>No certificate can be ordered for it (a wildcard: HTTP-01 cannot prove it; a name without a dot).</summary>
    Refused,
}

/// <summary>One route host's certificate as status and route list show it.</summary>
public sealed record HostCertificate(string Host, CertificateState State)
{
    public DateTimeOffset? ValidUntil { get; init; }
    public DateTimeOffset? RenewAt { get; init; }
    public string? Holder { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>A short phrase: "valid until …", "ordering (node1)", "failed: why; retry at …".</summary>
    public string Describe()
    {
        var until = ValidUntil is { } u ? $"valid until {u.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : null;
        return State switch
        {
            CertificateState.Valid => until!,
            CertificateState.Due => until is null ? "waiting for its first order" : $"{until}; renewal due",
            CertificateState.Ordering => $"ordering ({Holder}){(until is null ? "" : $"; {until}")}",
            CertificateState.Failed => $"failed: {Error}; retry at {RetryAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z{(until is null ? "" : $"; {until}")}",
            _ => $"no certificate: {Error}",
        };
    }
}

/// <summary>The order a member should run now, and whether it takes over another member's expired lease.</summary>
public sealed record OrderDecision(string Host, OrderLeaseRecord? Expired, bool Resume);

/// <summary>
/// Decides, from the shared records alone, each route host's certificate state and which order this member runs next:
/// one order per host for the whole cluster (the lease), renewal at two thirds of the lifetime, exponential backoff after
/// a failure, wildcard hosts refused. Pure: the agent's certificate worker does the I/O.
/// </summary>
public static class CertificatePlanner
{
    /// <summary>How long a lease lives without its holder renewing it (the holder renews it every <see cref="LeaseRenewal"/>).</summary>
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LeaseRenewal = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The member that orders is the first online member by name; another orders a host only once it has been due this
    /// long with no lease (that member's agent is down), so N members place one order, not N.
    /// </summary>
    public static readonly TimeSpan OthersWait = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    public static DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter) => notBefore + (notAfter - notBefore) * 2 / 3;

    /// <summary>5 min after the first failure, doubling up to 6 h: within Let's Encrypt's 5 failed validations per host an hour.</summary>
    public static TimeSpan Backoff(int failures) =>
        failures <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failures - 1, 16)));

    /// <summary>Why no certificate can be ordered for <paramref name="host"/>, or null.</summary>
    public static string? Refusal(string host) =>
        host.StartsWith("*.", StringComparison.Ordinal)
            ? "a wildcard host cannot be proven by HTTP-01 (the only challenge a member can answer for the cluster); give it a certificate of your own"
            : !host.Contains('.') ? "a name without a dot is not a public DNS name a CA certifies" : null;

    public static HostCertificate Assess(string host, CertificateRecord? cert, OrderLeaseRecord? lease, DateTimeOffset now)
    {
        if (Refusal(host) is { } why) return new HostCertificate(host, CertificateState.Refused) { Error = why };
        DateTimeOffset? until = cert?.NotAfter is { } a && a > now && cert.Certificate is not null ? a : null;
        DateTimeOffset? renew = until is not null && cert!.NotBefore is { } b ? RenewAt(b, until.Value) : null;
        if (lease is not null && lease.ExpiresAt > now)
            return new HostCertificate(host, CertificateState.Ordering) { ValidUntil = until, RenewAt = renew, Holder = lease.Holder };
        if (cert is { Failures: > 0, FailedAt: { } failed } && failed + Backoff(cert.Failures) > now)
            return new HostCertificate(host, CertificateState.Failed)
            { ValidUntil = until, RenewAt = renew, Error = cert.LastError, RetryAt = failed + Backoff(cert.Failures) };
        var state = until is not null && renew > now ? CertificateState.Valid : CertificateState.Due;
        return new HostCertificate(host, state) { ValidUntil = until, RenewAt = renew };
    }

    /// <summary>
    /// The next order this member runs: its own lease first (its agent died mid-order: resume), then a lease whose
    /// holder stopped renewing it, then a due host — at once when <paramref name="preferred"/>, else once it has been
    /// due for <see cref="OthersWait"/> (<paramref name="dueSince"/>: when this member first saw it due).
    /// </summary>
    public static OrderDecision? Next(IEnumerable<string> hosts, IReadOnlyList<CertificateRecord> certs, IReadOnlyList<OrderLeaseRecord> leases,
        string self, bool preferred, DateTimeOffset now, IReadOnlyDictionary<string, DateTimeOffset> dueSince)
    {
        var candidates = new List<OrderDecision>();
        foreach (var host in hosts.Distinct().Order(StringComparer.Ordinal))
        {
            if (Refusal(host) is not null) continue;
            var lease = leases.FirstOrDefault(l => l.Host == host);
            if (lease is not null && lease.Holder == self) return new OrderDecision(host, lease, Resume: true);
            if (lease is not null && lease.ExpiresAt <= now) candidates.Add(new OrderDecision(host, lease, Resume: true));
            else if (lease is null && Assess(host, certs.FirstOrDefault(c => c.Host == host), null, now).State == CertificateState.Due &&
                     (preferred || (dueSince.TryGetValue(host, out var since) && now - since >= OthersWait)))
                candidates.Add(new OrderDecision(host, null, Resume: false));
        }
        return candidates.OrderByDescending(c => c.Expired is not null).FirstOrDefault();
    }
}
