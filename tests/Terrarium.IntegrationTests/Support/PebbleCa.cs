using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// Debian's Pebble (RFC 8555 test CA) and pebble-challtestsrv (its DNS) on the lab's host address: every name resolves
/// to <c>dnsTarget</c>, so the CA validates HTTP-01 at that member, whichever member placed the order. Pebble's own HTTPS
/// certificate is made here, from a root the agents are given with --ca-root. Certificates live
/// <c>validitySeconds</c>, so a renewal happens within the test.
/// </summary>
public sealed class PebbleCa : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    public required string Directory { get; init; }
    public required string TlsRootFile { get; init; }
    public required string Dir { get; init; }
    public required IPAddress Address { get; init; }

    public static async Task<PebbleCa> StartAsync(string dir, IPAddress address, IPAddress dnsTarget, int validitySeconds, int responderPort)
    {
        System.IO.Directory.CreateDirectory(dir);
        var (rootPem, certPem, keyPem) = ListenerCertificate(address);
        var root = Path.Join(dir, "pebble-tls-root.pem");
        await File.WriteAllTextAsync(root, rootPem);
        await File.WriteAllTextAsync(Path.Join(dir, "pebble-tls.pem"), certPem);
        await File.WriteAllTextAsync(Path.Join(dir, "pebble-tls.key"), keyPem);
        var config = Path.Join(dir, "pebble.json");
        await File.WriteAllTextAsync(config, $$$"""
            {"pebble":{"listenAddress":"{{{address}}}:14000","managementListenAddress":"{{{address}}}:15000",
             "certificate":"{{{dir}}}/pebble-tls.pem","privateKey":"{{{dir}}}/pebble-tls.key","httpPort":{{{responderPort}}},"tlsPort":5001,
             "ocspResponderURL":"","externalAccountBindingRequired":false,"certificateValidityPeriod":{{{validitySeconds}}}}}
            """);
        var ca = new PebbleCa { Directory = $"https://{address}:14000/dir", TlsRootFile = root, Dir = dir, Address = address };
        ca.Start(Path.Join(dir, "challtestsrv.log"), "pebble-challtestsrv", ["-defaultIPv4", dnsTarget.ToString(), "-defaultIPv6", "",
            "-dns01", $"{address}:8053", "-management", $"{address}:8055", "-http01", "", "-https01", "", "-tlsalpn01", ""], []);
        // Validation sleeps up to 2 s (a window in which an order is in progress), and a few nonces are refused as on any CA.
        ca.Start(Path.Join(dir, "pebble.log"), "pebble", ["-config", config, "-dnsserver", $"{address}:8053", "-strict=false"],
            new() { ["PEBBLE_VA_SLEEPTIME"] = "2", ["PEBBLE_WFE_NONCEREJECT"] = "5" });
        await MeshLab.EventuallyAsync(async () => (await ca.TryGetAsync("https://" + address + ":14000/dir")) is not null,
            TimeSpan.FromSeconds(20), "pebble answers its directory");
        return ca;
    }

    /// <summary>Pebble's issuing root, as a PEM (it makes a new one at every start).</summary>
    public async Task<string> IssuingRootAsync() =>
        await TryGetAsync($"https://{Address}:15000/roots/0") ?? throw new InvalidOperationException("pebble did not give its root");

    public string Logs() => string.Join('\n', System.IO.Directory.GetFiles(Dir, "*.log").Select(f => $"--- {f}\n{File.ReadAllText(f)}"));

    private void Start(string log, string program, string[] args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        var process = Process.Start(info)!;
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private async Task<string?> TryGetAsync(string url)
    {
        var root = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(TlsRootFile));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return cert is not null && chain.Build(cert);
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try { return await http.GetStringAsync(url); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    /// <summary>A root and, signed by it, pebble's listener certificate for its IP address.</summary>
    private static (string Root, string Cert, string Key) ListenerCertificate(IPAddress address)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Terrarium lab ACME listener root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={address}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(6), RandomNumberGenerator.GetBytes(12));
        return (root.ExportCertificatePem(), cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { p.Kill(); await p.WaitForExitAsync(); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}
