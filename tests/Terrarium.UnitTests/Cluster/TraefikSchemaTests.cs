using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Terrarium.Cluster.Routes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Terrarium.UnitTests.Cluster;

/// <summary>
/// The file Terrarium renders for Traefik's file provider, in every shape it takes, passes Traefik v3's JSON schema.
/// The schema is vendored from SchemaStore (Apache-2.0): repository SchemaStore/schemastore,
/// src/schemas/json/traefik-v3-file-provider.json, commit 382d06ce0f78ecd1aaefd497d0a6a33f1a1ac2f7 (Fixtures/README.md).
/// </summary>
public class TraefikSchemaTests
{
    // Built once: a schema registers its $id, and the file is ~77 kB.
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "traefik-v3-file-provider.json")),
        new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft07 }));

    private static RouteBackend Backend(string host, string address, string path = "/", int port = 8080) =>
        new(new RouteDeclaration("c1", "web", host, path, port), address, "node1");

    private static TlsRendering Tls(bool redirect, string? responder, params string[] hosts) => new(
        hosts.ToDictionary(h => h, h => new CertificateFiles($"/etc/terrarium/tls/{h}-0123.crt", $"/etc/terrarium/tls/{h}-0123.key")),
        redirect, responder);

    private static readonly RouteBackend[] Mixed =
    [
        Backend("app.example.com", "10.20.0.5"),
        Backend("app.example.com", "10.20.0.6"), // several backends behind one router
        Backend("app.example.com", "10.20.0.7", "/api/v1", 9000),
        Backend("*.apps.example.com", "10.20.0.8"), // HostRegexp with an escaped dot
        Backend("*.apps.example.com", "10.20.0.9", "/static"),
        Backend("plain.example.com", "10.20.0.10"),
    ];

    private static string Render(string shape) => shape switch
    {
        "no routes" => TraefikConfigRenderer.Render([]),
        "one route" => TraefikConfigRenderer.Render([Backend("app.example.com", "10.20.0.5")]),
        "routes with paths, a wildcard host and several backends" => TraefikConfigRenderer.Render(Mixed),
        "tls with redirect" => TraefikConfigRenderer.Render(Mixed, Tls(true, "http://127.0.0.1:8089", "app.example.com", "*.apps.example.com")),
        "tls without redirect" => TraefikConfigRenderer.Render(Mixed, Tls(false, "http://127.0.0.1:8089", "app.example.com")),
        "tls without a challenge responder" => TraefikConfigRenderer.Render(Mixed, Tls(true, null, "plain.example.com")),
        "tls with no routes" => TraefikConfigRenderer.Render([], Tls(true, "http://127.0.0.1:8089", "app.example.com")),
        "tls with no routes and no responder" => TraefikConfigRenderer.Render([], Tls(true, null, "app.example.com")),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    [Theory]
    [InlineData("no routes")]
    [InlineData("one route")]
    [InlineData("routes with paths, a wildcard host and several backends")]
    [InlineData("tls with redirect")]
    [InlineData("tls without redirect")]
    [InlineData("tls without a challenge responder")]
    [InlineData("tls with no routes")]
    [InlineData("tls with no routes and no responder")]
    public void Every_rendered_shape_passes_the_traefik_v3_file_provider_schema(string shape)
    {
        var yaml = Render(shape);
        var errors = Validate(YamlToJson(yaml));
        Assert.True(errors.Count == 0, $"{shape}: the rendered file fails Traefik's schema:\n{string.Join("\n", errors)}\n--- file ---\n{yaml}");
    }

    [Fact]
    public void The_conversion_keeps_yaml_types_so_the_schema_sees_what_traefik_reads()
    {
        var json = YamlToJson(Render("tls with redirect"))!;
        var routers = json["http"]!["routers"]!;
        // priority is an integer in the schema: a string "1000000" would fail it, so the converter must not stringify.
        Assert.Equal(JsonValueKind.Number, routers[TraefikConfigRenderer.ChallengeRouter]!["priority"]!.GetValueKind());
        Assert.Equal(JsonValueKind.True, json["http"]!["middlewares"]![TraefikConfigRenderer.RedirectMiddleware]!["redirectScheme"]!["permanent"]!.GetValueKind());
        Assert.Equal(JsonValueKind.Object, routers.AsObject().First(r => r.Key.EndsWith("-tls", StringComparison.Ordinal)).Value!["tls"]!.GetValueKind());
        Assert.Contains(@"[^.]+\.apps\.example\.com$", routers.AsObject().Select(r => r.Value!["rule"]!.GetValue<string>()).First(r => r.StartsWith("HostRegexp", StringComparison.Ordinal)));
        Assert.Equal(JsonValueKind.Object, YamlToJson(Render("no routes"))!["http"]!.GetValueKind());
    }

    [Theory]
    [InlineData("a router without its service", "service")]
    [InlineData("an unknown router key", "/rules")]
    [InlineData("an unknown top-level key", "/routers")]
    [InlineData("a service without servers", "servers")]
    [InlineData("priority as a string", "/priority")]
    public void The_validator_rejects_a_broken_file_so_a_pass_means_something(string breakage, string named)
    {
        var json = YamlToJson(Render("tls with redirect"))!.AsObject();
        var routers = json["http"]!["routers"]!.AsObject();
        var router = routers.First(r => r.Key != TraefikConfigRenderer.ChallengeRouter).Value!.AsObject();
        switch (breakage)
        {
            case "a router without its service": router.Remove("service"); break;
            case "an unknown router key": router["rules"] = "Host(`x.example.com`)"; break;
            case "an unknown top-level key": json["routers"] = new JsonObject(); break;
            case "a service without servers": json["http"]!["services"]!.AsObject().First().Value!["loadBalancer"]!.AsObject().Remove("servers"); break;
            case "priority as a string": routers[TraefikConfigRenderer.ChallengeRouter]!["priority"] = "1000000"; break;
        }
        // The error names the broken key: the list output reaches the failure message.
        var errors = Validate(json);
        Assert.True(errors.Any(e => e.Contains(named, StringComparison.Ordinal)), $"{breakage}: no error names {named}:\n{string.Join("\n", errors)}");
    }

    /// <summary>Evaluates against the schema; the list output's failing nodes, one line each, or none when valid.</summary>
    private static List<string> Validate(JsonNode? json)
    {
        var results = Schema.Value.Evaluate(Element(json), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var lines = new[] { results }.Concat(results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation} (schema {d.EvaluationPath}): {string.Join("; ", d.Errors!.Select(e => $"{e.Key}: {e.Value}"))}")
            .ToList();
        return lines.Count > 0 ? lines : ["invalid, with no error detail"];
    }

    // A JsonNode's own text, parsed back: no reflection-based serializer (the build analyses for trimming).
    private static JsonElement Element(JsonNode? json) => JsonDocument.Parse(json?.ToJsonString() ?? "null").RootElement.Clone();

    /// <summary>
    /// The YAML as the JSON tree Traefik's decoder would see: mappings are objects, sequences arrays, plain integers
    /// numbers, plain true/false booleans, and every other scalar (quoted or not) a string.
    /// </summary>
    private static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(Assert.Single(stream.Documents).RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, Convert(kv.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } n when long.TryParse(n.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode v => JsonValue.Create(v.Value),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };
}
