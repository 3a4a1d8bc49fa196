using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Lifecycle;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Operations;

/// <summary>X-1: a refused join changes nothing on the joiner, and its reason is the first line the operator reads.</summary>
public sealed class JoinRefusalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-refusal-").FullName;
    private readonly RecordingRunner _runner = new() { Answer = line => line.Contains("link show dev") ? new ProcessResult(1, "", "Device does not exist") : null };
    private readonly List<string> _log = [];

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private NodeEnvironment Node(string socket = "/nonexistent.socket", Func<ILxdClient>? lxd = null) =>
        new(new NodeLayout(_root), ToolPaths.FromEnvironment() with { Runner = _runner }, socket, _log.Add, lxd: lxd);

    private static ClusterJoinToken Token(string address = "10.77.0.1:8443", string secret = "s3cret") =>
        new() { ServerName = "node4", Secret = secret, Fingerprint = "ab12", Addresses = [address] };

    private static JoinBundle Bundle(string token, DateTimeOffset expires, string member = "node4") => new()
    {
        Member = member, MeshAddress = "10.77.0.4", MeshCidr = "10.77.0.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0",
        PrivateKey = WireGuardKeyPair.Generate().PrivateKey, Inviter = "node1", ExpiresAt = expires, TokenSha256 = JoinBundleCodec.TokenHash(token),
        Peers = [new BundlePeer { Name = "node1", PublicKey = WireGuardKeyPair.Generate().PublicKey, MeshAddress = "10.77.0.1", Endpoint = "192.0.2.1:51820" }],
    };

    private static JoinRequest Request(ClusterJoinToken token, Func<string, JoinBundle>? bundle = null, Func<string, string>? edit = null)
    {
        var encoded = LxdClient.EncodeJoinToken(token);
        var text = JoinBundleCodec.Encode((bundle ?? (t => Bundle(t, DateTimeOffset.UtcNow.AddHours(1))))(encoded));
        return new JoinRequest(encoded, edit?.Invoke(text) ?? text, "192.0.2.4:51820", Yes: false, DryRun: false);
    }

    private void AssertNothingHere()
    {
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories));
        Assert.Empty(_log); // no progress line before the reason
    }

    public static TheoryData<string, string> InputRefusals => new()
    {
        { "expired", "expired" },
        { "tampered", "checksum" },
        { "foreign", "does not belong" },
        { "other-member", "paste both from the same invite" },
        { "token-outside-mesh", "no cluster address inside the mesh" },
        { "not-a-token", "not an LXD join token" },
    };

    [Theory]
    [MemberData(nameof(InputRefusals))]
    public async Task X1_a_join_refused_for_its_input_creates_no_folder_starts_no_process_and_asks_no_LXD(string kind, string reason)
    {
        var request = kind switch
        {
            "expired" => Request(Token(), t => Bundle(t, DateTimeOffset.UtcNow.AddMinutes(-1))),
            "tampered" => Request(Token(), edit: t => t[..(t.Length / 2)] + (t[t.Length / 2] == 'A' ? 'B' : 'A') + t[(t.Length / 2 + 1)..]),
            "foreign" => Request(Token(), _ => Bundle(LxdClient.EncodeJoinToken(Token(secret: "another")), DateTimeOffset.UtcNow.AddHours(1))),
            "other-member" => Request(Token(), t => Bundle(t, DateTimeOffset.UtcNow.AddHours(1), member: "node5")),
            "token-outside-mesh" => Request(Token(address: "192.0.2.1:8443")),
            _ => Request(Token()) with { Token = "not-a-token" },
        };
        var e = await Assert.ThrowsAsync<InputException>(() =>
            new JoinOperation(Node(lxd: () => throw new InvalidOperationException("LXD was asked"))).RunAsync(request));
        Assert.Contains(reason, e.Message);
        Assert.Single(e.Message.Split('\n'));
        AssertNothingHere();
        Assert.Empty(_runner.Commands);
    }

    [Fact]
    public async Task X1_a_forged_certificate_fingerprint_is_refused_before_Open_vSwitch_starts_and_leaves_nothing()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Snap521);
        var join = new JoinOperation(Node(fake.Socket),
            fetchCertificate: (address, _, _) => throw new CertificateMismatchException($"LXD at {address} does not present the certificate the join token names (fingerprint mismatch)."),
            waitForCluster: (_, _, _, _) => Task.CompletedTask);

        var e = await Assert.ThrowsAsync<InputException>(() => join.RunAsync(Request(Token())));
        Assert.StartsWith("The server at 10.77.0.1:8443 does not present the certificate the join token names", e.Message);
        Assert.EndsWith("(everything this join set up here was removed).", e.Message);
        AssertNothingHere();
        Assert.DoesNotContain(_runner.Commands, c => c.Contains("ovsdb-server") || c.Contains("ovs-vswitchd"));
        Assert.Empty(fake.JoinRequests);
        Assert.Equal("", fake.Config.GetValueOrDefault("core.https_address", ""));
    }

    [Fact]
    public async Task X1_a_spent_invite_refused_by_LXD_stops_what_this_join_started_and_leaves_nothing()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Snap521);
        fake.OperationTime = TimeSpan.FromMilliseconds(50);
        fake.JoinRefusals.Enqueue("Failed to setup cluster trust: Failed to add server cert to cluster: No matching cluster join operation found");
        var join = new JoinOperation(Node(fake.Socket), fetchCertificate: (_, _, _) => Task.FromResult("PEM"), waitForCluster: (_, _, _, _) => Task.CompletedTask);

        var e = await Assert.ThrowsAsync<InputException>(() => join.RunAsync(Request(Token())));
        Assert.StartsWith("LXD refused the join token (", e.Message);
        Assert.Contains("create a new invite with `terrariumctl cluster invite node4`", e.Message);
        Assert.Contains(_runner.Commands, c => c.Contains("ovsdb-server")); // this join started the switch: its files went with it
        AssertNothingHere();
        Assert.Equal("", fake.Config.GetValueOrDefault("core.https_address", "")); // LXD's listen address is back
    }

    [Fact]
    public void X1_the_footprint_removes_only_what_was_created_after_it_was_taken()
    {
        var layout = new NodeLayout(_root);
        Directory.CreateDirectory(layout.JournalDir);
        Directory.CreateDirectory(layout.ConfigDir);
        File.WriteAllText(Path.Join(layout.ConfigDir, "kept.conf"), "from before");
        var footprint = JoinFootprint.Take(layout);

        Directory.CreateDirectory(layout.SecretsDir);
        File.WriteAllText(layout.WireGuardPrivateKey, "key");
        File.WriteAllText(Path.Join(layout.JournalDir, "join.json"), "{}");
        Directory.CreateDirectory(layout.OvsRunDir);
        File.WriteAllText(Path.Join(layout.OvsRunDir, "ovsdb-server.pid"), "1");

        footprint.RemoveCreated(switchStarted: false);
        Assert.False(Directory.Exists(layout.SecretsDir));
        Assert.True(Directory.Exists(layout.JournalDir)); // there before: an earlier run's, kept
        Assert.Empty(Directory.EnumerateFileSystemEntries(layout.JournalDir));
        Assert.Equal("from before", File.ReadAllText(Path.Join(layout.ConfigDir, "kept.conf")));
        Assert.True(File.Exists(Path.Join(layout.OvsRunDir, "ovsdb-server.pid"))); // a switch this join did not start is not its own

        footprint.RemoveCreated(switchStarted: true);
        Assert.False(Directory.Exists(Path.GetDirectoryName(layout.OvsRunDir)));
    }

    [Fact]
    public void X1_held_progress_lines_are_dropped_on_a_refusal_and_printed_in_order_otherwise()
    {
        var printed = new List<string>();
        var log = new HeldLog(printed.Add);
        log.Write("before");
        log.Hold();
        log.Write("held");
        log.Drop();
        log.Release();
        Assert.Equal(["before"], printed);
        log.Hold();
        log.Write("a");
        log.Write("b");
        Assert.Equal(["before"], printed);
        log.Release();
        log.Write("c");
        Assert.Equal(["before", "a", "b", "c"], printed);
    }
}
