using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Terrarium.Cluster.Validation;
using Terrarium.Lab.Skew;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Lab;

/// <summary>
/// The lab's skew proxy. Its decisions as pure functions, then the proxy itself in front of a fake
/// Debian 5.0.2 (Kestrel answers chunked) with the real client on the other side.
/// </summary>
public class SkewProxyTests
{
    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
    private static JsonObject Json(byte[] body) => JsonNode.Parse(body)!.AsObject();

    private static byte[] ServerReply() => Bytes(new JsonObject
    {
        ["type"] = "sync", ["status"] = "Success", ["status_code"] = 200,
        ["metadata"] = new JsonObject
        {
            ["api_extensions"] = new JsonArray("clustering", "clustering_join_token"),
            ["config"] = new JsonObject { ["core.https_address"] = "10.0.0.1:8443", ["core.trust_password"] = true },
            ["environment"] = new JsonObject { ["server"] = "lxd", ["server_version"] = "5.0.2", ["server_clustered"] = false },
        },
    });

    private static byte[] OperationReply(int code, string status, string err = "") => Bytes(new JsonObject
    {
        ["type"] = "sync", ["status"] = "Success", ["status_code"] = 200,
        ["metadata"] = new JsonObject { ["id"] = "op1", ["status"] = status, ["status_code"] = code, ["err"] = err },
    });

    [Theory]
    [InlineData("6", "GET", "/1.0", SkewRoute.ServerInfo)]
    [InlineData("6", "GET", "/1.0/", SkewRoute.ServerInfo)]
    [InlineData("6", "GET", "/1.0?target=node2", SkewRoute.ServerInfo)]
    [InlineData("6", "GET", "/1.0/instances", SkewRoute.PassThrough)]
    [InlineData("6", "GET", "/1.0/operations/abc/wait?timeout=1", SkewRoute.Wait)]
    [InlineData("6", "GET", "/1.0/operations/abc", SkewRoute.PassThrough)]
    [InlineData("6", "PUT", "/1.0/cluster", SkewRoute.Join)]
    [InlineData("6", "POST", "/1.0/cluster/members/node2/state", SkewRoute.MemberState)]
    [InlineData("5.21", "POST", "/1.0/cluster/members/node2/state", SkewRoute.PassThrough)] // no quorum check before 6.9
    [InlineData("5.21", "GET", "/1.0/events?type=lifecycle", SkewRoute.PassThrough)]
    [InlineData("incus", "GET", "/1.0/operations/abc/wait?timeout=1", SkewRoute.Wait)]
    public void L13_the_proxy_rewrites_only_what_the_target_answers_differently(string target, string method, string path, SkewRoute route) =>
        Assert.Equal(route, SkewRewrites.Route(LxdBehaviour.Parse(target), method, path));

    [Fact]
    public void L13_X1_an_unknown_behaviour_is_one_clear_sentence()
    {
        var e = Assert.Throws<InputException>(() => LxdBehaviour.Parse("5.0"));
        Assert.Contains("5.21, 6 or incus, not '5.0'", e.Message);
        Assert.EndsWith(".", e.Message);
    }

    [Fact]
    public void L13_as_521_the_server_keeps_its_extensions_and_renders_the_trust_password_as_a_boolean()
    {
        var md = Json(SkewRewrites.ServerInfo(LxdBehaviour.Lxd521, ServerReply()))["metadata"]!;
        Assert.Equal("5.21.1", (string?)md["environment"]!["server_version"]);
        Assert.Equal("lxd", (string?)md["environment"]!["server"]);
        Assert.True((bool)md["config"]!["core.trust_password"]!);
        Assert.Equal(["clustering", "clustering_join_token", "instances_migration_stateful"], md["api_extensions"]!.AsArray().Select(e => (string?)e));
        var info = System.Text.Json.JsonSerializer.Deserialize(md.ToJsonString(), LxdJson.Info<ServerInfo>())!;
        Assert.Equal("true", info.Config["core.trust_password"]); // what the product's client reads
        Assert.False(LxdServerProfile.From(info).EvacuationChecksQuorum);
    }

    [Fact]
    public void L13_as_6_there_are_no_hidden_keys_and_the_profile_checks_evacuation_quorum()
    {
        var md = Json(SkewRewrites.ServerInfo(LxdBehaviour.Lxd6, ServerReply()))["metadata"]!;
        Assert.False(md["config"]!.AsObject().ContainsKey("core.trust_password"));
        var info = System.Text.Json.JsonSerializer.Deserialize(md.ToJsonString(), LxdJson.Info<ServerInfo>())!;
        var profile = LxdServerProfile.From(info);
        Assert.Equal("LXD 6.9", profile.ToString());
        Assert.True(profile.EvacuationChecksQuorum);
        Assert.False(profile.IsIncus);
        Assert.True(LxdServerProfile.From(System.Text.Json.JsonSerializer.Deserialize(
            Json(SkewRewrites.ServerInfo(LxdBehaviour.Incus604, ServerReply()))["metadata"]!.ToJsonString(), LxdJson.Info<ServerInfo>())!).IsIncus);
    }

    [Fact]
    public void L13_a_wait_that_ends_running_or_failed_becomes_the_error_envelope_the_client_classifies()
    {
        var running = SkewRewrites.Wait(OperationReply(103, "Running"))!;
        Assert.Equal("error", (string?)Json(running)["type"]);
        Assert.Equal(500, (int)Json(running)["error_code"]!);
        Assert.Equal(OperationWait.State.Running, Classify(running).Kind);

        var failed = SkewRewrites.Wait(OperationReply(400, "Failure", "boom"))!;
        Assert.Equal(OperationWait.State.Failed, Classify(failed).Kind);
        Assert.Equal("boom", Classify(failed).Error);

        Assert.Null(SkewRewrites.Wait(OperationReply(200, "Success"))); // a finished operation is rendered by every version
        Assert.Null(SkewRewrites.Wait(SkewRewrites.ErrorEnvelope("not found", 404)));
        Assert.Null(SkewRewrites.Wait(Encoding.UTF8.GetBytes("not json")));
    }

    private static OperationWait Classify(byte[] body) =>
        OperationWait.Classify(System.Text.Json.JsonSerializer.Deserialize(body, LxdJson.Info<LxdResponse>()), HttpStatusCode.OK, "OK");

    [Theory]
    [InlineData("6", true, true, "tok")]
    [InlineData("6", true, false, "")] // 6.x never reads cluster_password: no token reaches the daemon
    [InlineData("6", false, true, "tok")]
    [InlineData("5.21", true, true, "tok")]
    [InlineData("5.21", false, true, "")] // 5.21.0-5.21.1 read only cluster_password
    [InlineData("incus", false, true, "tok")]
    public void L13_C3_a_join_reaches_the_real_daemon_with_only_the_token_the_target_reads(string target, bool password, bool token, string reaches)
    {
        var body = new JsonObject { ["server_name"] = "node2", ["enabled"] = true, ["cluster_address"] = "10.255.54.1:8443" };
        if (password) body["cluster_password"] = "tok";
        if (token) body["cluster_token"] = "tok";
        var sent = Json(SkewRewrites.Join(LxdBehaviour.Parse(target), Bytes(body)));
        Assert.Equal(reaches, (string?)sent["cluster_password"]);
        Assert.False(sent.ContainsKey("cluster_token"));
        Assert.Equal("node2", (string?)sent["server_name"]);

        var bootstrap = Bytes(new JsonObject { ["server_name"] = "node1", ["enabled"] = true });
        Assert.Equal(bootstrap, SkewRewrites.Join(LxdBehaviour.Parse(target), bootstrap));
    }

    [Fact]
    public void L13_C6_as_69_evacuating_an_online_voter_without_quorum_is_refused()
    {
        static byte[] Members(params (string Name, string Status, string Role)[] m) => Bytes(new JsonObject
        {
            ["type"] = "sync",
            ["metadata"] = new JsonArray(m.Select(x => (JsonNode)new JsonObject
            {
                ["server_name"] = x.Name, ["status"] = x.Status, ["roles"] = x.Role.Length == 0 ? new JsonArray() : new JsonArray(x.Role),
            }).ToArray()),
        });
        var evacuate = Bytes(new JsonObject { ["action"] = "evacuate" });
        var twoMembers = Members(("node1", "Online", "database"), ("node2", "Online", "database-standby"));
        Assert.Contains("Insufficient online voters", SkewRewrites.EvacuationRefusal(evacuate, "node1", twoMembers));
        Assert.Null(SkewRewrites.EvacuationRefusal(evacuate, "node2", twoMembers)); // a standby may go
        Assert.Null(SkewRewrites.EvacuationRefusal(Bytes(new JsonObject { ["action"] = "restore" }), "node1", twoMembers));
        var three = Members(("node1", "Online", "database"), ("node2", "Online", "database"), ("node3", "Online", "database"));
        Assert.Null(SkewRewrites.EvacuationRefusal(evacuate, "node1", three));
        var oneDown = Members(("node1", "Online", "database"), ("node2", "Online", "database"), ("node3", "Offline", "database"));
        Assert.NotNull(SkewRewrites.EvacuationRefusal(evacuate, "node1", oneDown));
        Assert.Equal("node 2", SkewRewrites.MemberOf("/1.0/cluster/members/node%202/state?x=1"));
    }

    [Fact]
    public async Task L13_C3_through_the_proxy_the_real_client_joins_a_502_daemon_as_6_and_waits_across_the_envelope()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        var listen = Path.Join(Path.GetDirectoryName(fake.Socket)!, "proxy", "unix.socket");
        using var stop = new CancellationTokenSource();
        var proxy = new SkewProxy(listen, fake.Socket, LxdBehaviour.Lxd6, _ => { }).RunAsync(stop.Token);
        try
        {
            using var lxd = LxdClient.ForSocket(listen);
            var profile = await lxd.WaitReadyAsync(TimeSpan.FromSeconds(10)); // Kestrel's chunked replies, rewritten
            Assert.Equal("6.9", profile.Environment.ServerVersion);

            // Longer than one 1 s wait: the fake 5.0.2 renders the running op, the proxy answers 6.9's envelope instead.
            fake.OperationTime = TimeSpan.FromSeconds(2.5);
            await lxd.UpdateClusterAsync(new ClusterPut
            {
                ServerName = "node2", Enabled = true, ClusterAddress = "10.255.54.1:8443", ClusterToken = "dG9rZW4=", ClusterPassword = "ignored by 6",
            });
            Assert.True(fake.Clustered);
            var sent = Assert.Single(fake.JoinRequests);
            Assert.Equal("dG9rZW4=", (string?)sent["cluster_password"]);
            Assert.True(fake.Count("GET /1.0/operations/") >= 2, "the wait ran into its timeout at least once");

            // Everything else passes through, on the same kept-alive connection.
            Assert.Equal("default", Assert.Single(await lxd.GetProjectsAsync()).Name);
        }
        finally
        {
            stop.Cancel();
            await proxy;
        }
        Assert.False(File.Exists(listen));
    }
}
