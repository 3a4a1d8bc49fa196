using Terrarium.Cluster.Config;
using Terrarium.Cluster.Placement;

namespace Terrarium.Cluster.Agent;

/// <summary>An LXD lifecycle event as the agent reads it: its action, its source path and its project.</summary>
public sealed record LifecycleEvent(string? Action, string? Source, string Project);

/// <summary>
/// Which of the agent's workers an event wakes: the cluster pass (mesh, firewall, records; OVN after it), the route
/// worker for one instance, or the route worker for everything; and whether a member joined or left (the cluster
/// worker then looks again twice, see <see cref="AgentTiming"/>).
/// </summary>
public sealed record EventWake(bool Cluster, bool AllInstances, InstanceRef? Instance, bool MembershipChanged = false)
{
    /// <summary>An HTTPS record changed (the ACME account, a certificate, an order lease): the certificate worker looks.</summary>
    public bool Certificates { get; init; }
}

/// <summary>C-12: the agent's reading of LXD's event stream, decided here so it is tested without a daemon.</summary>
public static class AgentEvents
{
    /// <summary>What <paramref name="e"/> wakes, or null when it concerns nothing the agent keeps in step.</summary>
    public static EventWake? Route(LifecycleEvent e)
    {
        if (e.Action is not null && IsCertificateRecord(e)) return new EventWake(false, false, null) { Certificates = true };
        if (!IsRelevant(e)) return null;
        var action = e.Action!;
        var instance = InstanceOf(e);
        var instanceEvent = action.StartsWith("instance-", StringComparison.Ordinal);
        // Membership decides which routes can be served (T-3): the route worker looks at everything then.
        var membership = action.StartsWith("cluster-member-", StringComparison.Ordinal);
        return new EventWake(Cluster: !instanceEvent, AllInstances: instanceEvent && instance is null || membership, instance, membership);
    }

    /// <summary>The instance (of any project) an instance-* event is about, or null for anything else.</summary>
    public static InstanceRef? InstanceOf(LifecycleEvent e)
    {
        // A rename changes which name is cached: that takes a full look.
        if (e.Action?.StartsWith("instance-", StringComparison.Ordinal) != true || e.Action == "instance-renamed") return null;
        var source = e.Source ?? "";
        const string prefix = "/1.0/instances/";
        if (!source.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = source[prefix.Length..];
        var end = rest.IndexOfAny(['/', '?']);
        var name = Uri.UnescapeDataString(end < 0 ? rest : rest[..end]);
        return name.Length > 0 ? InstanceRef.Of(e.Project, name) : null;
    }

    public static bool IsRelevant(LifecycleEvent e) =>
        e.Action is { } action && !IsWorkloadBookkeeping(e) &&
        (e.Project == SharedConfig.Project || action.StartsWith("cluster-", StringComparison.Ordinal) ||
         action.StartsWith("instance-", StringComparison.Ordinal) || action.StartsWith("network-", StringComparison.Ordinal));

    /// <summary>
    /// The HTTPS rows (account, certificates, order leases) concern only the certificate worker: a lease is renewed every
    /// 10 s while an order runs, which must not cost every member a cluster pass.
    /// </summary>
    public static bool IsCertificateRecord(LifecycleEvent e)
    {
        if (e.Project != SharedConfig.Project || e.Source is not { } source) return false;
        var at = source.IndexOf("/profiles/", StringComparison.Ordinal);
        if (at < 0) return false;
        var name = source[(at + "/profiles/".Length)..].Split('?')[0];
        return name == RowNames.Tls || name.StartsWith(RowNames.CertificatePrefix, StringComparison.Ordinal) ||
               name.StartsWith(RowNames.OrderLeasePrefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Route-host claims and evacuation origins change nothing a cluster pass converges (mesh, firewall, OVN); every
    /// route worker decides claims itself. Waking every agent's cluster pass for each would make a route change cost
    /// N full passes.
    /// </summary>
    private static bool IsWorkloadBookkeeping(LifecycleEvent e) =>
        e.Project == SharedConfig.Project && e.Source is { } source &&
        (source.Contains("/profiles/" + RowNames.RouteClaimPrefix, StringComparison.Ordinal) ||
         source.Contains("/profiles/" + RowNames.EvacuationPrefix, StringComparison.Ordinal));
}
