using System.Text.Json;
using System.Text.Json.Nodes;
using Terrarium.Cluster.Placement;

namespace Terrarium.Lab.Skew;

/// <summary>What the proxy does with one request: pass it through, or rewrite one side of it.</summary>
public enum SkewRoute { PassThrough, ServerInfo, Wait, Join, MemberState }

/// <summary>
/// The proxy's decisions, pure (bytes in, bytes out) so the unit tests check each one. What a target
/// daemon answers differently from the real 5.0.2 behind the proxy, per <see cref="LxdBehaviour"/>.
/// </summary>
public static class SkewRewrites
{
    /// <summary>Which requests the target answers differently; everything else passes through unchanged.</summary>
    public static SkewRoute Route(LxdBehaviour b, string method, string target)
    {
        var path = target.Split('?', 2)[0].TrimEnd('/');
        var parts = path.Split('/');
        return (method, path) switch
        {
            ("GET", "/1.0") => SkewRoute.ServerInfo,
            ("PUT", "/1.0/cluster") => SkewRoute.Join,
            ("GET", _) when b.WaitAnswersErrorEnvelope && parts is ["", "1.0", "operations", _, "wait"] => SkewRoute.Wait,
            ("POST", _) when b.EvacuationQuorumCheck && parts is ["", "1.0", "cluster", "members", _, "state"] => SkewRoute.MemberState,
            _ => SkewRoute.PassThrough,
        };
    }

    /// <summary>The member a /1.0/cluster/members/NAME/state request names.</summary>
    public static string MemberOf(string target) => Uri.UnescapeDataString(target.Split('?', 2)[0].TrimEnd('/').Split('/')[4]);

    /// <summary>
    /// GET /1.0 as the target renders it: its environment.server and server_version, the real api_extensions plus the
    /// target's that the product's decisions read (LxdServerProfile), and hidden keys as JSON true (5.21: the lab presents
    /// a trust password as set, as lxd init's prompt leaves it, so every read meets the boolean) or absent (6.x, Incus).
    /// </summary>
    public static byte[] ServerInfo(LxdBehaviour b, byte[] body)
    {
        if (Sync(body) is not { } root || root["metadata"] is not JsonObject md) return body;
        if (md["environment"] is JsonObject env)
        {
            env["server"] = b.Server;
            env["server_version"] = b.Version;
        }
        if (md["api_extensions"] is JsonArray extensions)
        {
            var have = extensions.Select(e => e?.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : "").ToHashSet();
            foreach (var e in b.AddedExtensions.Where(e => !have.Contains(e))) extensions.Add((JsonNode)e);
        }
        if (md["config"] is JsonObject config)
        {
            if (b.HiddenKeysAsBooleans) config["core.trust_password"] = true;
            else foreach (var k in new[] { "core.trust_password", "loki.auth.password" }) config.Remove(k);
        }
        return Encode(root);
    }

    /// <summary>
    /// GET /1.0/operations/ID/wait?timeout=N: where 5.0.2 renders the operation, LXD >= 5.0.3 answers HTTP 200 with an
    /// error envelope, "context deadline exceeded" while it still runs or the operation's error once it failed
    /// (lxd-5.21.1 lxd/operations.go operationWaitGet: op.Wait(ctx) then response.SmartError(err), an InternalError).
    /// Null when the answer stays as it is (finished, or not a rendered operation).
    /// </summary>
    public static byte[]? Wait(byte[] body)
    {
        if (Sync(body)?["metadata"] is not JsonObject op || op["status_code"] is not JsonValue code || !code.TryGetValue<int>(out var status)) return null;
        if (status < 200) return ErrorEnvelope("context deadline exceeded", 500);
        if (status >= 400)
            return ErrorEnvelope(op["err"] is JsonValue e && e.TryGetValue<string>(out var err) && err.Length > 0 ? err : (string?)op["status"] ?? "Failure", 500);
        return null;
    }

    /// <summary>
    /// PUT /1.0/cluster as a join: the target reads the token from one field only; the real 5.0.2 reads cluster_password,
    /// so the token goes there, and a join that lacks the target's field reaches the daemon without a token and fails the
    /// way the target would ("not authorized"). Bootstraps and other updates (no cluster_address) pass unchanged.
    /// </summary>
    public static byte[] Join(LxdBehaviour b, byte[] body)
    {
        if (Parse(body) is not JsonObject root || root["cluster_address"] is not JsonValue address ||
            !address.TryGetValue<string>(out var a) || a.Length == 0) return body;
        var token = root[b.TokenField] is JsonValue v && v.TryGetValue<string>(out var t) ? t : "";
        root.Remove("cluster_token");
        root["cluster_password"] = token;
        return Encode(root);
    }

    /// <summary>
    /// POST /1.0/cluster/members/NAME/state on LXD >= 6.9: an evacuation of an online voter that would leave too few online
    /// voters is refused before any operation starts (lxd-6.9 lxd/api_cluster_member.go checkEvacuationQuorum; the rule
    /// itself is <see cref="EvacuationQuorum"/>, whose cases replay upstream's TestCheckEvacuationQuorum). Null: allowed.
    /// </summary>
    public static string? EvacuationRefusal(byte[] requestBody, string member, byte[] membersReply)
    {
        if (Parse(requestBody) is not JsonObject request || (string?)request["action"] != "evacuate") return null;
        if (Sync(membersReply)?["metadata"] is not JsonArray rows) return null;
        var members = rows.OfType<JsonObject>().Select(m => new QuorumMember((string?)m["server_name"] ?? "", (string?)m["status"] ?? "",
            (m["roles"] as JsonArray)?.Select(r => (string?)r ?? "").ToList() ?? [])).ToList();
        return EvacuationQuorum.Check(members, member) is { } why ? $"Insufficient online voters to maintain quorum: {why}" : null;
    }

    /// <summary>LXD's error response (lxd/response/response.go errorResponse).</summary>
    public static byte[] ErrorEnvelope(string message, int code) => Encode(new JsonObject
    {
        ["type"] = "error", ["status"] = "", ["status_code"] = 0, ["operation"] = "", ["error_code"] = code, ["error"] = message, ["metadata"] = null,
    });

    private static JsonObject? Sync(byte[] body) => Parse(body) is JsonObject root && (string?)root["type"] == "sync" ? root : null;

    private static JsonNode? Parse(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Encode(JsonNode node) => System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
}
