using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Terrarium.Lxd.Transport;

/// <summary>
/// --debug for LXD: one line per REST request (method, path, status, milliseconds). Headers and bodies are never
/// written: they carry join tokens, trust passwords and certificates; a secret in the query is redacted.
/// </summary>
public sealed partial class LxdRequestLog(HttpMessageHandler inner, Action<string> write) : DelegatingHandler(inner)
{
    /// <summary>Where debug lines go; null (the default) leaves clients unwrapped. Set once at start-up.</summary>
    public static Action<string>? Sink { get; set; }

    /// <summary>The handler a client sends through: logged when <see cref="Sink"/> is set, else itself.</summary>
    public static HttpMessageHandler Wrap(HttpMessageHandler handler) => Sink is { } sink ? new LxdRequestLog(handler, sink) : handler;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var reply = await base.SendAsync(request, ct);
            write(Line(request.Method, request.RequestUri, ((int)reply.StatusCode).ToString(), clock.ElapsedMilliseconds));
            return reply;
        }
        catch (Exception e)
        {
            write(Line(request.Method, request.RequestUri, e is OperationCanceledException ? "cancelled" : "failed", clock.ElapsedMilliseconds));
            throw;
        }
    }

    public static string Line(HttpMethod method, Uri? uri, string outcome, long milliseconds) =>
        $"debug: lxd {method} {Shown(uri)} -> {outcome} ({milliseconds} ms)";

    /// <summary>The path (and the member's address for HTTPS); query values named like a secret are redacted.</summary>
    public static string Shown(Uri? uri)
    {
        if (uri is null) return "?";
        if (!uri.IsAbsoluteUri) return SecretQueryValue().Replace(uri.OriginalString, "${name}=<redacted>");
        var where = uri.Scheme == Uri.UriSchemeHttps ? uri.GetLeftPart(UriPartial.Authority) : "";
        return where + SecretQueryValue().Replace(uri.PathAndQuery, "${name}=<redacted>");
    }

    [GeneratedRegex(@"(?<=[?&])(?<name>[^=&]*(secret|token|password)[^=&]*)=[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretQueryValue();
}
