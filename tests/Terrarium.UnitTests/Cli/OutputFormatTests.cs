using System.Text.Json;
using Terrarium.Cli.Output;

namespace Terrarium.UnitTests.Cli;

/// <summary>`-o table|json|yaml|csv`: yaml says what json says, csv the table's rows, json without needless escapes.</summary>
public class OutputFormatTests
{
    private static JsonElement Doc(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void Yaml_is_the_json_document_in_block_style()
    {
        var yaml = YamlWriter.Render(Doc("""
            {"member":"node2","ok":true,"seconds":1.5,"fix":null,"plan":[{"step":"mesh","action":"bring up wg0"},{"step":"lxd","action":"join"}],
             "central":["node1","node2"],"empty":[],"none":{},"daemon":{"reachable":false,"nested":{"a":1}}}
            """));
        Assert.Equal("""
            member: node2
            ok: true
            seconds: 1.5
            fix: null
            plan:
              - step: mesh
                action: bring up wg0
              - step: lxd
                action: join
            central:
              - node1
              - node2
            empty: []
            none: {}
            daemon:
              reachable: false
              nested:
                a: 1

            """.Replace("\r", ""), yaml);
    }

    [Theory]
    [InlineData("app.example.com", "app.example.com")]
    [InlineData("/var/lib/terrarium", "/var/lib/terrarium")]
    [InlineData("bring up wg0, then nft", "bring up wg0, then nft")]
    [InlineData("", "\"\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("No", "\"No\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("10.0.0.1:8443", "\"10.0.0.1:8443\"")] // YAML 1.1 would read 1:20 as a number
    [InlineData("0.2.0", "\"0.2.0\"")]
    [InlineData("2026-12-07T09:00:00+00:00", "\"2026-12-07T09:00:00+00:00\"")]
    [InlineData("fix: run it", "\"fix: run it\"")]
    [InlineData("a #comment", "\"a #comment\"")]
    [InlineData("- item", "\"- item\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("line\nbreak", "\"line\\nbreak\"")]
    [InlineData("bell\u0007esc\u001b[31m", "\"bell\\u0007esc\\u001b[31m\"")]
    [InlineData("c1\u0085x\u2028", "\"c1\\u0085x\\u2028\"")]
    [InlineData("trailing ", "\"trailing \"")]
    public void Yaml_quotes_a_string_only_when_it_could_read_as_something_else(string value, string expected) =>
        Assert.Equal(expected, YamlWriter.Text(value));

    [Fact]
    public void Yaml_of_a_list_of_rows_and_of_a_bare_value()
    {
        Assert.Equal("- name: a\n  tags:\n    - x\n- name: b\n  tags: []\n", YamlWriter.Render(Doc("""[{"name":"a","tags":["x"]},{"name":"b","tags":[]}]""")));
        Assert.Equal("[]\n", YamlWriter.Render(Doc("[]")));
        Assert.Equal("- - 1\n  - 2\n", YamlWriter.Render(Doc("[[1,2]]")));
    }

    [Fact]
    public void Csv_quotes_as_RFC_4180_says()
    {
        var csv = CsvWriter.Render(new TableData(["NAME", "DETAIL"],
            [["node1", "ok"], ["node2", "a, b"], ["node3", "say \"hi\""], ["node4", "two\nlines"], ["node5", " padded"], ["", ""]]));
        Assert.Equal("NAME,DETAIL\nnode1,ok\nnode2,\"a, b\"\nnode3,\"say \"\"hi\"\"\"\nnode4,\"two\nlines\"\nnode5,\" padded\"\n,\n", csv);
    }

    [Fact]
    public void Csv_of_a_result_without_a_table_is_its_key_value_pairs()
    {
        var text = Formatted.Render(Formatted.Csv, VersionOutput.Of("0.2.0+abc", new DaemonVersionRow(false, null, null, null, "/s", "no socket")),
            CliJsonContext.Default.VersionOutput);
        Assert.Equal("KEY,VALUE\nclient_version,0.2.0\nclient_commit,abc\ndaemon.reachable,false\ndaemon.kind,\ndaemon.product,\ndaemon.version,\n" +
                     "daemon.socket,/s\ndaemon.error,no socket\n", text);
        var plan = CsvWriter.KeyValues(Doc("""{"plan":[{"step":"mesh"}],"dry_run":true}"""));
        Assert.Equal([["plan.0.step", "mesh"], ["dry_run", "true"]], plan.Rows.Select(r => r.ToArray()));
    }

    [Fact]
    public void Csv_uses_the_commands_table_when_it_has_one()
    {
        var text = Formatted.Render(Formatted.Csv, new RestoreOutput("node2", true, []), CliJsonContext.Default.RestoreOutput,
            () => new TableData(["A"], [["1"]]));
        Assert.Equal("A\n1\n", text);
        Assert.Null(Formatted.Render(Formatted.Table, new RestoreOutput("node2", true, []), CliJsonContext.Default.RestoreOutput));
    }

    [Fact]
    public void Json_escapes_no_quote_or_plus_but_every_control_character()
    {
        var row = new DoctorRow("lxd", "FAIL", "say \"hi\" + <b> & 'x' é", "a\u0001b\u001b[31mc\nd\u007f");
        var json = Formatted.Render(Formatted.Json, new DoctorOutput(false, [row]), CliJsonContext.Default.DoctorOutput)!;
        Assert.Contains("\"detail\": \"say \\\"hi\\\" + <b> & 'x' é\"", json);
        Assert.DoesNotContain("\\u0022", json);
        Assert.DoesNotContain("\\u002B", json);
        Assert.Contains("a\\u0001b\\u001B[31mc\\nd", json);
        Assert.DoesNotContain(json, c => char.IsControl(c) && c != '\n' && c != '\r');
        // The same document, field for field, as the serializer's own output.
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(row.Fix, doc.RootElement.GetProperty("checks")[0].GetProperty("fix").GetString());
        Assert.Equal(JsonSerializer.Serialize(new DoctorOutput(false, [row]), CliJsonContext.Default.DoctorOutput).Split('\n').Length, json.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void Yaml_and_json_carry_the_same_fields()
    {
        var value = new InstanceRow("tenant", "web1");
        var yaml = Formatted.Render(Formatted.Yaml, new RestoreOutput("node2", true, [value]), CliJsonContext.Default.RestoreOutput);
        Assert.Equal("member: node2\nwas_evacuated: true\nreturned:\n  - project: tenant\n    instance: web1\n", yaml);
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("table")]
    public void Every_format_parses_on_every_command(string format)
    {
        Assert.Null(InProcessCli.Run("cluster", "status", "-o", format).Exit);
        Assert.Null(InProcessCli.Run("--output", format, "route", "list").Exit);
        Assert.Null(InProcessCli.Run("version", $"--output={format}").Exit);
    }

    [Fact]
    public void An_unknown_format_names_all_four()
    {
        var r = InProcessCli.Run("-o", "xml", "route", "list");
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("Error: --output must be table, json, yaml or csv, not 'xml'.", r.StdErr);
    }
}
