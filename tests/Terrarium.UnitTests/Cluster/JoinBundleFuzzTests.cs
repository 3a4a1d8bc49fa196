using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

/// <summary>
/// Thousands of mutated tokens and bundles (truncated, flipped, spliced, re-signed with a recomputed
/// checksum, fields swapped between invites) go through the join's validation. Each one is either refused with an
/// InputException (exit 2, before anything changes) or is a bundle whose every field is valid; nothing else escapes.
/// </summary>
public class JoinBundleFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);
    private const string TokenA = "eyJzZXJ2ZXJfbmFtZSI6Im5vZGUyIn0=";
    private const string TokenB = "eyJzZXJ2ZXJfbmFtZSI6Im5vZGUzIn0=";

    private static JoinBundle Valid(string member, string address, string token) => new()
    {
        Member = member, MeshAddress = address, MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0",
        PrivateKey = WireGuardKeyPair.Generate().PrivateKey, Inviter = "node1",
        Peers = [new BundlePeer { Name = "node1", PublicKey = WireGuardKeyPair.Generate().PublicKey, MeshAddress = "10.255.54.1", Endpoint = "10.0.0.11:51820" }],
        MemberConfig = [new BundleMemberConfig { Entity = "storage-pool", Name = "default", Key = "source" }],
        ExpiresAt = Now.AddHours(1), TokenSha256 = JoinBundleCodec.TokenHash(token),
    };

    [Fact]
    public void X1_valid_bundles_pass_every_check()
    {
        var text = JoinBundleCodec.Encode(Valid("node2", "10.255.54.2", TokenA));
        JoinBundleValidator.Validate(JoinBundleCodec.Decode(text, TokenA, Now));
    }

    [Fact]
    public void I9_mutated_bundles_are_refused_with_one_sentence_or_are_fully_valid()
    {
        var random = new Random(20261125);
        var a = JoinBundleCodec.Encode(Valid("node2", "10.255.54.2", TokenA));
        var b = JoinBundleCodec.Encode(Valid("node3", "10.255.54.3", TokenB));
        var refused = 0;
        for (var i = 0; i < 5000; i++)
        {
            var (text, token) = Mutate(random, a, b);
            try
            {
                var bundle = JoinBundleCodec.Decode(text, token, Now);
                var mesh = JoinBundleValidator.Validate(bundle);
                // What got through must be usable as it is.
                Assert.Equal(bundle.Interface, mesh.Interface);
                Assert.True(mesh.Contains(System.Net.IPAddress.Parse(bundle.MeshAddress)));
            }
            catch (InputException e)
            {
                refused++;
                Assert.DoesNotContain('\n', e.Message);
                Assert.EndsWith(".", e.Message.TrimEnd('`', ' ', ')'));
            }
        }
        Assert.True(refused > 4000, $"only {refused} of 5000 mutations were refused");
    }

    [Theory]
    [InlineData("interface", "eth0")]
    [InlineData("interface", "../../etc/cron.d/x")]
    [InlineData("mesh_address", "10.255.55.9")]
    [InlineData("mesh_address", "10.255.54.0")]
    [InlineData("mesh_address", "10.255.54.255")]
    [InlineData("member", "Node_2")]
    [InlineData("private_key", "not-a-key")]
    [InlineData("mesh_cidr", "0.0.0.0/0")]
    [InlineData("mtu", 100)]
    [InlineData("port", 0)]
    [InlineData("inviter", "nobody")]
    public void I9_a_resigned_bundle_with_a_hostile_field_is_refused(string field, object value)
    {
        var json = Payload(JoinBundleCodec.Encode(Valid("node2", "10.255.54.2", TokenA)));
        json[field] = value is int n ? JsonValue.Create(n) : JsonValue.Create((string)value);
        Assert.Throws<InputException>(() => JoinBundleValidator.Validate(JoinBundleCodec.Decode(Resign(json), TokenA, Now)));
    }

    [Theory]
    [InlineData("public_key", "AAAA")]
    [InlineData("mesh_address", "10.255.54.2")]
    [InlineData("endpoint", "300.1.1.1:51820")]
    [InlineData("endpoint", "127.0.0.1:51820")]
    [InlineData("name", "node2")]
    public void I9_a_resigned_bundle_with_a_hostile_peer_is_refused(string field, string value)
    {
        var json = Payload(JoinBundleCodec.Encode(Valid("node2", "10.255.54.2", TokenA)));
        json["peers"]![0]![field] = value;
        Assert.Throws<InputException>(() => JoinBundleValidator.Validate(JoinBundleCodec.Decode(Resign(json), TokenA, Now)));
    }

    [Fact]
    public void I9_swapping_tokens_between_invites_is_refused()
    {
        var a = JoinBundleCodec.Encode(Valid("node2", "10.255.54.2", TokenA));
        Assert.Throws<InputException>(() => JoinBundleCodec.Decode(a, TokenB, Now));
    }

    private static (string Text, string Token) Mutate(Random r, string a, string b)
    {
        var token = r.Next(10) == 0 ? TokenB : TokenA;
        switch (r.Next(7))
        {
            case 0: return (a[..r.Next(a.Length)], token); // truncated paste
            case 1:
            {
                var chars = a.ToCharArray();
                chars[r.Next(chars.Length)] = (char)r.Next(33, 127);
                return (new string(chars), token); // a typo
            }
            case 2:
            {
                var cut = r.Next(1, Math.Min(a.Length, b.Length));
                return (a[..cut] + b[cut..], token); // spliced from two invites
            }
            case 3: return (b, TokenA); // another invite's bundle with this token
            case 4:
            {
                var bytes = Encoding.UTF8.GetBytes(Payload(a).ToJsonString());
                bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
                return (ResignRaw(bytes), token); // payload edited and the checksum recomputed
            }
            case 5:
            {
                var json = Payload(a);
                var fields = new[] { "member", "mesh_address", "mesh_cidr", "port", "mtu", "interface", "private_key", "inviter", "expires_at", "token_sha256" };
                var other = Payload(b);
                var f = fields[r.Next(fields.Length)];
                json[f] = r.Next(2) == 0 ? other[f]?.DeepClone() : JsonValue.Create(r.Next(2) == 0 ? "" : new string('x', r.Next(1, 300)));
                return (Resign(json), token); // fields swapped between invites or replaced
            }
            default:
            {
                var json = Payload(a);
                json["peers"]![0]![new[] { "name", "public_key", "mesh_address", "endpoint" }[r.Next(4)]] = new string((char)r.Next(33, 127), r.Next(0, 50));
                return (Resign(json), token);
            }
        }
    }

    private static JsonObject Payload(string text) =>
        JsonNode.Parse(Convert.FromBase64String(Pad(text.Split('.')[1].Replace('-', '+').Replace('_', '/'))))!.AsObject();

    private static string Pad(string s) => s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');

    private static string Resign(JsonObject json) => ResignRaw(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string ResignRaw(byte[] payloadJson)
    {
        var payload = Convert.ToBase64String(payloadJson).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var check = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes($"trm1.{payload}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..12];
        return $"trm1.{payload}.{check}";
    }
}
