using System.Security.Cryptography;
using System.Text;

namespace Terrarium.Cluster.Placement;

/// <summary>
/// What a pre-copy move writes on its temporary copy, so that a re-run on any member knows what the copy is and
/// finishes the move: the instance it stands in for, whether that one ran, and the identity the copy must take at
/// the swap (LXD gives a copy new <c>volatile.*</c> keys, and refuses a second NIC with a MAC that is in use, so they
/// can only be set once the source is gone). They live in LXD's database, beside the copy, and are removed last.
/// </summary>
public static class PreCopyMarkers
{
    public const string Prefix = "user.terrarium.move.";
    public const string Of = Prefix + "of";
    public const string Running = Prefix + "running";
    /// <summary><c>user.terrarium.move.keep.eth0.hwaddr</c> holds the source's <c>volatile.eth0.hwaddr</c>.</summary>
    public const string Keep = Prefix + "keep.";
    /// <summary><c>user.terrarium.move.ovn.eth0</c> holds the source's address on that OVN NIC.</summary>
    public const string Ovn = Prefix + "ovn.";

    /// <summary>
    /// The copy's name: readable, a valid instance name (at most 63 characters), and the same on every member and every
    /// run, so a re-run finds it.
    /// </summary>
    public static string CopyName(string name)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        var stem = name.Length > 45 ? name[..45].TrimEnd('-') : name;
        return $"{stem}-move-{hash}";
    }

    /// <summary>
    /// The volatile keys that make the instance the same one to everything around it: each NIC's MAC (DHCP leases,
    /// neighbour tables), cloud-init's instance id (a new one re-runs first-boot modules), and the evacuation origin.
    /// </summary>
    public static bool IsKept(string key) =>
        key is "volatile.cloud-init.instance-id" or "volatile.evacuate.origin" ||
        (key.StartsWith("volatile.", StringComparison.Ordinal) && key.EndsWith(".hwaddr", StringComparison.Ordinal) && key.Count(c => c == '.') == 2);

    /// <summary>The markers a copy of <paramref name="sourceConfig"/> is created with.</summary>
    /// <param name="ovnAddresses">The source's address per NIC on an OVN network (device name → IPv4).</param>
    public static Dictionary<string, string> For(string name, bool running, IReadOnlyDictionary<string, string> sourceConfig,
        IReadOnlyDictionary<string, string> ovnAddresses)
    {
        var markers = new Dictionary<string, string> { [Of] = name, [Running] = running ? "true" : "false" };
        foreach (var (key, value) in sourceConfig)
            if (IsKept(key) && value.Length > 0) markers[Keep + key["volatile.".Length..]] = value;
        foreach (var (device, address) in ovnAddresses) markers[Ovn + device] = address;
        return markers;
    }

    public static bool IsMarker(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The volatile keys to set on the copy once the source is gone.</summary>
    public static Dictionary<string, string> KeptVolatile(IReadOnlyDictionary<string, string> config) =>
        config.Where(kv => kv.Key.StartsWith(Keep, StringComparison.Ordinal))
            .ToDictionary(kv => "volatile." + kv.Key[Keep.Length..], kv => kv.Value);

    /// <summary>The OVN address to keep, per NIC.</summary>
    public static Dictionary<string, string> OvnAddresses(IReadOnlyDictionary<string, string> config) =>
        config.Where(kv => kv.Key.StartsWith(Ovn, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[Ovn.Length..], kv => kv.Value);

    /// <summary>True when every kept volatile key already has its value.</summary>
    public static bool Pinned(IReadOnlyDictionary<string, string> config) =>
        KeptVolatile(config).All(kv => config.GetValueOrDefault(kv.Key) == kv.Value);

    /// <summary>A PATCH that removes every marker (LXD drops a key set to an empty value).</summary>
    public static Dictionary<string, string> Cleared(IReadOnlyDictionary<string, string> config) =>
        config.Keys.Where(IsMarker).ToDictionary(k => k, _ => "");

    /// <summary>
    /// The config a copy is created with, or brought back to at the final sync: the source's own keys without its
    /// volatile ones but the base image (as LXD's own copy: shared.InstanceIncludeWhenCopying) and without markers of an earlier
    /// move, plus this move's markers.
    /// </summary>
    public static Dictionary<string, string> CopyConfig(IReadOnlyDictionary<string, string> sourceConfig, IReadOnlyDictionary<string, string> markers)
    {
        var config = sourceConfig.Where(kv => (kv.Key == "volatile.base_image" || !kv.Key.StartsWith("volatile.", StringComparison.Ordinal)) && !IsMarker(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in markers) config[key] = value;
        return config;
    }
}
