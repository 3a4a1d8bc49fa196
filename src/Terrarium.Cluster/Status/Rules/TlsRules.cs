using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>Route certificates that are not what they should be: an order that failed, a host no CA can certify here.</summary>
public static class TlsRules
{
    /// <summary>Once the cluster has an ACME account: each route host's certificate in the report, and its problems.</summary>
    public static IEnumerable<Problem> For(StatusReport report, Config.SharedConfig config, IReadOnlyList<string> hosts, DateTimeOffset now)
    {
        if (config.Tls is null) return [];
        var certificates = hosts.Distinct().Order(StringComparer.Ordinal)
            .Select(h => CertificatePlanner.Assess(h, config.Certificate(h), config.OrderLease(h), now)).ToList();
        report.Certificates = certificates.Select(Row).ToList();
        return certificates.Select(Problem).OfType<Problem>().ToList();
    }

    public static CertificateStatus Row(HostCertificate c) => new()
    {
        Host = c.Host, State = c.State.ToString().ToLowerInvariant(), ValidUntil = c.ValidUntil, Holder = c.Holder,
        Error = c.Error, RetryAt = c.RetryAt, Summary = c.Describe(),
    };

    public static Problem? Problem(HostCertificate c) => c.State switch
    {
        CertificateState.Failed => new Problem
        {
            Severity = c.ValidUntil is null ? ProblemSeverity.Error : ProblemSeverity.Warning,
            Message = $"The certificate order for {c.Host} failed: {EchoText.Escaped(c.Error, 300)} (next try at {c.RetryAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z; " +
                      (c.ValidUntil is { } u ? $"the current certificate, valid until {u.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, is still served)." : "the host is served over HTTP only until then)."),
            Fix = $"check that {c.Host} resolves to the members' public addresses and that port 80 of each reaches Traefik (the CA validates over HTTP-01); the agent log says more: journalctl -u terrarium-agent",
        },
        CertificateState.Refused => new Problem
        {
            Severity = ProblemSeverity.Info,
            Message = $"{c.Host} gets no certificate: {c.Error}.",
            Fix = $"serve {c.Host} over HTTP, or give Traefik a certificate of your own for it in another file of its file provider",
        },
        _ => null,
    };
}
