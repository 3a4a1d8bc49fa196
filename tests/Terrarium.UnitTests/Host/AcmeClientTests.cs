using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Terrarium.Cluster.Tls;
using Terrarium.Host.Acme;

namespace Terrarium.UnitTests.Host;

public class AcmeClientTests : IDisposable
{
    private static readonly Uri Directory = new("https://acme.test/dir");
    private readonly ECDsa _accountKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly FakeAcmeServer _server;

    public AcmeClientTests() => _server = new FakeAcmeServer(_accountKey);

    public void Dispose() => _accountKey.Dispose();

    private AcmeClient Client(string? accountUrl = null) => new(Directory, _accountKey, accountUrl, handler: _server);

    [Fact]
    public async Task A_certificate_is_ordered_from_directory_to_download_with_one_nonce_fetch()
    {
        using var client = Client();
        var ct = CancellationToken.None;
        Assert.Equal("https://acme.test/acct/1", await client.RegisterAsync("ops@example.test", ct));
        Assert.Equal("https://acme.test/acct/1", client.AccountUrl);
        var order = await client.NewOrderAsync(["app.example.test"], ct);
        Assert.Equal(("https://acme.test/order/1", "pending", "https://acme.test/order/1/finalize"), (order.Url, order.Status, order.Finalize));
        var authorization = await client.GetAuthorizationAsync(Assert.Single(order.Authorizations), ct);
        Assert.Equal(("app.example.test", "pending"), (authorization.Identifier, authorization.Status));
        var challenge = Assert.Single(authorization.Challenges, c => c.Type == "http-01");
        Assert.Equal("processing", (await client.AnswerChallengeAsync(challenge.Url, ct)).Status);
        var ready = await client.GetOrderAsync(order.Url, ct);
        Assert.Equal(("https://acme.test/order/1", "ready"), (ready.Url, ready.Status));
        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var valid = await client.FinalizeAsync(ready, AcmeJws.CertificateRequest(certificateKey, ["app.example.test"]), ct);
        Assert.Equal(("valid", "https://acme.test/cert/1"), (valid.Status, valid.Certificate));
        Assert.Equal(FakeAcmeServer.Chain, await client.DownloadCertificateAsync(valid.Certificate!, ct));

        Assert.Equal(["GET /dir", "HEAD /nonce", "POST /acct", "POST /order", "POST /authz/1", "POST /chall/1", "POST /order/1",
            "POST /order/1/finalize", "POST /cert/1"], _server.Requests.Select(r => r.Line));
        Assert.Equal("{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:ops@example.test\"]}", _server.Requests[2].Payload);
        var csr = JsonDocument.Parse(_server.Requests[7].Payload!).RootElement.GetProperty("csr").GetString()!;
        var sent = CertificateRequest.LoadSigningRequest(Base64Url.DecodeFromChars(csr), HashAlgorithmName.SHA256);
        Assert.Equal(certificateKey.ExportSubjectPublicKeyInfo(), sent.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal("application/pem-certificate-chain", _server.Requests[8].Accept);
    }

    [Fact]
    public async Task Post_as_get_sends_an_empty_payload_and_a_challenge_answer_sends_an_empty_object()
    {
        using var client = Client("https://acme.test/acct/1");
        var ct = CancellationToken.None;
        await client.GetAuthorizationAsync("https://acme.test/authz/1", ct);
        await client.AnswerChallengeAsync("https://acme.test/chall/1", ct);
        Assert.Equal(["", "{}"], _server.Requests.Where(r => r.Method == "POST").Select(r => r.Payload));
        Assert.All(_server.Requests.Where(r => r.Method == "POST"), r => Assert.Equal("application/jose+json", r.ContentType));
    }

    [Fact]
    public async Task A_bad_nonce_is_retried_with_the_nonce_the_refusal_carried_and_then_succeeds()
    {
        _server.BadNonces = 2;
        using var client = Client();
        await client.RegisterAsync("ops@example.test", CancellationToken.None);
        var posts = _server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(3, posts.Count);
        Assert.Equal(posts[0].AnsweredNonce, posts[1].Nonce);
        Assert.Equal(posts[1].AnsweredNonce, posts[2].Nonce);
        Assert.Single(_server.Requests, r => r.Method == "HEAD");
    }

    [Fact]
    public async Task A_storm_of_bad_nonces_fails_after_the_retry_bound()
    {
        _server.BadNonces = int.MaxValue;
        using var client = Client();
        var refused = await Assert.ThrowsAsync<AcmeException>(() => client.RegisterAsync("ops@example.test", CancellationToken.None));
        Assert.Equal(AcmeProblem.BadNonce, refused.Problem.Type);
        Assert.Equal(1 + AcmeClient.BadNonceRetries, _server.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task A_problem_document_becomes_an_acme_exception_with_its_type_detail_and_status()
    {
        _server.Refusals["/order"] = (HttpStatusCode.BadRequest, "application/problem+json",
            """{"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Error creating new order :: bad.test is forbidden","status":400}""");
        using var client = Client("https://acme.test/acct/1");
        var refused = await Assert.ThrowsAsync<AcmeException>(() => client.NewOrderAsync(["bad.test"], CancellationToken.None));
        Assert.Equal(new AcmeProblem("urn:ietf:params:acme:error:rejectedIdentifier", "Error creating new order :: bad.test is forbidden", 400), refused.Problem);
        Assert.Contains("urn:ietf:params:acme:error:rejectedIdentifier: Error creating new order :: bad.test is forbidden (HTTP 400)", refused.Message);
        Assert.DoesNotContain(AcmeJws.Jwk(_accountKey), refused.Message);
    }

    [Fact]
    public async Task A_failure_without_a_problem_document_is_an_about_blank_problem_with_the_http_status()
    {
        _server.Refusals["/order/1"] = (HttpStatusCode.BadGateway, "text/html", "<html>502 Bad Gateway</html>\n<body/>");
        using var client = Client("https://acme.test/acct/1");
        var refused = await Assert.ThrowsAsync<AcmeException>(() => client.GetOrderAsync("https://acme.test/order/1", CancellationToken.None));
        Assert.Equal(new AcmeProblem("about:blank", "<html>502 Bad Gateway</html>", 502), refused.Problem);
    }

    [Fact]
    public async Task A_request_that_needs_the_account_throws_before_registering_and_sends_nothing()
    {
        using var client = Client();
        var ct = CancellationToken.None;
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.NewOrderAsync(["app.example.test"], ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetOrderAsync("https://acme.test/order/1", ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.DownloadCertificateAsync("https://acme.test/cert/1", ct));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task A_problem_inside_an_invalid_challenge_is_kept()
    {
        _server.ChallengeError = """{"type":"urn:ietf:params:acme:error:unauthorized","detail":"The key authorization file does not match","status":403}""";
        using var client = Client("https://acme.test/acct/1");
        var authorization = await client.GetAuthorizationAsync("https://acme.test/authz/1", CancellationToken.None);
        var challenge = Assert.Single(authorization.Challenges);
        Assert.Equal(("invalid", "urn:ietf:params:acme:error:unauthorized", 403), (challenge.Status, challenge.Error?.Type, challenge.Error?.Status));
    }

    [Fact]
    public async Task A_cancelled_caller_cancels_the_request()
    {
        using var client = Client("https://acme.test/acct/1");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetOrderAsync("https://acme.test/order/1", cancelled.Token));
    }

    [Fact]
    public void A_problem_reads_as_a_sentence_part()
    {
        Assert.Equal("urn:ietf:params:acme:error:rateLimited: too many orders (HTTP 429)",
            new AcmeProblem("urn:ietf:params:acme:error:rateLimited", "too many orders", 429).ToString());
        Assert.Equal("about:blank (HTTP 500)", new AcmeProblem("about:blank", "", 500).ToString());
    }

    [Fact]
    public async Task The_servers_tls_certificate_must_chain_to_the_given_roots()
    {
        using var root = new TestAuthority("Test ACME root");
        using var stranger = new TestAuthority("Unrelated root");
        await using var app = await TlsDirectoryServer(root.Issue("127.0.0.1"));
        var directory = new Uri($"{app.Urls.Single()}/dir");

        using (var trusting = new AcmeClient(directory, _accountKey, trustedRoots: [root.Certificate]))
            Assert.Equal("https://acme.test/acct/1", await trusting.RegisterAsync("ops@example.test", CancellationToken.None));
        foreach (var roots in new X509Certificate2Collection?[] { [stranger.Certificate], null })
        {
            using var refusing = new AcmeClient(directory, _accountKey, trustedRoots: roots);
            var failure = await Assert.ThrowsAsync<HttpRequestException>(() => refusing.RegisterAsync("ops@example.test", CancellationToken.None));
            Assert.IsType<System.Security.Authentication.AuthenticationException>(failure.InnerException);
        }
    }

    /// <summary>Kestrel on 127.0.0.1 over TLS, answering just enough of ACME (directory, nonce, account) to register.</summary>
    private static async Task<WebApplication> TlsDirectoryServer(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(async context =>
        {
            var origin = $"{context.Request.Scheme}://{context.Request.Host}";
            context.Response.Headers["Replay-Nonce"] = "nonce1";
            switch (context.Request.Path.Value)
            {
                case "/dir":
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync($$"""{"newNonce":"{{origin}}/nonce","newAccount":"{{origin}}/acct","newOrder":"{{origin}}/order"}""");
                    break;
                case "/acct":
                    context.Response.StatusCode = 201;
                    context.Response.Headers.Location = "https://acme.test/acct/1";
                    break;
            }
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>A throwaway CA that issues a server certificate for an IP address.</summary>
    private sealed class TestAuthority : IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public TestAuthority(string name)
        {
            var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        }

        public X509Certificate2 Certificate { get; }

        public X509Certificate2 Issue(string ipAddress)
        {
            using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=acme server", leafKey, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Parse(ipAddress));
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3, 4]);
            return issued.CopyWithPrivateKey(leafKey);
        }

        public void Dispose()
        {
            Certificate.Dispose();
            _key.Dispose();
        }
    }
}
