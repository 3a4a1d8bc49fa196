using Terrarium.Cluster.Doctor;

namespace Terrarium.UnitTests.Cluster;

/// <summary>Does Traefik's static configuration serve what Terrarium writes?</summary>
public class TraefikWiringTests
{
    private const string Routes = "/etc/traefik/dynamic/terrarium-cluster.yml";

    [Fact]
    public void T4_a_yaml_file_provider_on_the_routes_folder_with_a_web_entry_point_is_wired()
    {
        const string yaml = """
            # Traefik static configuration
            entryPoints:
              web:
                address: ":80"
              websecure:
                address: ":443"
            providers:
              file:
                directory: /etc/traefik/dynamic/   # Terrarium writes here
                watch: true
            """;
        var w = TraefikWiring.Analyze("/etc/traefik/traefik.yml", yaml, toml: false, [], Routes);
        Assert.True(w.Ok);
        Assert.Empty(w.Missing(Routes));
    }

    [Fact]
    public void T4_toml_and_flags_are_read_too()
    {
        const string toml = """
            [entryPoints.web]
              address = ":80"
            [providers.file]
              filename = "/etc/traefik/dynamic/terrarium-cluster.yml"
            """;
        Assert.True(TraefikWiring.Analyze("traefik.toml", toml, toml: true, [], Routes).Ok);
        Assert.True(TraefikWiring.Analyze("flags", null, false, ["--entrypoints.web.address=:80", "--providers.file.directory=/etc/traefik/dynamic"], Routes).Ok);
    }

    [Fact]
    public void T4_what_is_missing_is_printed_as_lines_to_add()
    {
        const string yaml = """
            entryPoints:
              websecure:
                address: ":443"
            providers:
              docker: {}
              file:
                directory: /srv/other
            """;
        var w = TraefikWiring.Analyze("traefik.yml", yaml, false, [], Routes);
        Assert.False(w.WatchesRoutes);
        Assert.False(w.HasWebEntryPoint);
        var lines = w.Missing(Routes);
        Assert.Contains("    directory: /etc/traefik/dynamic", lines);
        Assert.Contains("    address: \":80\"", lines);
    }

    [Fact]
    public void T5_a_member_serving_https_routes_needs_a_websecure_entry_point()
    {
        const string yaml = """
            entryPoints:
              web:
                address: ":80"
            providers:
              file:
                directory: /etc/traefik/dynamic
            """;
        Assert.True(TraefikWiring.Analyze("traefik.yml", yaml, false, [], Routes).Ok);
        var https = TraefikWiring.Analyze("traefik.yml", yaml, false, [], Routes, servesHttps: true);
        Assert.False(https.Ok);
        Assert.Equal(["entryPoints:", "  websecure:", "    address: \":443\""], https.Missing(Routes));
        Assert.Equal("entryPoints: {websecure: {address: \":443\"}}", https.MissingOneLine(Routes));
        Assert.True(TraefikWiring.Analyze("flags", null, false,
            ["--entrypoints.web.address=:80", "--entrypoints.websecure.address=:443", "--providers.file.directory=/etc/traefik/dynamic"], Routes, servesHttps: true).Ok);
    }
}
