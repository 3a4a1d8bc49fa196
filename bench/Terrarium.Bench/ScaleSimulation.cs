using System.Diagnostics;
using System.Text.Json;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Mesh;

namespace Terrarium.Bench;

/// <summary>
/// Beyond one lab: the shared configuration and its fan-out at 100 and 500 members, with records made
/// in memory (no LXD): what one agent's convergence pass costs (parse every row, derive the desired state, render
/// the WireGuard and nftables files) and what one change costs the cluster (every agent re-reads every row).
/// </summary>
public static class ScaleSimulation
{
    public static int Run(IReadOnlyList<int> sizes)
    {
        Console.WriteLine("| members | rows read per pass | bytes per pass | one pass (parse + desired state + render) | allocated per pass | one change, cluster-wide (N agents × rows) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            var rows = Rows(n);
            var bytes = rows.Sum(r => r.Length);
            Pass(rows); // warm-up (JIT)
            const int passes = 20;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < passes; i++) Pass(rows);
            var perPass = clock.Elapsed.TotalMilliseconds / passes;
            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / passes;
            Console.WriteLine($"| {n} | {rows.Count} | {bytes / 1024.0:F0} KiB | {perPass:F1} ms | {allocated / 1024.0 / 1024.0:F1} MiB | " +
                              $"{(long)n * rows.Count:N0} rows, {(double)n * bytes / 1024 / 1024:F0} MiB read from LXD |");
        }
        return 0;
    }

    /// <summary>What one agent does with the rows on each pass (the LXD read itself excluded).</summary>
    private static void Pass(IReadOnlyList<string> rows)
    {
        var members = rows.Where(r => r.Contains("\"public_key\"")).Select(r => JsonSerializer.Deserialize(r, ClusterJsonContext.Default.MemberRecord)!).ToList();
        var certificates = rows.Where(r => r.Contains("\"issued_at\"")).Select(r => JsonSerializer.Deserialize(r, ClusterJsonContext.Default.OvnCertificateRecord)!).ToList();
        var config = new SharedConfig(new ClusterSettingsRecord { MeshCidr = "10.128.0.0/16", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            members, [], []) { OvnCertificates = certificates };
        var desired = NodeDesiredState.Compute(config, members[0].Name, DateTimeOffset.UtcNow);
        _ = WireGuardConfigRenderer.Render("cHJpdmF0ZWtleXByaXZhdGVrZXlwcml2YXRla2V5cHJpdmE=", 51820, desired.Peers);
        _ = NftablesRenderer.Render(desired.Firewall);
    }

    /// <summary>One member row (with its OVN certificate request) and one OVN certificate row per member.</summary>
    private static List<string> Rows(int n) => MemberRows(n).Concat(Enumerable.Range(1, n).Select(i => JsonSerializer.Serialize(new OvnCertificateRecord
    {
        Member = $"node{i}", IssuedAt = DateTimeOffset.UtcNow,
        Certificate = "-----BEGIN CERTIFICATE-----\n" + new string('B', 1400) + "\n-----END CERTIFICATE-----\n",
    }, ClusterJsonContext.Default.OvnCertificateRecord))).ToList();

    private static IEnumerable<string> MemberRows(int n) => Enumerable.Range(1, n).Select(i => JsonSerializer.Serialize(new MemberRecord
    {
        Name = $"node{i}", PublicKey = Convert.ToBase64String(BitConverter.GetBytes((long)i).Concat(new byte[24]).ToArray()),
        MeshAddress = $"10.128.{i / 250}.{i % 250 + 1}", Endpoint = $"203.0.{i / 250}.{i % 250 + 1}:51820", UpdatedAt = DateTimeOffset.UtcNow,
        OvnRequest = "-----BEGIN CERTIFICATE REQUEST-----\n" + new string('A', 900) + "\n-----END CERTIFICATE REQUEST-----\n",
    }, ClusterJsonContext.Default.MemberRecord));
}
