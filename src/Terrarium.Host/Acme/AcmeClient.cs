using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Terrarium.Cluster.Tls;

namespace Terrarium.Host.Acme;

/// <summary>
/// An RFC 8555 (ACME) client: account, order, authorization, challenge, finalize and download, each one signed POST.
/// It never waits or polls itself; the caller decides how often to look at an order again. The account key signs
/// requests and is never written anywhere: not to a log, not into an exception.
/// </summary>
public sealed class AcmeClient : IDisposable
{
    /// <summary>How long one request may take, answer body included.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How often a badNonce refusal is retried with the fresh nonce it carries (Pebble refuses 5% on purpose).</summary>
    public const int BadNonceRetries = 5;

    private const string JoseJson = "application/jose+json";
    private const string PemChain = "application/pem-certificate-chain";

    private readonly Uri _directoryUrl;
    private readonly ECDsa _accountKey;
    private readonly HttpClient _http;
    // Every answer carries a fresh nonce; the newest is used first, so a badNonce retry uses the nonce it came with.
    private readonly ConcurrentStack<string> _nonces = new();
    private AcmeDirectory? _directory;

    public AcmeClient(Uri directory, ECDsa accountKey, string? accountUrl = null, X509Certificate2Collection? trustedRoots = null,
        HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(accountKey);
        _directoryUrl = directory;
        _accountKey = accountKey;
        AccountUrl = string.IsNullOrEmpty(accountUrl) ? null : accountUrl;
        _http = new HttpClient(handler ?? CreateHandler(trustedRoots), disposeHandler: handler is null)
        {
            // Each request has its own bound (RequestTimeout) linked to the caller's token.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 1 << 20,
        };
        // RFC 8555 §6.1: clients must identify themselves.
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Terrarium-ACME/1.0");
    }

    /// <summary>The account's URL (the "kid" of every request but newAccount); null until registered.</summary>
    public string? AccountUrl { get; private set; }

    /// <summary>Creates the account, or finds the existing one for this key (200); keeps and returns its URL.</summary>
    public async Task<string> RegisterAsync(string email, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var directory = await DirectoryAsync(ct);
        var contact = email.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? email : $"mailto:{email}";
        var payload = JsonSerializer.Serialize(new AcmeNewAccountWire { TermsOfServiceAgreed = true, Contact = [contact] },
            AcmeJsonContext.Default.AcmeNewAccountWire);
        var response = await PostAsync(directory.NewAccount, kid: null, payload, accept: null, ct);
        AccountUrl = Required(response.Location, "Location header", "newAccount answer", response.Status);
        return AccountUrl;
    }

    public async Task<AcmeOrder> NewOrderAsync(IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var kid = RequireAccount();
        if (hosts.Count == 0) throw new ArgumentException("An order needs at least one host.", nameof(hosts));
        var directory = await DirectoryAsync(ct);
        var request = new AcmeNewOrderWire { Identifiers = [.. hosts.Select(h => new AcmeIdentifierWire { Type = "dns", Value = h })] };
        var payload = JsonSerializer.Serialize(request, AcmeJsonContext.Default.AcmeNewOrderWire);
        var response = await PostAsync(directory.NewOrder, kid, payload, accept: null, ct);
        // The order's own URL is only in Location: keep it, it is how the order is looked at again.
        var url = Required(response.Location, "Location header", "newOrder answer", response.Status);
        return ToOrder(url, Parse(response, AcmeJsonContext.Default.AcmeOrderWire, "order"), response.Status);
    }

    /// <summary>The order as it is now (POST-as-GET); <paramref name="orderUrl"/> is kept, the answer does not carry it.</summary>
    public async Task<AcmeOrder> GetOrderAsync(string orderUrl, CancellationToken ct)
    {
        var response = await PostAsync(orderUrl, RequireAccount(), payloadJson: null, accept: null, ct);
        return ToOrder(orderUrl, Parse(response, AcmeJsonContext.Default.AcmeOrderWire, "order"), response.Status);
    }

    public async Task<AcmeAuthorization> GetAuthorizationAsync(string url, CancellationToken ct)
    {
        var response = await PostAsync(url, RequireAccount(), payloadJson: null, accept: null, ct);
        return ToAuthorization(url, Parse(response, AcmeJsonContext.Default.AcmeAuthorizationWire, "authorization"), response.Status);
    }

    /// <summary>Tells the server the challenge is ready to be validated (RFC 8555 §7.5.1: an empty object).</summary>
    public async Task<AcmeChallenge> AnswerChallengeAsync(string challengeUrl, CancellationToken ct)
    {
        var response = await PostAsync(challengeUrl, RequireAccount(), "{}", accept: null, ct);
        return ToChallenge(Parse(response, AcmeJsonContext.Default.AcmeChallengeWire, "challenge"), response.Status);
    }

    /// <summary>Sends the CSR of a ready order; the order answered is usually "processing" or already "valid".</summary>
    public async Task<AcmeOrder> FinalizeAsync(AcmeOrder order, byte[] csrDer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var kid = RequireAccount();
        var payload = JsonSerializer.Serialize(new AcmeFinalizeWire { Csr = Base64Url.EncodeToString(csrDer) },
            AcmeJsonContext.Default.AcmeFinalizeWire);
        var response = await PostAsync(order.Finalize, kid, payload, accept: null, ct);
        return ToOrder(order.Url, Parse(response, AcmeJsonContext.Default.AcmeOrderWire, "order"), response.Status);
    }

    /// <summary>The issued certificate and its chain as PEM, leaf first (RFC 8555 §7.4.2).</summary>
    public async Task<string> DownloadCertificateAsync(string certificateUrl, CancellationToken ct)
    {
        var response = await PostAsync(certificateUrl, RequireAccount(), payloadJson: null, PemChain, ct);
        if (!response.Body.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            throw Malformed("The certificate the server sent is not a PEM chain.", response.Status);
        return response.Body;
    }

    public void Dispose() => _http.Dispose();

    private string RequireAccount() => AccountUrl ??
        throw new InvalidOperationException("The ACME account is not registered yet: call RegisterAsync or pass its URL first.");

    /// <summary>A signed POST; a badNonce refusal is sent again with the nonce it carried, at most BadNonceRetries times.</summary>
    private async Task<AcmeResponse> PostAsync(string url, string? kid, string? payloadJson, string? accept, CancellationToken ct)
    {
        var directory = await DirectoryAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var nonce = await NonceAsync(directory, ct);
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Content = new StringContent(AcmeJws.Sign(_accountKey, kid, nonce, url, payloadJson));
            // Exactly this type: Pebble and Boulder refuse it with a charset parameter.
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
            if (accept is not null) request.Headers.Accept.ParseAdd(accept);
            var response = await SendAsync(request, ct);
            if (response.Success) return response;
            var problem = ProblemOf(response);
            if (problem.Type != AcmeProblem.BadNonce || attempt >= BadNonceRetries) throw new AcmeException(problem);
        }
    }

    private async Task<string> NonceAsync(AcmeDirectory directory, CancellationToken ct)
    {
        if (_nonces.TryPop(out var kept)) return kept;
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        var response = await SendAsync(request, ct);
        if (!response.Success) throw new AcmeException(ProblemOf(response));
        return _nonces.TryPop(out var fresh) ? fresh : throw Malformed("The newNonce answer has no Replay-Nonce header.", response.Status);
    }

    private async Task<AcmeDirectory> DirectoryAsync(CancellationToken ct)
    {
        if (_directory is { } known) return known;
        using var request = new HttpRequestMessage(HttpMethod.Get, _directoryUrl);
        var response = await SendAsync(request, ct);
        if (!response.Success) throw new AcmeException(ProblemOf(response));
        var wire = Parse(response, AcmeJsonContext.Default.AcmeDirectoryWire, "directory");
        const string what = "directory";
        return _directory = new AcmeDirectory(Required(wire.NewNonce, "newNonce", what, response.Status),
            Required(wire.NewAccount, "newAccount", what, response.Status), Required(wire.NewOrder, "newOrder", what, response.Status));
    }

    /// <summary>One request, bounded by RequestTimeout; keeps the answer's nonce whatever its status.</summary>
    private async Task<AcmeResponse> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(RequestTimeout);
        try
        {
            using var response = await _http.SendAsync(request, bound.Token);
            KeepNonce(response);
            var body = await response.Content.ReadAsStringAsync(bound.Token);
            var location = response.Headers.Location is { } l ? new Uri(request.RequestUri!, l).AbsoluteUri : null;
            return new AcmeResponse((int)response.StatusCode, response.IsSuccessStatusCode, location, body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The ACME server did not answer {request.Method} {request.RequestUri} within {RequestTimeout.TotalSeconds:0} s.");
        }
    }

    private void KeepNonce(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Replay-Nonce", out var values)) return;
        foreach (var value in values)
            if (value.Length is > 0 and <= 256 && value.All(IsBase64UrlChar)) _nonces.Push(value);
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static SocketsHttpHandler CreateHandler(X509Certificate2Collection? trustedRoots)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (trustedRoots is not null)
        {
            var roots = new X509Certificate2Collection(trustedRoots);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                ChainsToRoots(certificate, chain, errors, roots);
        }
        return handler;
    }

    /// <summary>Only the anchor changes: the name must still match and the chain must end in one of the given roots.</summary>
    private static bool ChainsToRoots(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // A private ACME CA's TLS certificate rarely names a reachable revocation service.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // The intermediates the server sent are in the presented chain's extra store.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    private static T Parse<T>(AcmeResponse response, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(response.Body, type) ?? throw Malformed($"The {what} the server sent is empty.", response.Status);
        }
        catch (JsonException)
        {
            throw Malformed($"The {what} the server sent is not valid JSON.", response.Status);
        }
    }

    /// <summary>The server's problem document, or an about:blank one with the start of whatever it sent instead.</summary>
    private static AcmeProblem ProblemOf(AcmeResponse response)
    {
        AcmeProblemWire? wire = null;
        try { wire = JsonSerializer.Deserialize(response.Body, AcmeJsonContext.Default.AcmeProblemWire); }
        catch (JsonException) { }
        if (ToProblem(wire, response.Status) is { } problem) return problem;
        var firstLine = response.Body.Split('\n', 2)[0].Trim();
        var detail = firstLine.Length == 0 ? "no problem document" : firstLine[..Math.Min(firstLine.Length, 200)];
        return new AcmeProblem("about:blank", detail, response.Status);
    }

    private static AcmeProblem? ToProblem(AcmeProblemWire? wire, int httpStatus) => wire?.Type is { Length: > 0 } type
        ? new AcmeProblem(type, wire.Detail ?? "", wire.Status is > 0 and var status ? status : httpStatus)
        : null;

    private static AcmeOrder ToOrder(string url, AcmeOrderWire wire, int httpStatus) => new(url,
        Required(wire.Status, "status", "order", httpStatus), wire.Authorizations ?? [],
        Required(wire.Finalize, "finalize", "order", httpStatus), wire.Certificate, ToProblem(wire.Error, httpStatus));

    private static AcmeAuthorization ToAuthorization(string url, AcmeAuthorizationWire wire, int httpStatus) => new(url,
        Required(wire.Status, "status", "authorization", httpStatus),
        Required(wire.Identifier?.Value, "identifier", "authorization", httpStatus),
        [.. (wire.Challenges ?? []).Select(c => ToChallenge(c, httpStatus))]);

    private static AcmeChallenge ToChallenge(AcmeChallengeWire wire, int httpStatus) => new(
        Required(wire.Type, "type", "challenge", httpStatus), Required(wire.Url, "url", "challenge", httpStatus),
        Required(wire.Status, "status", "challenge", httpStatus), wire.Token ?? "", ToProblem(wire.Error, httpStatus));

    private static string Required(string? value, string member, string what, int httpStatus) =>
        string.IsNullOrEmpty(value) ? throw Malformed($"The {what} the server sent has no {member}.", httpStatus) : value;

    private static AcmeException Malformed(string detail, int httpStatus) => new(new AcmeProblem("about:blank", detail, httpStatus));

    private sealed record AcmeDirectory(string NewNonce, string NewAccount, string NewOrder);

    private sealed record AcmeResponse(int Status, bool Success, string? Location, string Body);
}
