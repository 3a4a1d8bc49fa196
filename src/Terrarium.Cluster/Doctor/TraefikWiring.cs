namespace Terrarium.Cluster.Doctor;

/// <summary>What Traefik's static configuration says about the two things Terrarium's routes need (T-4).</summary>
public sealed record TraefikWiring(string Source, bool WatchesRoutes, bool HasWebEntryPoint, string? WatchedPath)
{
    /// <summary>The static configuration has a `websecure` entry point (the HTTPS routers of route certificates use it).</summary>
    public bool HasSecureEntryPoint { get; init; }

    /// <summary>Terrarium's file on this member has HTTPS routers (the cluster has an ACME account: docs/routes.md).</summary>
    public bool ServesHttps { get; init; }

    public bool Ok => WatchesRoutes && HasWebEntryPoint && (!ServesHttps || HasSecureEntryPoint);

    /// <summary>
    /// Reads Traefik's static configuration from a traefik.yml/.toml text and/or the flags of a running traefik
    /// (traefik/traefik pkg/config/static: providers.file.directory|filename, entryPoints.NAME.address; flag and
    /// key names are case-insensitive). <paramref name="routesFile"/> is the file Terrarium writes.
    /// </summary>
    public static TraefikWiring Analyze(string source, string? fileText, bool toml, IReadOnlyList<string> flags, string routesFile, bool servesHttps = false)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (fileText is not null)
            foreach (var (k, v) in toml ? Toml(fileText) : Yaml(fileText)) settings[k] = v;
        foreach (var flag in flags.Where(f => f.StartsWith("--", StringComparison.Ordinal)))
        {
            var eq = flag.IndexOf('=');
            settings[eq < 0 ? flag[2..] : flag[2..eq]] = eq < 0 ? "true" : flag[(eq + 1)..];
        }
        var directory = settings.GetValueOrDefault("providers.file.directory");
        var filename = settings.GetValueOrDefault("providers.file.filename");
        var watched = directory ?? filename;
        var routesDir = Path.GetDirectoryName(routesFile)!;
        var watches = (directory is not null && SamePath(directory, routesDir)) || (filename is not null && SamePath(filename, routesFile));
        var web = settings.Keys.Any(k => k.Equals("entryPoints.web.address", StringComparison.OrdinalIgnoreCase));
        var secure = settings.Keys.Any(k => k.Equals($"entryPoints.{Routes.TraefikConfigRenderer.SecureEntryPoint}.address", StringComparison.OrdinalIgnoreCase));
        return new TraefikWiring(source, watches, web, watched) { HasSecureEntryPoint = secure, ServesHttps = servesHttps };
    }

    /// <summary>The static configuration lines to add (YAML) for what is missing.</summary>
    public IReadOnlyList<string> Missing(string routesFile)
    {
        var lines = new List<string>();
        if (!HasWebEntryPoint || MissesSecure) lines.Add("entryPoints:");
        if (!HasWebEntryPoint) lines.AddRange(["  web:", "    address: \":80\""]);
        if (MissesSecure) lines.AddRange(["  websecure:", "    address: \":443\""]);
        if (!WatchesRoutes) lines.AddRange(["providers:", "  file:", $"    directory: {Path.GetDirectoryName(routesFile)}", "    watch: true"]);
        return lines;
    }

    /// <summary>The same as one line of YAML flow mappings, for a one-line fix.</summary>
    public string MissingOneLine(string routesFile) => string.Join("; ", new[]
    {
        HasWebEntryPoint ? null : "entryPoints: {web: {address: \":80\"}}",
        MissesSecure ? "entryPoints: {websecure: {address: \":443\"}}" : null,
        WatchesRoutes ? null : $"providers: {{file: {{directory: {Path.GetDirectoryName(routesFile)}, watch: true}}}}",
    }.OfType<string>());

    private bool MissesSecure => ServesHttps && !HasSecureEntryPoint;

    private static bool SamePath(string a, string b) => Path.TrimEndingDirectorySeparator(a.Trim().Trim('"', '\'')) == Path.TrimEndingDirectorySeparator(b);

    /// <summary>Flattens the block-style YAML subset Traefik configs use ("a:\n  b: c" becomes a.b = c).</summary>
    public static IEnumerable<(string Key, string Value)> Yaml(string text)
    {
        var stack = new List<(int Indent, string Key)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).TrimEnd();
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('-')) continue;
            var indent = line.Length - line.TrimStart().Length;
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line[..colon].Trim().Trim('"', '\'');
            var value = line[(colon + 1)..].Trim().Trim('"', '\'');
            while (stack.Count > 0 && stack[^1].Indent >= indent) stack.RemoveAt(stack.Count - 1);
            var path = string.Join('.', stack.Select(s => s.Key).Append(key));
            if (value.Length == 0) stack.Add((indent, key));
            else yield return (path, value);
        }
    }

    /// <summary>Flattens TOML tables and key = value pairs ("[providers.file]\ndirectory = ..." becomes providers.file.directory).</summary>
    public static IEnumerable<(string Key, string Value)> Toml(string text)
    {
        var table = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).Trim();
            if (line.StartsWith('[') && line.EndsWith(']')) { table = line.Trim('[', ']').Trim(); continue; }
            var eq = line.IndexOf('=');
            if (eq < 0) continue;
            var key = line[..eq].Trim().Trim('"');
            yield return (table.Length > 0 ? $"{table}.{key}" : key, line[(eq + 1)..].Trim().Trim('"', '\''));
        }
    }

    private static string StripComment(string line)
    {
        var hash = line.IndexOf(" #", StringComparison.Ordinal);
        return line.TrimStart().StartsWith('#') ? "" : hash >= 0 ? line[..hash] : line;
    }
}
