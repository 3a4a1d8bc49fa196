using Terrarium.Cluster.Config;

namespace Terrarium.UnitTests.Cluster;

/// <summary>The cluster the status tests judge: members named as given, meshed in order on 10.255.54.0/24, key "K" + name.</summary>
internal static class StatusFixtures
{
    public static SharedConfig Config(IEnumerable<string> members) => new(
        new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
        members.Select((m, i) => new MemberRecord { Name = m, PublicKey = $"K{m}", MeshAddress = $"10.255.54.{i + 1}", Endpoint = $"10.0.0.{i + 11}:51820" }).ToList(),
        [], []);
}
