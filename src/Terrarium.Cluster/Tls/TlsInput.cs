using System.Text.RegularExpressions;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Tls;

/// <summary>
/// `cluster tls configure`'s values, judged before anything is asked of LXD or the CA (X-1): a wrong value is one
/// sentence and exit 2. The e-mail ends up in a mailto: URL the CA parses, the directory in every request.
/// </summary>
public static partial class TlsInput
{
    public const int MaxEmail = 254;
    public const int MaxDirectory = 2048;

    /// <summary>The ACME directory URL: absolute https (RFC 8555 §6.1 requires HTTPS), with a host, no user info or fragment.</summary>
    public static Uri DirectoryUrl(string text)
    {
        var shown = EchoText.Quoted(text, 120);
        if (text.Length == 0 || text.Length > MaxDirectory || text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new InputException($"--acme-directory {shown} is not a URL (1-{MaxDirectory} characters, no spaces).");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.Host.Length == 0)
            throw new InputException($"--acme-directory {shown} must be an https:// URL such as https://acme-v02.api.letsencrypt.org/directory (ACME is served over HTTPS only).");
        if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            throw new InputException($"--acme-directory {shown} must not carry a user name, password or #fragment.");
        return uri;
    }

    /// <summary>The account's contact: one plain address (the CA sends expiry notices there).</summary>
    public static string Email(string text)
    {
        if (text.Length is 0 or > MaxEmail || !EmailPattern().IsMatch(text))
            throw new InputException($"--email {EchoText.Quoted(text, 120)} is not an e-mail address such as ops@example.com (letters, digits and .!#$%&'*+/=?^_`{{|}}~- before the @, a domain with a dot after it).");
        return text;
    }

    /// <summary>The PEM certificates of --ca-root: at least one, nothing else in the file but PEM blocks.</summary>
    public static string CaRoot(string path, string? text, Func<string, int> countCertificates)
    {
        if (text is null) throw new InputException($"--ca-root {EchoText.Quoted(path)} cannot be read; give a PEM file with the ACME server's root certificate.");
        int count;
        try
        {
            count = countCertificates(text);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            count = 0;
        }
        if (count == 0) throw new InputException($"--ca-root {EchoText.Quoted(path)} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        return text;
    }

    // RFC 5322 dot-atom local part, a DNS domain with at least one dot; no quoted strings, comments or IP literals.
    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")]
    private static partial Regex EmailPattern();
}
