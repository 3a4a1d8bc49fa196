using System.Net;
using System.Security.Cryptography;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Tls;
using Terrarium.Host.Acme;
using Terrarium.Host.Files;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Tls;

/// <summary>What one certificate pass did: whether Traefik's file must be rendered again, and when to look next.</summary>
public sealed record CertificatePass(bool RenderingChanged, TimeSpan Next);

/// <summary>
/// The agent's certificate concern: writes every host's certificate from the shared configuration to this member's
/// files (0600) for Traefik, keeps the challenge answers the responder serves, and runs the one order the planner
/// gives this member (<see cref="CertificatePlanner.Next"/>), if any. <paramref name="acme"/>: see <see cref="CertificateOrder"/>.
/// </summary>
public sealed class CertificateWorker(NodeEnvironment env, IPEndPoint responder, Func<TlsSettingsRecord, ECDsa, AcmeClient>? acme = null)
{
    /// <summary>How often to look while an order is in progress somewhere (its certificate appears, or its lease expires).</summary>
    public static readonly TimeSpan WhileOrdering = TimeSpan.FromSeconds(5);

    /// <summary>How often to look while the cluster has no ACME account (events say when one is configured).</summary>
    public static readonly TimeSpan WithoutAccount = TimeSpan.FromMinutes(5);
    private readonly Dictionary<string, DateTimeOffset> _dueSince = new(StringComparer.Ordinal);

    public ChallengeBook Book { get; } = new(async ct =>
    {
        using var lxd = env.Lxd(TimeSpan.FromSeconds(5));
        return (await new SharedConfigStore(lxd).LoadAsync(ct)).OrderLeases;
    }, env.Time);

    /// <summary>What Traefik's file serves over HTTPS on this member now (null: no ACME account configured).</summary>
    public TlsRendering? Rendering { get; private set; }

    public async Task<CertificatePass> PassAsync(IReadOnlyCollection<string> hosts, TimeSpan idle, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var store = new SharedConfigStore(lxd);
        var config = await store.LoadAsync(ct);
        Book.Update(config.OrderLeases);
        var rendering = WriteFiles(config);
        var changed = !Same(rendering, Rendering);
        Rendering = rendering;
        // Without an account only LXD's events (the account's row created) or a reconnection wake it: no read every resync.
        if (config.Tls is not { } settings) return new CertificatePass(changed, WithoutAccount);
        if (NodeIdentity.Load(env.Layout) is not { } identity) return new CertificatePass(changed, idle);
        var now = env.Clock();
        foreach (var host in hosts)
        {
            var state = CertificatePlanner.Assess(host, config.Certificate(host), config.OrderLease(host), now).State;
            if (state == CertificateState.Due) _dueSince.TryAdd(host, now);
            else _dueSince.Remove(host);
        }
        var online = Routes.RouteSync.Online(await lxd.GetClusterMembersAsync(ct));
        var preferred = online.Min(StringComparer.Ordinal) == identity.Member;
        if (CertificatePlanner.Next(hosts, config.Certificates, config.OrderLeases, identity.Member, preferred, now, _dueSince) is { } decision &&
            await new CertificateOrder(env, store, settings, identity.Member, acme).RunAsync(decision, config.Certificate(decision.Host), ct))
            return new CertificatePass(changed, TimeSpan.Zero); // write the new certificate's files at once
        return new CertificatePass(changed, NextLook(config, hosts, now, idle));
    }

    /// <summary>Soon while an order runs anywhere; else at the next renewal or retry, or the resync.</summary>
    private static TimeSpan NextLook(SharedConfig config, IReadOnlyCollection<string> hosts, DateTimeOffset now, TimeSpan idle)
    {
        if (config.OrderLeases.Count > 0) return WhileOrdering;
        var next = hosts.Select(h => CertificatePlanner.Assess(h, config.Certificate(h), null, now))
            .SelectMany(c => new[] { c.RenewAt, c.RetryAt }).OfType<DateTimeOffset>().Where(t => t > now)
            .Select(t => t - now).DefaultIfEmpty(idle).Min();
        return next < idle ? next + TimeSpan.FromSeconds(1) : idle;
    }

    /// <summary>Writes HOST-HASH.crt and HOST-HASH.key (0600) for every certificate in the shared configuration, removes the others.</summary>
    private TlsRendering? WriteFiles(SharedConfig config)
    {
        var dir = env.Layout.TlsDir;
        var files = new Dictionary<string, CertificateFiles>(StringComparer.Ordinal);
        if (config.Tls is not null)
            foreach (var c in config.Certificates.Where(c => c.Certificate is not null && c.Key is not null && CertificatePlanner.Refusal(c.Host) is null))
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                // Named by the certificate's hash: a renewal changes Traefik's file, which is what makes Traefik load it.
                var name = $"{c.Host}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(c.Certificate!)))[..12]}";
                var entry = new CertificateFiles(Path.Join(dir, name + ".crt"), Path.Join(dir, name + ".key"));
                AtomicFile.WriteIfChanged(entry.KeyFile, c.Key!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                AtomicFile.WriteIfChanged(entry.CertFile, c.Certificate!, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                files[c.Host] = entry;
            }
        if (Directory.Exists(dir))
            foreach (var stale in Directory.EnumerateFiles(dir).Where(f => !files.Values.Any(e => e.CertFile == f || e.KeyFile == f)))
                File.Delete(stale);
        return config.Tls is null ? null : new TlsRendering(files, config.Tls.HttpsRedirect, ChallengeResponder.Url(responder));
    }

    private static bool Same(TlsRendering? a, TlsRendering? b) =>
        a is null || b is null ? a is null && b is null
        : a.HttpsRedirect == b.HttpsRedirect && a.ChallengeResponder == b.ChallengeResponder &&
          a.Certificates.Count == b.Certificates.Count && a.Certificates.All(kv => b.Certificates.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
