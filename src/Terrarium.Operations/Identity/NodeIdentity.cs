using System.Text.Json;
using System.Text.Json.Serialization;
using Terrarium.Cluster.Layout;
using Terrarium.Host.Files;

namespace Terrarium.Operations.Identity;

/// <summary>Who this node is in the mesh: /etc/terrarium/node.json (no secrets in it).</summary>
public sealed class NodeIdentity
{
    [JsonPropertyName("member")] public string Member { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";

    // The mesh as last applied here, so that boot can restore interface and firewall before LXD runs.
    [JsonPropertyName("mesh_cidr")] public string? MeshCidr { get; set; }
    [JsonPropertyName("port")] public int? Port { get; set; }
    [JsonPropertyName("mtu")] public int? Mtu { get; set; }
    [JsonPropertyName("interface")] public string? Interface { get; set; }

    public static NodeIdentity? Load(NodeLayout layout) =>
        File.Exists(layout.NodeIdentityFile)
            ? JsonSerializer.Deserialize(File.ReadAllText(layout.NodeIdentityFile), OperationsJsonContext.Default.NodeIdentity)
            : null;

    public void Save(NodeLayout layout) =>
        AtomicFile.WriteIfChanged(layout.NodeIdentityFile, JsonSerializer.Serialize(this, OperationsJsonContext.Default.NodeIdentity));

    public static void Delete(NodeLayout layout) => File.Delete(layout.NodeIdentityFile);
}
