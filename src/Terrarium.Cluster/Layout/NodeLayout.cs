namespace Terrarium.Cluster.Layout;

/// <summary>
/// Every host path Terrarium touches (SPEC §10), hung off one root so that several nodes can share a
/// machine (the lab gives each node its own root).
/// </summary>
public sealed record NodeLayout(string Root)
{
    public static NodeLayout Default { get; } = new("/");

    public string Under(string absolute) => Path.Join(Root, absolute.TrimStart('/'));

    public string ConfigDir => Under("/etc/terrarium");
    public string SecretsDir => Under("/etc/terrarium/secrets");
    public string StateDir => Under("/var/lib/terrarium");
    public string JournalDir => Under("/var/lib/terrarium/journal");
    public string WireGuardConfig(string iface) => Under($"/etc/wireguard/{iface}.conf");
    public string NftablesFile => Under("/etc/terrarium/nftables.conf");
    public string TraefikDynamicFile => Under("/etc/traefik/dynamic/terrarium-cluster.yml");
    public string WireGuardPrivateKey => Path.Join(SecretsDir, "wireguard.key");
    public string PendingWireGuardPrivateKey => Path.Join(SecretsDir, "wireguard.key.next");
    public string NodeIdentityFile => Path.Join(ConfigDir, "node.json");
    public string AgentUnitFile => Under("/etc/systemd/system/terrarium-agent.service");
}
