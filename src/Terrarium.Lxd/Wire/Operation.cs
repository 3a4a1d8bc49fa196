using System.Text.Json;
using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0/operations/ID</summary>
public sealed class Operation
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("status_code")] public int StatusCode { get; set; }
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
    [JsonPropertyName("may_cancel")] public bool MayCancel { get; set; }
    [JsonPropertyName("err")] public string Err { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "";
    /// <summary>What it acts on, as API paths by kind: {"instances": ["/1.0/instances/c1?project=p"]}.</summary>
    [JsonPropertyName("resources")] public Dictionary<string, List<string>>? Resources { get; set; }

    /// <summary>Whether it acts on instance <paramref name="name"/> of <paramref name="project"/> (the default project when a path names none).</summary>
    public bool Touches(string project, string name) =>
        Resources?.GetValueOrDefault("instances") is { } paths && paths.Any(p =>
        {
            var (path, query) = p.IndexOf('?') is var q and >= 0 ? (p[..q], p[(q + 1)..]) : (p, "");
            var inProject = query.Split('&').FirstOrDefault(kv => kv.StartsWith("project=", StringComparison.Ordinal))?["project=".Length..] ?? "default";
            return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]) == name && Uri.UnescapeDataString(inProject) == project;
        });

    // LXD status codes: 100 created, 103 running, 200 success, 400 failure, 401 cancelled.
    public bool IsFinal => StatusCode is 200 or 400 or 401;
    public bool Succeeded => StatusCode == 200;
}
