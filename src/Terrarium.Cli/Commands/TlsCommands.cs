using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;
using Terrarium.Operations.Tls;

namespace Terrarium.Cli.Commands;

/// <summary>`cluster tls configure`: HTTPS for every route host, one ACME account and one order per host for the cluster.</summary>
public static class TlsCommands
{
    public static Command Build()
    {
        var tls = new Command("tls", "HTTPS for published routes: one ACME certificate per route host, ordered once, served by every member");
        var directory = new Option<string>("--acme-directory") { Description = "The CA's ACME directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory)" };
        var email = new Option<string>("--email") { Description = "Contact address of the cluster's ACME account (expiry notices)" };
        var caRoot = new Option<string>("--ca-root") { Description = "PEM file with the root certificate of a private ACME server's HTTPS (default: the system's roots)" };
        var redirect = new Option<bool>("--https-redirect") { Description = "Redirect plain-HTTP requests to HTTPS for every host that has a certificate" };
        var off = new Option<bool>("--off") { Description = "Stop: remove the account, every route certificate and order; routes are served over HTTP only" };
        var yes = ClusterCommands.Yes("remove every route certificate with --off");
        var configure = new Command("configure", "Register the cluster's ACME account; every member's agent then orders and serves a certificate for each route host")
        {
            directory, email, caRoot, redirect, off, yes,
        };
        configure.SetHandler(async (pr, ct) =>
        {
            var operation = new TlsConfigureOperation(CommonOptions.Node(pr));
            TlsConfigureResult result;
            if (pr.GetValue(off))
            {
                if (pr.GetValue(directory) is not null || pr.GetValue(email) is not null || pr.GetValue(caRoot) is not null || pr.GetValue(redirect))
                    throw new InputException("--off takes no --acme-directory, --email, --ca-root or --https-redirect.");
                result = await operation.OffAsync(() =>
                {
                    if (!pr.GetValue(yes))
                        Prompt.Require("Remove the ACME account and every route certificate (routes go back to HTTP only)?",
                            "--off removes every route certificate and serves routes over HTTP only; add --yes to confirm.", "nothing was changed");
                }, ct);
            }
            else result = await operation.ConfigureAsync(Request(pr, directory, email, caRoot, redirect), ct);
            if (!CommonOptions.Write(pr, new TlsConfigureOutput(result.Change, result.Directory, result.AccountUrl), CliJsonContext.Default.TlsConfigureOutput))
                Console.WriteLine(Sentence(result));
            return ExitCodes.Ok;
        });
        tls.Subcommands.Add(configure);
        return tls;
    }

    private static TlsConfigureRequest Request(ParseResult pr, Option<string> directory, Option<string> email, Option<string> caRoot, Option<bool> redirect)
    {
        if (pr.GetValue(directory) is not { } url) throw new InputException("Give --acme-directory URL and --email ADDRESS (or --off).");
        if (pr.GetValue(email) is not { } address) throw new InputException("Give --email ADDRESS: the CA's contact for the cluster's account.");
        var uri = TlsInput.DirectoryUrl(url);
        var contact = TlsInput.Email(address);
        string? roots = null;
        if (pr.GetValue(caRoot) is { } path) roots = TlsInput.CaRoot(path, ReadOrNull(path), CountCertificates);
        return new TlsConfigureRequest(uri, contact, roots, pr.GetValue(redirect));
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return new FileInfo(path) is { Exists: true, Length: < 1 << 20 } ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static int CountCertificates(string pem)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(pem);
        return roots.Count;
    }

    private static string Sentence(TlsConfigureResult r) => r.Change switch
    {
        "unchanged" => $"Nothing to change: the cluster's ACME account at {r.Directory} is already configured so.",
        "already-off" => "Nothing to change: no ACME account is configured; routes are served over HTTP.",
        "off" => "ACME account, route certificates and orders removed; every member's agent stops serving HTTPS at its next pass.",
        _ => $"ACME account {(r.Change == "configured" ? "registered" : "updated")} at {r.Directory} ({r.AccountUrl}). " +
             "Every member's agent now orders one certificate per route host (one member per host) and serves it; see `terrariumctl route list`.",
    };
}
