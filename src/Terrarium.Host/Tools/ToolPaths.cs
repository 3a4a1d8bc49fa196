namespace Terrarium.Host.Tools;

/// <summary>Every external binary Terrarium runs, overridable by environment (SPEC §10).</summary>
public sealed record ToolPaths(string Ip, string Wg, string WireGuardGo, string Nft, string Ufw)
{
    public static ToolPaths FromEnvironment() => new(
        Env("TERRARIUM_IP", "ip"),
        Env("TERRARIUM_WG", "wg"),
        Env("TERRARIUM_WIREGUARD_GO", "wireguard-go"),
        Env("TERRARIUM_NFT", "nft"),
        Env("TERRARIUM_UFW", "ufw"));

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
