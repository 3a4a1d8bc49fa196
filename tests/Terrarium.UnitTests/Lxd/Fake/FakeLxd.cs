using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Terrarium.UnitTests.Lxd.Fake;

/// <summary>
/// A small LXD daemon on a unix socket (Kestrel) that answers the endpoints Terrarium uses the way one
/// <see cref="DaemonProfile"/> does. For contract tests of the real client and operations against LXD/Incus
/// versions that cannot be installed here; the lab runs the real Debian LXD.
/// </summary>
public sealed class FakeLxd : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;
    private readonly ConcurrentDictionary<string, FakeOperation> _operations = new();

    public DaemonProfile Profile { get; }
    public string Socket { get; }
    public ConcurrentQueue<string> Requests { get; } = new();
    public Dictionary<string, string> Config { get; } = new() { ["core.https_address"] = "" };
    /// <summary>Values of hidden keys as the daemon stores them (never rendered).</summary>
    public Dictionary<string, string> Hidden { get; } = [];
    public bool Clustered { get; set; }
    public List<(string Name, string Status, string[] Roles)> Members { get; } = [];
    /// <summary>Paths that never answer until the client gives up (LXD waiting for an absent database leader).</summary>
    public ConcurrentBag<string> Hangs { get; } = [];
    /// <summary>Per path: errors answered with HTTP 500, one per request, before it answers normally (LXD's database late).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> DatabaseErrors { get; } = new();
    public List<JsonObject> Instances { get; } = [];
    /// <summary>Join refusals to answer, one per join attempt, before joins succeed.</summary>
    public ConcurrentQueue<string> JoinRefusals { get; } = new();
    public TimeSpan OperationTime { get; set; } = TimeSpan.FromMilliseconds(1500);
    public List<JsonObject> JoinRequests { get; } = [];
    /// <summary>Errors the next PATCH /1.0 requests fail with after storing their change (an OVN key Incus cannot connect with).</summary>
    public ConcurrentQueue<string> PatchFailures { get; } = new();
    /// <summary>Per instance name: errors its next moves fail with, one per move, before moves succeed.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> MoveRefusals { get; } = new();
    /// <summary>Instances whose refused move LXD finished anyway (a cut transfer whose error came after the copy).</summary>
    public ConcurrentDictionary<string, bool> RefusedMovesFinish { get; } = new();
    /// <summary>Per instance: a clean shutdown that fails with this error and leaves the instance stopped all the same (seen on LXD 5.0.2).</summary>
    public ConcurrentDictionary<string, string> ShutdownFailsButStops { get; } = new();
    /// <summary>Per instance name: errors LXD's restore fails with when it moves that instance back, one per restore.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> RestoreRefusals { get; } = new();

    private FakeLxd(DaemonProfile profile)
    {
        Profile = profile;
        _dir = Directory.CreateTempSubdirectory("fake-lxd-").FullName;
        Socket = Path.Join(_dir, "unix.socket");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(Socket));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public static async Task<FakeLxd> StartAsync(DaemonProfile profile)
    {
        var fake = new FakeLxd(profile);
        await fake._app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public int Count(string methodAndPathPrefix) => Requests.Count(r => r.StartsWith(methodAndPathPrefix, StringComparison.Ordinal));

    /// <summary>Starts an operation that ends after <see cref="OperationTime"/>, failing with <paramref name="error"/> if given.</summary>
    public FakeOperation Start(string description, string? error = null, Action? onSuccess = null)
    {
        var op = new FakeOperation(Guid.NewGuid().ToString(), description, DateTime.UtcNow + OperationTime, error, onSuccess);
        _operations[op.Id] = op;
        return op;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        var query = ctx.Request.QueryString.Value ?? "";
        Requests.Enqueue($"{ctx.Request.Method} {path}{query}");
        if (Hangs.Contains(path))
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        if (DatabaseErrors.TryGetValue(path, out var errors) && errors.TryDequeue(out var dbError))
        {
            ctx.Response.StatusCode = 500;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(new JsonObject { ["type"] = "error", ["error"] = dbError, ["error_code"] = 500 }.ToJsonString());
            return;
        }
        var body = ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0
            ? JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync()) as JsonObject : null;
        var (status, reply) = Route(ctx.Request.Method, path, ctx.Request.Query, body);
        if (reply is null && status == 0) reply = await WaitAsync(path, ctx.Request.Query);
        ctx.Response.StatusCode = status == 0 ? 200 : status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(reply!.ToJsonString());
    }

    private (int Status, JsonObject? Reply) Route(string method, string path, IQueryCollection query, JsonObject? body)
    {
        switch (method, path)
        {
            case ("GET", "/1.0"): return (200, Sync(ServerInfo()));
            case ("PATCH", "/1.0"):
                var (oldConfig, oldHidden) = (new Dictionary<string, string>(Config), new Dictionary<string, string>(Hidden));
                var named = body!["config"]!.AsObject().Select(p => p.Key).ToList();
                foreach (var (k, v) in body["config"]!.AsObject())
                {
                    var text = v!.GetValue<string>();
                    if (Profile.HiddenKeys.Contains(k)) Hidden[k] = text; else if (text.Length == 0) Config.Remove(k); else Config[k] = text;
                }
                if (!PatchFailures.TryDequeue(out var failure)) return (200, Sync(null));
                if (Profile.PatchRevert != PatchRevert.None)
                {
                    Config.Clear();
                    Hidden.Clear();
                    foreach (var (k, v) in oldConfig)
                        if (Profile.PatchRevert == PatchRevert.Restores || named.Contains(k)) Config[k] = v;
                    foreach (var (k, v) in oldHidden)
                        if (Profile.PatchRevert == PatchRevert.Restores || named.Contains(k)) Hidden[k] = v;
                }
                return (500, Error(failure, 500));
            case ("PUT", "/1.0"):
                // A whole-map PUT writes hidden keys back as whatever string the client read (map.go Change).
                foreach (var k in Profile.HiddenKeys) if (body!["config"]?[k] is { } v) Hidden[k] = v.ToString();
                return (200, Sync(null));
            case ("GET", "/1.0/operations"):
                var running = new JsonArray(_operations.Values.Where(o => !o.Finished).Select(o => (JsonNode)o.Render()).ToArray());
                return (200, Sync(new JsonObject { ["running"] = running }));
            case ("PUT", "/1.0/cluster"): return (202, Async(Join(body!)));
            case ("GET", "/1.0/cluster/members"):
                return (200, Sync(new JsonArray(Members.Select(m => (JsonNode)new JsonObject
                {
                    ["server_name"] = m.Name, ["status"] = m.Status, ["roles"] = new JsonArray(m.Roles.Select(r => (JsonNode)r!).ToArray()),
                }).ToArray())));
            case ("GET", "/1.0/instances"): return (200, Sync(new JsonArray(Instances.Select(i => (JsonNode)i.DeepClone()).ToArray())));
            case ("GET", "/1.0/projects"):
                return (200, Sync(new JsonArray(new JsonObject { ["name"] = "default", ["config"] = new JsonObject { ["features.profiles"] = "true" } })));
            case ("GET", "/1.0/warnings"): return (200, Sync(new JsonArray())); // none: every network started (lxd/warnings.go)
            case ("GET", "/1.0/resources"): return (200, Sync(new JsonObject { ["memory"] = new JsonObject { ["used"] = 1, ["total"] = 100 } }));
        }
        if (path.StartsWith("/1.0/operations/", StringComparison.Ordinal))
        {
            if (path.EndsWith("/wait", StringComparison.Ordinal)) return (0, null);
            return _operations.TryGetValue(path["/1.0/operations/".Length..], out var op) ? (200, Sync(op.Render())) : NotFound();
        }
        if (method == "POST" && path.StartsWith("/1.0/cluster/members/", StringComparison.Ordinal) && path.EndsWith("/state", StringComparison.Ordinal))
            return (202, Async(Evacuate(path.Split('/')[4], body!)));
        if (path.StartsWith("/1.0/instances/", StringComparison.Ordinal))
        {
            var name = path.Split('/')[3];
            var instance = Instances.FirstOrDefault(i => (string?)i["name"] == name);
            if (instance is null) return NotFound();
            switch (method)
            {
                case "GET": return (200, Sync(instance.DeepClone()));
                case "PATCH": return (200, Sync(null));
                case "PUT" when path.EndsWith("/state", StringComparison.Ordinal):
                    var action = (string)body!["action"]!;
                    if (action == "stop" && (string?)instance["status"] == "Stopped") // driver_lxc.go Stop: ErrInstanceIsStopped, lxd-5.0.2
                        return (202, Async(Start("stop instance", "The instance is already stopped")));
                    if (action == "stop" && body["force"]?.GetValue<bool>() != true && ShutdownFailsButStops.TryRemove(name, out var failure))
                    {
                        instance["status"] = "Stopped";
                        return (202, Async(Start("stop instance", failure)));
                    }
                    return (202, Async(Start($"{action} instance", onSuccess: () => instance["status"] = action == "start" ? "Running" : "Stopped")));
                case "POST":
                    var target = query["target"].ToString();
                    if (MoveRefusals.TryGetValue(name, out var refusals) && refusals.TryDequeue(out var refusal))
                    {
                        if (RefusedMovesFinish.ContainsKey(name)) instance["location"] = target;
                        return (202, Async(Start("Migrating instance", refusal).On(InstancePath(instance))));
                    }
                    return (202, Async(Start("Migrating instance", onSuccess: () => instance["location"] = target).On(InstancePath(instance))));
            }
        }
        return NotFound();
    }

    /// <summary>An operation's resource path for an instance, as LXD renders it (project query outside the default project).</summary>
    public static string InstancePath(JsonObject instance) =>
        (string?)instance["project"] is { Length: > 0 } p && p != "default" ? $"/1.0/instances/{instance["name"]}?project={p}" : $"/1.0/instances/{instance["name"]}";

    private JsonObject ServerInfo()
    {
        var config = new JsonObject();
        foreach (var (k, v) in Config) config[k] = v;
        foreach (var k in Hidden.Keys) config[k] = true; // hidden keys come out as booleans
        return new JsonObject
        {
            ["api_extensions"] = new JsonArray(Profile.Extensions.Select(e => (JsonNode)e!).ToArray()),
            ["config"] = config,
            ["environment"] = new JsonObject
            {
                ["server"] = Profile.Server, ["server_version"] = Profile.Version, ["server_clustered"] = Clustered, ["server_name"] = "fake",
            },
        };
    }

    private FakeOperation Join(JsonObject body)
    {
        JoinRequests.Add((JsonObject)body.DeepClone());
        if (!Profile.TokenFields.Any(f => body[f] is { } v && v.GetValue<string>().Length > 0))
            return Start("Joining cluster", "Failed to join cluster: Failed to setup trust relationship with cluster: Failed updating cluster trust: Failed getting existing certificate: not authorized");
        if (JoinRefusals.TryDequeue(out var refusal)) return Start("Joining cluster", refusal);
        return Start("Joining cluster", onSuccess: () => Clustered = true);
    }

    private FakeOperation Evacuate(string member, JsonObject body)
    {
        var voters = Members.Count(m => m.Roles.Contains("database"));
        var target = Members.Single(m => m.Name == member);
        if (Profile.EvacuationQuorumCheck && (string?)body["action"] == "evacuate" && target.Roles.Contains("database") && voters <= 1)
            return Start("Evacuating cluster member", "Insufficient online voters to maintain quorum");
        if ((string?)body["action"] == "restore") return Restore(target);
        return Start("Evacuating cluster member", onSuccess: () =>
        {
            var i = Members.IndexOf(target);
            Members[i] = target with { Status = (string?)body["action"] == "evacuate" ? "Evacuated" : "Online" };
        });
    }

    // lxd/api_cluster.go restoreClusterMember (lxd-5.0.2), cmd/incusd/api_cluster_evacuation.go (v6.0.4): the member is
    // schedulable, then each instance whose volatile.evacuate.origin names it is stopped, moved back, loses the key and is
    // started if it ran; the first failure ends the restore (the instance stays where it was, stopped) and the member
    // is evacuated again. Applied when asked (the effects of a failed operation are not deferred).
    private FakeOperation Restore((string Name, string Status, string[] Roles) member)
    {
        var index = Members.IndexOf(member);
        foreach (var instance in Instances.Where(i => (string?)i["config"]?["volatile.evacuate.origin"] == member.Name).ToList())
        {
            var wasRunning = (string?)instance["status"] == "Running";
            instance["status"] = "Stopped";
            if (RestoreRefusals.TryGetValue((string)instance["name"]!, out var refusals) && refusals.TryDequeue(out var refusal))
            {
                Members[index] = member with { Status = "Evacuated" };
                return Start("Restoring cluster member", $"Failed to restore instances: Failed to wait for migration to finish: {refusal}");
            }
            instance["location"] = member.Name;
            ((JsonObject)instance["config"]!).Remove("volatile.evacuate.origin");
            if (wasRunning) instance["status"] = "Running";
        }
        Members[index] = member with { Status = "Online" };
        return Start("Restoring cluster member");
    }

    private async Task<JsonObject> WaitAsync(string path, IQueryCollection query)
    {
        var id = path.Split('/')[3];
        if (!_operations.TryGetValue(id, out var op)) return NotFound().Reply!;
        op.WaitedFor();
        var timeout = int.TryParse(query["timeout"], out var t) && t >= 0 ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(1);
        var until = DateTime.UtcNow + timeout;
        while (!op.Finished && DateTime.UtcNow < until) await Task.Delay(20);
        if (Profile.WaitAnswersErrorEnvelope)
        {
            if (!op.Finished) return Error("context deadline exceeded", 500);
            if (op.Error is not null) return Error(op.Error, 500);
        }
        return Sync(op.Render());
    }

    private static JsonObject Sync(JsonNode? metadata) => new() { ["type"] = "sync", ["status"] = "Success", ["status_code"] = 200, ["metadata"] = metadata };

    private static JsonObject Async(FakeOperation op) => new()
    {
        ["type"] = "async", ["status"] = "Operation created", ["status_code"] = 100, ["operation"] = $"/1.0/operations/{op.Id}", ["metadata"] = op.Render(),
    };

    private static JsonObject Error(string message, int code) => new() { ["type"] = "error", ["error"] = message, ["error_code"] = code, ["metadata"] = null };

    private static (int Status, JsonObject? Reply) NotFound() => (404, Error("not found", 404));
}

/// <summary>One asynchronous operation of the fake daemon: running until <see cref="FinishAt"/>.</summary>
public sealed class FakeOperation(string id, string description, DateTime finishAt, string? error, Action? onSuccess)
{
    private int _applied;
    private volatile bool _untilWaited, _waitedFor;
    public string Id { get; } = id;
    public DateTime FinishAt { get; } = finishAt;
    public string? Error { get; } = error;
    /// <summary>The member it runs on (LXD lists every member's operations).</summary>
    public string Location { get; set; } = "";

    /// <summary>The instances it acts on ("resources": {"instances": [...]}).</summary>
    public List<string> Instances { get; } = [];

    /// <summary>Runs until someone waits on it (GET …/wait), whatever the clock says: a test that must read it running cannot lose that race on a loaded machine.</summary>
    public FakeOperation UntilWaited()
    {
        _untilWaited = true;
        return this;
    }

    /// <summary>Called by the wait endpoint.</summary>
    public void WaitedFor() => _waitedFor = true;

    public FakeOperation On(string instancePath)
    {
        Instances.Add(instancePath);
        return this;
    }

    public bool Finished
    {
        get
        {
            if (DateTime.UtcNow < FinishAt || (_untilWaited && !_waitedFor)) return false;
            if (Error is null && Interlocked.Exchange(ref _applied, 1) == 0) onSuccess?.Invoke();
            return true;
        }
    }

    public JsonObject Render()
    {
        var (code, status) = !Finished ? (103, "Running") : Error is null ? (200, "Success") : (400, "Failure");
        return new JsonObject
        {
            ["id"] = Id, ["description"] = description, ["status"] = status, ["status_code"] = code, ["err"] = Error ?? "",
            ["metadata"] = new JsonObject(), ["class"] = "task", ["location"] = Location,
            ["resources"] = Instances.Count == 0 ? null : new JsonObject { ["instances"] = new JsonArray(Instances.Select(i => (JsonNode)i!).ToArray()) },
        };
    }
}
