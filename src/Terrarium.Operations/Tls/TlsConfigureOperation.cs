using System.Security.Cryptography;
using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Acme;
using Terrarium.Lxd;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Tls;

public sealed record TlsConfigureRequest(Uri Directory, string Email, string? CaRoot, bool HttpsRedirect);

/// <summary>What `cluster tls configure` did: <see cref="Change"/> is configured, updated, unchanged, off or already-off.</summary>
public sealed record TlsConfigureResult(string Change, string? Directory, string? AccountUrl, IReadOnlyList<HostCertificate> Hosts);

/// <summary>
/// `cluster tls configure`: registers the cluster's one ACME account with the CA (RFC 8555 §7.3) and stores it in the
/// shared configuration, from where every member's agent orders and serves route certificates. The CA is asked before
/// anything is written, so an unreachable or refusing CA changes nothing. `--off` removes the account, every certificate
/// and every order lease: routes are served over HTTP only again.
/// </summary>
public sealed class TlsConfigureOperation(NodeEnvironment env)
{
    public async Task<TlsConfigureResult> ConfigureAsync(TlsConfigureRequest request, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var store = new SharedConfigStore(lxd);
        var config = await LoadMemberConfigAsync(store, ct);
        var current = config.Tls;
        var caRoot = request.CaRoot ?? "";
        if (current is not null && current.Directory == request.Directory.AbsoluteUri && current.Email == request.Email &&
            (current.CaRoot ?? "") == caRoot && current.HttpsRedirect == request.HttpsRedirect)
            return new TlsConfigureResult("unchanged", current.Directory, current.AccountUrl, []);
        // The same CA keeps its account (and the orders in progress); another CA gets a new key.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (current?.Directory == request.Directory.AbsoluteUri) key.ImportFromPem(current.AccountKey);
        var settings = new TlsSettingsRecord
        {
            Directory = request.Directory.AbsoluteUri, Email = request.Email, CaRoot = caRoot.Length == 0 ? null : caRoot,
            AccountKey = key.ExportPkcs8PrivateKeyPem(), HttpsRedirect = request.HttpsRedirect, UpdatedAt = env.Clock(),
        };
        settings.AccountUrl = await RegisterAsync(settings, key, ct);
        await store.PutTlsAsync(settings, ct);
        return new TlsConfigureResult(current is null ? "configured" : "updated", settings.Directory, settings.AccountUrl, []);
    }

    /// <param name="confirm">Asked only when there is something to remove (false: nothing is changed).</param>
    public async Task<TlsConfigureResult> OffAsync(Action confirm, CancellationToken ct)
    {
        using var lxd = env.Lxd();
        var store = new SharedConfigStore(lxd);
        var config = await LoadMemberConfigAsync(store, ct);
        if (config.Tls is null && config.Certificates.Count == 0 && config.OrderLeases.Count == 0)
            return new TlsConfigureResult("already-off", null, null, []);
        confirm();
        // The account first: no agent starts a new order once it is gone.
        await store.DeleteTlsAsync(ct);
        foreach (var lease in config.OrderLeases) await store.ReleaseOrderLeaseAsync(lease.Host, lease.Holder, ct);
        foreach (var certificate in config.Certificates) await store.DeleteCertificateAsync(certificate.Host, ct);
        return new TlsConfigureResult("off", config.Tls?.Directory, null, []);
    }

    private async Task<Cluster.Config.SharedConfig> LoadMemberConfigAsync(SharedConfigStore store, CancellationToken ct)
    {
        if (NodeIdentity.Load(env.Layout) is null)
            throw new OperationFailedException("This server is not a Terrarium cluster member; run `terrariumctl cluster tls configure` on a member.");
        var config = await store.LoadAsync(ct);
        if (config.Settings is null)
            throw new OperationFailedException("LXD holds no Terrarium cluster configuration; run this on a member of a Terrarium cluster.");
        return config;
    }

    private static async Task<string> RegisterAsync(TlsSettingsRecord settings, ECDsa key, CancellationToken ct)
    {
        try
        {
            using var acme = new AcmeClient(new Uri(settings.Directory), key, null, CertificateOrder.TrustedRoots(settings));
            return await acme.RegisterAsync(settings.Email, ct);
        }
        catch (AcmeException e)
        {
            throw new OperationFailedException($"The ACME server at {settings.Directory} refused the account: {EchoText.Escaped(e.Problem.ToString(), 300)}; nothing was changed.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or IOException or System.Text.Json.JsonException)
        {
            throw new OperationFailedException($"The ACME directory {settings.Directory} could not be used ({EchoText.Escaped(e.Message, 300)}); check the URL, this member's DNS and --ca-root; nothing was changed.");
        }
    }
}
