using System.Text.RegularExpressions;

namespace Terrarium.UnitTests.Architecture;

/// <summary>
/// The layering docs/architecture.md describes, checked on the source so a forbidden reference fails here and not
/// in review: which project may reference which, where I/O and processes may live, and no import loop between the
/// folders of Terrarium.Operations.
/// </summary>
public partial class ArchitectureTests
{
    private static readonly string Src = Path.Join(RepositoryRoot(), "src");

    /// <summary>Each project and the projects it may reference, nothing else.</summary>
    public static readonly Dictionary<string, string[]> AllowedReferences = new()
    {
        ["Terrarium.Cluster"] = [],
        ["Terrarium.Lxd"] = [],
        ["Terrarium.Host"] = ["Terrarium.Cluster"],
        ["Terrarium.Operations"] = ["Terrarium.Cluster", "Terrarium.Lxd", "Terrarium.Host"],
        ["Terrarium.Lab"] = ["Terrarium.Cluster", "Terrarium.Lxd", "Terrarium.Host"],
        ["Terrarium.Cli"] = ["Terrarium.Cluster", "Terrarium.Lxd", "Terrarium.Host", "Terrarium.Lab", "Terrarium.Operations"],
    };

    [Fact]
    public void A1_projects_reference_only_the_layers_below_them()
    {
        var projects = Directory.GetDirectories(Src).Select(Path.GetFileName).OfType<string>().Order().ToList();
        Assert.Equal(AllowedReferences.Keys.Order(), projects);
        foreach (var project in projects)
        {
            var csproj = File.ReadAllText(Path.Join(Src, project, $"{project}.csproj"));
            var referenced = ProjectReference().Matches(csproj).Select(m => m.Groups["name"].Value).Order().ToList();
            Assert.True(referenced.All(AllowedReferences[project].Contains),
                $"{project} references {string.Join(", ", referenced.Except(AllowedReferences[project]))}, which it may not");
        }
    }

    [Fact]
    public void A2_the_cluster_layer_is_pure_decisions_without_io()
    {
        var offenders = Sources("Terrarium.Cluster").SelectMany(f => IoCall().Matches(Code(f)).Select(m => $"{Relative(f)}: {m.Value}")).ToList();
        Assert.True(offenders.Count == 0, "I/O in Terrarium.Cluster (move it to Host or Operations):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void A3_only_the_host_layer_starts_processes()
    {
        var offenders = Directory.GetDirectories(Src).Where(d => Path.GetFileName(d) != "Terrarium.Host")
            .SelectMany(d => Sources(Path.GetFileName(d)!)).Where(f => ProcessStart().IsMatch(Code(f))).Select(Relative).ToList();
        Assert.True(offenders.Count == 0, "Processes started outside Terrarium.Host (use ProcessRunner):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void A3_operations_run_programs_only_through_host_adapters()
    {
        // Operations may not even hold the runner: a program and its arguments belong to a Host adapter
        // (WireGuardInterface, NftablesFirewall, Systemctl, OvnRuntime ...) whose binary ToolPaths can override.
        var offenders = Sources("Terrarium.Operations").Where(f => RunnerUse().IsMatch(Code(f))).Select(Relative).ToList();
        Assert.True(offenders.Count == 0, "Operations running a program itself (add a Terrarium.Host adapter):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void A5_operations_read_the_time_through_the_node_environment()
    {
        var offenders = Sources("Terrarium.Operations").Where(f => WallClock().IsMatch(Code(f))).Select(Relative).ToList();
        Assert.True(offenders.Count == 0, "Wall-clock reads in Terrarium.Operations (use NodeEnvironment.Time, a TimeProvider):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void A5_operations_wait_on_the_node_environments_time()
    {
        // A wait that ignores env.Time cannot be driven by a test's clock while the deadline around it is.
        var offenders = Sources("Terrarium.Operations").SelectMany(f => RawDelays(Code(f)).Select(d => $"{Relative(f)}: {d}")).ToList();
        Assert.True(offenders.Count == 0, "Task.Delay without a TimeProvider in Terrarium.Operations (pass env.Time):\n" + string.Join('\n', offenders));
    }

    [Theory]
    [InlineData("await Task.Delay(250, ct);", true)]
    [InlineData("await Task.Delay(TimeSpan.FromSeconds(1), ct);", true)]
    [InlineData("await Task.Delay(backoff);", true)]
    [InlineData("await Task.Delay(TimeSpan.FromSeconds(1), env.Time, ct);", false)]
    [InlineData("await Task.Delay(Debounce, clock, ct);", false)]
    [InlineData("await Task.Delay(TimeSpan.FromMilliseconds(500), env.Time);", false)]
    public void A5_the_rule_catches_a_raw_delay_in_a_sample(string code, bool caught) => Assert.Equal(caught, RawDelays(code).Any());

    /// <summary>Task.Delay calls with at most two arguments, none of them a TimeProvider (env.Time, time, clock).</summary>
    private static IEnumerable<string> RawDelays(string code) =>
        RawDelay().Matches(code).Select(m => m.Value).Where(d => !TimeArgument().IsMatch(d));

    [Fact]
    public void A4_the_folders_of_operations_import_each_other_without_a_loop()
    {
        var graph = OperationsFolderGraph();
        Assert.Contains("Lifecycle", graph.Keys);
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"Terrarium.Operations folders import each other in a loop: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void A4_docs_architecture_shows_the_folder_graph_the_test_finds()
    {
        var graph = OperationsFolderGraph();
        var expected = string.Join('\n', graph.Keys.Order(StringComparer.Ordinal)
            .Select(f => $"{f,-12} ─► {(graph[f].Count == 0 ? "(nothing)" : string.Join(", ", graph[f].Order(StringComparer.Ordinal)))}"));
        var doc = File.ReadAllText(Path.Join(RepositoryRoot(), "docs", "architecture.md"));
        Assert.True(doc.Contains($"```\n{expected}\n```", StringComparison.Ordinal),
            $"docs/architecture.md's Operations folder graph has drifted; put this block there:\n```\n{expected}\n```");
    }

    [Fact]
    public void A4_a_loop_is_found_when_there_is_one() =>
        Assert.Equal(["A", "B", "C", "A"], FindCycle(new() { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = [] }));

    /// <summary>Folder → the other folders its files name, by `using` or by a qualified name (Store.SharedConfigStore).</summary>
    public static Dictionary<string, HashSet<string>> OperationsFolderGraph()
    {
        var root = Path.Join(Src, "Terrarium.Operations");
        var folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(f => f is not ("bin" or "obj")).ToList();
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>());
        foreach (var folder in folders)
            foreach (var file in Directory.EnumerateFiles(Path.Join(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var code = Code(file);
                foreach (var other in folders.Where(o => o != folder))
                    if (Regex.IsMatch(code, $@"using Terrarium\.Operations\.{other};|(?<![\w.])(Terrarium\.Operations\.)?{other}\.[A-Z]"))
                        graph[folder].Add(other);
            }
        return graph;
    }

    /// <summary>One import loop as a path that starts and ends at the same folder, or null.</summary>
    public static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0) return [.. path[at..], node];
            if (!done.Add(node)) return null;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order())
                if (Visit(next) is { } found) return found;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return graph.Keys.Order().Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static IEnumerable<string> Sources(string project) =>
        Directory.EnumerateFiles(Path.Join(Src, project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    /// <summary>The file without comments (a doc comment may name what the code must not do).</summary>
    private static string Code(string file) => LineComment().Replace(File.ReadAllText(file), "");

    private static string Relative(string file) => Path.GetRelativePath(Src, file);

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Join(dir.FullName, "Terrarium.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Terrarium.slnx not found above the test binaries.");
    }

    [GeneratedRegex(@"<ProjectReference Include=""[^""]*?(?<name>Terrarium\.[A-Za-z]+)\.csproj""")]
    private static partial Regex ProjectReference();

    [GeneratedRegex(@"\b(File|Directory|Process|Console|Environment\.GetEnvironmentVariable|HttpClient|TcpClient|UdpClient|Socket|DateTime\.(Utc)?Now|DateTimeOffset\.(Utc)?Now)\b[.(]")]
    private static partial Regex IoCall();

    [GeneratedRegex(@"\bProcess\.Start\b|new ProcessStartInfo\b|new Process\b")]
    private static partial Regex ProcessStart();

    [GeneratedRegex(@"\b(I|System)?ProcessRunner\b|\.Runner\.Run")]
    private static partial Regex RunnerUse();

    /// <summary>Task.Delay(delay) or Task.Delay(delay, ct): no TimeProvider among its arguments.</summary>
    [GeneratedRegex(@"\bTask\.Delay\((?:[^,()]|\([^()]*\))*(?:,(?:[^,()]|\([^()]*\))*)?\)")]
    private static partial Regex RawDelay();

    [GeneratedRegex(@",\s*(\w+\.)?(Time|time|clock|_time|_clock)\s*[,)]")]
    private static partial Regex TimeArgument();

    [GeneratedRegex(@"\bDateTime(Offset)?\.(Utc)?Now\b")]
    private static partial Regex WallClock();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();
}
