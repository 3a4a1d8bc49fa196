using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Terrarium.Host.Acme;

namespace Terrarium.UnitTests.Host;

/// <summary>
/// A deterministic in-memory ACME server for one order of app.example.test. It checks what a real one checks (the
/// Content-Type, the nonce was issued and is used once, the JWS url is the request's, the signature, jwk vs kid) and
/// answers a violation with a problem document, so a client bug fails the test with the reason.
/// With <see cref="Issues"/> it signs the CSR it is sent (a real chain for the CSR's key), and the authorization
/// turns valid once its challenge is answered, so a whole order can run against it.
/// </summary>
internal sealed class FakeAcmeServer(ECDsa accountKey) : HttpMessageHandler
{
    public const string Chain = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    private const string Base = "https://acme.test";
    private readonly HashSet<string> _issued = [];
    private int _nextNonce;
    private string _orderStatus = "pending";

    public sealed record Request(string Method, string Path, string? ContentType, string? Accept, string? Nonce, string? Payload)
    {
        public string Line => $"{Method} {Path}";
        public string? AnsweredNonce { get; set; }
    }

    public List<Request> Requests { get; } = [];
    /// <summary>How many well-formed POSTs to refuse with badNonce anyway (Pebble refuses 5% at random).</summary>
    public int BadNonces { get; set; }
    public Dictionary<string, (HttpStatusCode Status, string ContentType, string Body)> Refusals { get; } = [];
    public string? ChallengeError { get; set; }
    /// <summary>Finalize signs the CSR with this server's CA (from <see cref="NotBefore"/> to <see cref="NotAfter"/>) instead of answering <see cref="Chain"/>.</summary>
    public bool Issues { get; init; }
    public static readonly DateTimeOffset NotBefore = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset NotAfter = NotBefore.AddDays(90);
    /// <summary>Called when the challenge POST arrives, before it is answered: what a member must already serve by then.</summary>
    public Action? OnChallengeAnswer { get; set; }
    private bool _answered;
    private string _chain = Chain;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var path = request.RequestUri!.AbsolutePath;
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(ct);
        var (nonce, payload, violation) = request.Method == HttpMethod.Post ? Check(request, body!) : (null, null, null);
        var recorded = new Request(request.Method.Method, path, request.Content?.Headers.ContentType?.ToString(),
            request.Headers.Accept.ToString(), nonce, payload);
        Requests.Add(recorded);
        var response = violation is not null ? Problem(HttpStatusCode.BadRequest, "urn:fake:malformed", violation)
            : request.Method == HttpMethod.Post && TakeBadNonce() ? Problem(HttpStatusCode.BadRequest, AcmeProblem.BadNonce, "JWS has an invalid anti-replay nonce")
            : Refusals.TryGetValue(path, out var refusal) ? Text(refusal.Status, refusal.ContentType, refusal.Body)
            : Answer(request.Method.Method, path, payload);
        if (path != "/dir")
        {
            recorded.AnsweredNonce = $"nonce{++_nextNonce}";
            _issued.Add(recorded.AnsweredNonce);
            response.Headers.Add("Replay-Nonce", recorded.AnsweredNonce);
        }
        return response;
    }

    private bool TakeBadNonce()
    {
        if (BadNonces <= 0) return false;
        BadNonces--;
        return true;
    }

    private (string? Nonce, string? Payload, string? Violation) Check(HttpRequestMessage request, string body)
    {
        if (request.Content!.Headers.ContentType?.ToString() != "application/jose+json") return (null, null, "Content-Type is not application/jose+json");
        var jws = JsonDocument.Parse(body).RootElement;
        var protectedPart = jws.GetProperty("protected").GetString()!;
        var payloadPart = jws.GetProperty("payload").GetString()!;
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(protectedPart)).RootElement;
        var nonce = header.GetProperty("nonce").GetString()!;
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payloadPart));
        var signed = accountKey.VerifyData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"),
            Base64Url.DecodeFromChars(jws.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var newAccount = request.RequestUri!.AbsolutePath == "/acct";
        var violation = !_issued.Remove(nonce) ? "nonce not issued or used twice"
            : header.GetProperty("url").GetString() != request.RequestUri.AbsoluteUri ? "url differs from the request's"
            : !signed ? "signature does not verify"
            : newAccount != header.TryGetProperty("jwk", out _) ? "jwk only on newAccount"
            : !newAccount && header.GetProperty("kid").GetString() != $"{Base}/acct/1" ? "kid is not the account"
            : null;
        return (nonce, payload, violation);
    }

    private HttpResponseMessage Answer(string method, string path, string? payload) => (method, path) switch
    {
        ("GET", "/dir") => Json(HttpStatusCode.OK, $$"""{"newNonce":"{{Base}}/nonce","newAccount":"{{Base}}/acct","newOrder":"{{Base}}/order"}"""),
        ("HEAD", "/nonce") => new HttpResponseMessage(HttpStatusCode.OK),
        ("POST", "/acct") => Located(Json(HttpStatusCode.Created, """{"status":"valid"}"""), $"{Base}/acct/1"),
        ("POST", "/order") => Located(Json(HttpStatusCode.Created, Order()), $"{Base}/order/1"),
        ("POST", "/order/1") => Json(HttpStatusCode.OK, Order()),
        ("POST", "/authz/1") => Json(HttpStatusCode.OK, $$"""{"status":"{{AuthorizationStatus()}}","identifier":{"type":"dns","value":"app.example.test"},"challenges":[{{Challenge()}}]}"""),
        ("POST", "/chall/1") => AnswerChallenge(),
        ("POST", "/order/1/finalize") => Finalize(payload),
        ("POST", "/cert/1") => Text(HttpStatusCode.OK, "application/pem-certificate-chain", _chain),
        _ => Problem(HttpStatusCode.NotFound, "urn:ietf:params:acme:error:malformed", $"no {method} {path}"),
    };

    private string Order() => $$"""{"status":"{{_orderStatus}}","identifiers":[{"type":"dns","value":"app.example.test"}],"authorizations":["{{Base}}/authz/1"],"finalize":"{{Base}}/order/1/finalize"{{(_orderStatus == "valid" ? $",\"certificate\":\"{Base}/cert/1\"" : "")}}}""";

    // Only an issuing server validates (at once); the plain one leaves the authorization pending, as the client tests expect.
    private string AuthorizationStatus() => ChallengeError is not null && Issues ? "invalid" : _answered && Issues ? "valid" : "pending";

    private HttpResponseMessage AnswerChallenge()
    {
        OnChallengeAnswer?.Invoke();
        return Json(HttpStatusCode.OK, Challenge(answered: true));
    }

    private string Challenge(bool answered = false)
    {
        if (answered) (_orderStatus, _answered) = ("ready", true);
        var error = ChallengeError is null ? "" : $",\"error\":{ChallengeError}";
        var status = ChallengeError is not null ? "invalid" : answered ? "processing" : _answered && Issues ? "valid" : "pending";
        return $$"""{"type":"http-01","url":"{{Base}}/chall/1","status":"{{status}}","token":"tok-1"{{error}}}""";
    }

    private HttpResponseMessage Finalize(string? payload)
    {
        if (_orderStatus != "ready") return Problem(HttpStatusCode.Forbidden, "urn:ietf:params:acme:error:orderNotReady", "order is not ready");
        if (Issues) _chain = Sign(JsonDocument.Parse(payload!).RootElement.GetProperty("csr").GetString()!);
        _orderStatus = "valid";
        return Json(HttpStatusCode.OK, Order());
    }

    /// <summary>A leaf for the CSR's key and name, signed by a throwaway CA, as a PEM chain (leaf first).</summary>
    private static string Sign(string csr)
    {
        var request = CertificateRequest.LoadSigningRequest(Base64Url.DecodeFromChars(csr), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=Fake ACME CA", caKey, HashAlgorithmName.SHA256).CreateSelfSigned(NotBefore.AddDays(-1), NotAfter.AddDays(1));
        var leafRequest = new CertificateRequest(new X500DistinguishedName("CN=app.example.test"), request.PublicKey, HashAlgorithmName.SHA256);
        foreach (var extension in request.CertificateExtensions) leafRequest.CertificateExtensions.Add(extension);
        using var leaf = leafRequest.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), NotBefore, NotAfter, [7, 7, 7]);
        return leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n";
    }

    private static HttpResponseMessage Located(HttpResponseMessage response, string location)
    {
        response.Headers.Location = new Uri(location);
        return response;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) => Text(status, "application/json", json);

    private static HttpResponseMessage Problem(HttpStatusCode status, string type, string detail) =>
        Text(status, "application/problem+json", $$"""{"type":"{{type}}","detail":"{{detail}}","status":{{(int)status}}}""");

    private static HttpResponseMessage Text(HttpStatusCode status, string contentType, string body) =>
        new(status) { Content = new StringContent(body, new System.Net.Http.Headers.MediaTypeHeaderValue(contentType)) };
}
