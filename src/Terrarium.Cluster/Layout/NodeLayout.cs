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
    /// <summary>Each route host's certificate and key (HOST-HASH.crt, HOST-HASH.key; 0600), written by the agent from the shared configuration.</summary>
    public string TlsDir => Under("/etc/terrarium/tls");
    public string WireGuardPrivateKey => Path.Join(SecretsDir, "wireguard.key");
    public string PendingWireGuardPrivateKey => Path.Join(SecretsDir, "wireguard.key.next");
    public string NodeIdentityFile => Path.Join(ConfigDir, "node.json");
    /// <summary>Held while a convergence pass changes this host (agent, reconfigure, lifecycle commands).</summary>
    public string ConvergeLockFile => Under("/run/terrarium/converge.lock");
    /// <summary>Held while OVN is converged (agent, commands): OVN's slow daemon calls never hold up the mesh and firewall.</summary>
    public string OvnLockFile => Under("/run/terrarium/ovn.lock");
    /// <summary>Held only around changes to the mesh interface (create, peers, delete): the agent's heal takes it alone,
    /// so that a pass waiting on LXD under the converge lock never delays bringing the mesh back.</summary>
    public string MeshLockFile => Under("/run/terrarium/mesh.lock");
    /// <summary>Where init/join write a unit (/etc/systemd/system), unless the package ships it (/lib/systemd/system).</summary>
    public string UnitFile(string unit) => Under($"/etc/systemd/system/{unit}");
    public string PackagedUnitFile(string unit) => Under($"/lib/systemd/system/{unit}");
    public string AgentUnitFile => UnitFile("terrarium-agent.service");
    public string MeshUnitFile => UnitFile("terrarium-mesh.service");

    // OVN (SPEC §5). Runtime folders are the Debian packages' defaults under the root, because LXD 5.0 runs
    // ovs-vsctl with its defaults and reads its OVN client certificate from /etc/ovn.
    public string OvsRunDir => Under("/run/openvswitch");
    public string OvsDbDir => Under("/etc/openvswitch");
    public string OvnRunDir => Under("/run/ovn");
    public string OvnDbDir => Under("/var/lib/ovn");
    public string OvnLogDir => Under("/var/log/terrarium");
    public string OvnPrivateKey => Path.Join(SecretsDir, "ovn.key");
    public string OvnCaPrivateKey => Path.Join(SecretsDir, "ovn-ca.key");
    public string OvnDir => Path.Join(ConfigDir, "ovn");
    public string OvnCertificate => Path.Join(OvnDir, "cert.pem");
    public string OvnCaCertificate => Path.Join(OvnDir, "ca.pem");
    public string OvnRequest => Path.Join(OvnDir, "request.pem");
    public string LxdOvnDir => Under("/etc/ovn");
}
