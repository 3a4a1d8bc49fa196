namespace Terrarium.Cluster.Status.Rules;

/// <summary>This node's own mesh interface and firewall table: without them it is cut off, or its cluster ports are exposed.</summary>
public static class HostRules
{
    public static IEnumerable<Problem> For(StatusFacts f) => new[] { MeshInterfaceMissing(f), FirewallNotLoaded(f) }.OfType<Problem>();

    public static Problem? MeshInterfaceMissing(StatusFacts f) =>
        f.Local.MeshInterfaceUp == false
            ? new Problem { Severity = ProblemSeverity.Error, Message = $"The mesh interface {f.Config.Settings!.Interface} is missing on this node.", Fix = "terrariumctl reconfigure" }
            : null;

    public static Problem? FirewallNotLoaded(StatusFacts f) =>
        f.Local.FirewallLoaded == false
            ? new Problem { Severity = ProblemSeverity.Error, Message = "The nftables table inet terrarium is not loaded on this node: cluster ports are exposed.", Fix = "terrariumctl reconfigure" }
            : null;
}
