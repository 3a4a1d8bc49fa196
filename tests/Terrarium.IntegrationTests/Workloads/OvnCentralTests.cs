using System.Text.Json;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Ovn;
using Terrarium.IntegrationTests.Support;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>Helpers to read a node's OVN state through its own status and tools.</summary>
public static class OvnProbe
{
    /// <summary>Raft server counts (NB, SB) that a node's own database servers report; empty when it is not central.</summary>
    public static List<(string Database, int Servers)> LocalRaft(JsonDocument status) =>
        status.RootElement.TryGetProperty("ovn", out var ovn) && ovn.ValueKind == JsonValueKind.Object
            ? ovn.GetProperty("local_raft").EnumerateArray()
                .Select(r => (r.GetProperty("database").GetString()!, r.GetProperty("servers").GetArrayLength())).ToList()
            : [];

    public static string[] SbctlArgs(NodeLayout layout, string db, params string[] args) =>
        ["ovn-sbctl", $"--db={db}", $"--private-key={layout.OvnPrivateKey}", $"--certificate={layout.OvnCertificate}",
            $"--ca-cert={layout.OvnCaCertificate}", "--timeout=10", "--no-leader-only", .. args]; // reads: any connected server
}
