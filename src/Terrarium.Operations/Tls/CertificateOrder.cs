using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Acme;
using Terrarium.Lxd;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Tls;

/// <summary>An order the CA ended without a certificate (an invalid authorization or order), or one that lost its lease.</summary>
public sealed class OrderFailedException(string message) : Exception(message);

/// <summary>Another member took the order's lease over (this one stopped renewing it in time): it finishes the order.</summary>
public sealed class LeaseLostException() : Exception("another member took the order over");

/// <summary>
/// Runs one ACME order for one route host while holding its lease in the shared configuration: a new order, or the
/// one a member that stopped renewing its lease left (its URL, certificate key and answers are in the lease). The
/// answers go into the lease before the CA is told to validate, so whichever member the CA reaches serves them.
/// Success writes the host's certificate record; a failure only its error and backoff (a valid certificate stays).
/// <paramref name="acme"/> makes the ACME client from the settings and the account key (a seam for tests; default: the CA in the settings).
/// </summary>
public sealed class CertificateOrder(NodeEnvironment env, SharedConfigStore store, TlsSettingsRecord settings, string self,
    Func<TlsSettingsRecord, ECDsa, AcmeClient>? acme = null)
{
    /// <summary>How long one order may take in all (the CA validates within seconds; Let's Encrypt's orders live 7 days).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _leaseWrite = new(1, 1);
    private readonly Func<TlsSettingsRecord, ECDsa, AcmeClient> _acme = acme ?? Client;
    private volatile bool _leaseLost;

    /// <returns>Whether this member ran the order (false: another member holds the lease).</returns>
    public async Task<bool> RunAsync(OrderDecision decision, CertificateRecord? known, CancellationToken ct)
    {
        var lease = await store.TryTakeOrderLeaseAsync(decision.Host, self, env.Clock(), decision.Expired, ct);
        if (lease is null) return false;
        var host = decision.Host;
        env.Log(decision.Expired is { } old && old.Holder != self
            ? $"certificate for {host}: taking over {old.Holder}'s order (its lease expired at {old.ExpiresAt.UtcDateTime:HH:mm:ss}Z)"
            : decision.Resume ? $"certificate for {host}: resuming this member's order" : $"certificate for {host}: ordering");
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(Bound);
        var keeping = KeepLeaseAsync(lease, bound);
        var record = known ?? new CertificateRecord { Host = host };
        try
        {
            var issued = await OrderAsync(lease, bound.Token);
            record.Certificate = issued.Chain;
            record.Key = lease.Key;
            (record.NotBefore, record.NotAfter) = (issued.NotBefore, issued.NotAfter);
            (record.IssuedBy, record.OrderUrl, record.Orders) = (self, lease.OrderUrl, record.Orders + 1);
            (record.Failures, record.LastError, record.FailedAt) = (0, null, null);
            await store.PutCertificateAsync(record, ct);
            env.Log($"certificate for {host}: issued, valid until {issued.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (order {record.Orders} for this host)");
        }
        catch (Exception e) when (e is LeaseLostException || (_leaseLost && !ct.IsCancellationRequested))
        {
            env.Log($"certificate for {host}: another member took the order over; leaving it to that member");
            return true;
        }
        catch (Exception e) when (Failure(e, ct) is { } why)
        {
            (record.Failures, record.LastError, record.FailedAt) = (record.Failures + 1, why, env.Clock());
            await store.PutCertificateAsync(record, ct);
            env.Log($"certificate for {host}: order failed ({why}); next try in {CertificatePlanner.Backoff(record.Failures).TotalMinutes:0} min{(record.Certificate is null ? "" : ", the current certificate stays")}");
        }
        finally
        {
            await bound.CancelAsync();
            await keeping;
        }
        await store.ReleaseOrderLeaseAsync(host, self, ct);
        return true;
    }

    /// <summary>A sentence for what ended the order, or null for this agent's own shutdown.</summary>
    private static string? Failure(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException when ct.IsCancellationRequested => null,
        OperationCanceledException => $"no certificate within {Bound.TotalMinutes:0} min",
        AcmeException a => $"the CA refused: {EchoText.Escaped(a.Problem.ToString(), 300)}",
        // A corrupt key or directory in a record (ArgumentException, FormatException) fails like a refusal: backoff, not a loop.
        OrderFailedException or HttpRequestException or TimeoutException or LxdException or CryptographicException or IOException or
            ArgumentException or FormatException =>
            EchoText.Escaped(e.Message, 300),
        _ => null,
    };

    /// <summary>Renews the lease until <paramref name="order"/> ends; cancels the order (and returns false) if another member took it.</summary>
    private async Task<bool> KeepLeaseAsync(OrderLeaseRecord lease, CancellationTokenSource order)
    {
        while (true)
        {
            try
            {
                await Task.Delay(CertificatePlanner.LeaseRenewal, env.Time, order.Token);
                if (!await SaveAsync(lease, order.Token))
                {
                    _leaseLost = true;
                    await order.CancelAsync();
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                return true; // the order ended
            }
            catch (Exception e) when (e is LxdException or HttpRequestException or IOException or TimeoutException)
            {
                // One renewal failed (LXD busy): the lease lives 30 s, three renewals; the next one tries again.
            }
        }
    }

    private async Task<bool> SaveAsync(OrderLeaseRecord lease, CancellationToken ct)
    {
        await _leaseWrite.WaitAsync(ct);
        try
        {
            lease.ExpiresAt = env.Clock() + CertificatePlanner.LeaseLifetime;
            return await store.RenewOrderLeaseAsync(lease, ct);
        }
        finally
        {
            _leaseWrite.Release();
        }
    }

    private sealed record Issued(string Chain, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    private async Task<Issued> OrderAsync(OrderLeaseRecord lease, CancellationToken ct)
    {
        using var account = ECDsa.Create();
        account.ImportFromPem(settings.AccountKey);
        using var acme = _acme(settings, account);
        var order = await CurrentOrderAsync(acme, lease, ct);
        using var key = ECDsa.Create();
        key.ImportFromPem(lease.Key!);
        foreach (var url in order.Authorizations) await AuthorizeAsync(acme, account, lease, url, ct);
        order = await PollOrderAsync(acme, order, s => s is "ready" or "valid" or "invalid" or "processing", ct);
        if (order.Status == "ready") order = await acme.FinalizeAsync(order, AcmeJws.CertificateRequest(key, [lease.Host]), ct);
        order = await PollOrderAsync(acme, order, s => s is "valid" or "invalid", ct);
        if (order.Status != "valid" || order.Certificate is null)
            throw new OrderFailedException($"the CA ended the order as {order.Status}{(order.Error is { } e ? $": {e}" : "")}");
        var chain = await acme.DownloadCertificateAsync(order.Certificate, ct);
        using var leaf = X509Certificate2.CreateFromPem(chain);
        using var leafKey = leaf.GetECDsaPublicKey();
        if (leafKey is null || !leafKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            throw new OrderFailedException("the CA's certificate is not for the key of this order");
        return new Issued(chain, leaf.NotBefore.ToUniversalTime(), leaf.NotAfter.ToUniversalTime());
    }

    /// <summary>The lease's order while the CA still has it pending, else a new one (and a new certificate key).</summary>
    private async Task<AcmeOrder> CurrentOrderAsync(AcmeClient acme, OrderLeaseRecord lease, CancellationToken ct)
    {
        if (lease.OrderUrl is { } url && lease.Key is not null)
        {
            try
            {
                var known = await acme.GetOrderAsync(url, ct);
                if (known.Status is not "invalid") return known;
            }
            catch (AcmeException)
            {
                // gone (expired orders are deleted by some CAs): order again
            }
        }
        var order = await acme.NewOrderAsync([lease.Host], ct);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        (lease.OrderUrl, lease.Key, lease.Challenges) = (order.Url, key.ExportPkcs8PrivateKeyPem(), []);
        if (!await SaveAsync(lease, ct)) throw new LeaseLostException();
        env.Log($"certificate for {lease.Host}: placed a new ACME order");
        return order;
    }

    private async Task AuthorizeAsync(AcmeClient acme, ECDsa account, OrderLeaseRecord lease, string url, CancellationToken ct)
    {
        var authorization = await acme.GetAuthorizationAsync(url, ct);
        if (authorization.Status == "valid") return;
        if (authorization.Status != "pending")
            throw new OrderFailedException($"the CA's authorization for {authorization.Identifier} is {authorization.Status}");
        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == "http-01")
            ?? throw new OrderFailedException($"the CA offers no http-01 challenge for {authorization.Identifier}");
        if (!lease.Challenges.Any(c => c.Token == challenge.Token))
        {
            lease.Challenges.Add(new ChallengeAnswer { Token = challenge.Token, KeyAuthorization = AcmeJws.KeyAuthorization(challenge.Token, account) });
            if (!await SaveAsync(lease, ct)) throw new LeaseLostException();
        }
        if (challenge.Status == "pending") await acme.AnswerChallengeAsync(challenge.Url, ct);
        while (authorization.Status == "pending")
        {
            await Task.Delay(PollInterval, env.Time, ct);
            authorization = await acme.GetAuthorizationAsync(url, ct);
        }
        if (authorization.Status != "valid")
        {
            var error = authorization.Challenges.FirstOrDefault(c => c.Type == "http-01")?.Error;
            throw new OrderFailedException($"the CA could not validate {authorization.Identifier} over HTTP-01{(error is null ? "" : $": {error}")}");
        }
    }

    private async Task<AcmeOrder> PollOrderAsync(AcmeClient acme, AcmeOrder order, Func<string, bool> done, CancellationToken ct)
    {
        while (!done(order.Status))
        {
            await Task.Delay(PollInterval, env.Time, ct);
            order = await acme.GetOrderAsync(order.Url, ct);
        }
        return order;
    }

    /// <summary>The client of the CA in <paramref name="settings"/>, signing with the cluster's account.</summary>
    public static AcmeClient Client(TlsSettingsRecord settings, ECDsa account) =>
        new(new Uri(settings.Directory), account, settings.AccountUrl, TrustedRoots(settings));

    public static X509Certificate2Collection? TrustedRoots(TlsSettingsRecord settings)
    {
        if (string.IsNullOrWhiteSpace(settings.CaRoot)) return null;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(settings.CaRoot);
        return roots;
    }
}
