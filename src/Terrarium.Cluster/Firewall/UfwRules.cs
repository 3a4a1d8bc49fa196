namespace Terrarium.Cluster.Firewall;

/// <summary>
/// With ufw's default-deny, an accept in our own nftables table is not final (found in the lab, see
/// shared/lab-notes), so where ufw is active the plan's openings are mirrored as ufw rules (F-3).
/// Each rule is an argument list for `ufw`.
/// </summary>
public static class UfwRules
{
    public static IReadOnlyList<string[]> For(FirewallPlan plan)
    {
        var rules = new List<string[]>();
        rules.AddRange(FirewallPlan.TunnelOnlyTcpPorts.Select(p =>
            new[] { "allow", "in", "on", plan.MeshInterface, "proto", "tcp", "to", "any", "port", p.ToString() }));
        rules.AddRange(FirewallPlan.TunnelOnlyUdpPorts.Select(p =>
            new[] { "allow", "in", "on", plan.MeshInterface, "proto", "udp", "to", "any", "port", p.ToString() }));
        rules.AddRange(plan.WireGuardPeers.Select(a =>
            new[] { "allow", "proto", "udp", "from", a.ToString(), "to", "any", "port", plan.WireGuardPort.ToString() }));
        return rules;
    }
}
