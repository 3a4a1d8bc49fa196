using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class JoinBundleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);
    private const string Token = "eyJzZXJ2ZXJfbmFtZSI6Im5vZGUyIn0=";

    private static JoinBundle Sample() => new()
    {
        Member = "node2", MeshAddress = "10.255.54.2", MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420,
        Interface = "terrarium-wg0", PrivateKey = "cHJpdmF0ZQ==", Inviter = "node1",
        Peers = [new BundlePeer { Name = "node1", PublicKey = "K1", MeshAddress = "10.255.54.1", Endpoint = "10.0.0.11:51820" }],
        ExpiresAt = Now.AddHours(1), TokenSha256 = JoinBundleCodec.TokenHash(Token),
    };

    [Fact]
    public void Round_trips()
    {
        var text = JoinBundleCodec.Encode(Sample());
        Assert.StartsWith("trm1.", text);
        var back = JoinBundleCodec.Decode(text, Token, Now);
        Assert.Equal("node2", back.Member);
        Assert.Equal("10.0.0.11:51820", Assert.Single(back.Peers).Endpoint);
    }

    [Fact]
    public void X1_a_typo_is_caught_by_the_checksum()
    {
        var text = JoinBundleCodec.Encode(Sample());
        var i = text.Length / 2;
        var typo = text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
        Assert.Contains("checksum", Assert.Throws<InputException>(() => JoinBundleCodec.Decode(typo, Token, Now)).Message);
    }

    [Fact]
    public void X1_a_truncated_paste_is_caught()
    {
        var text = JoinBundleCodec.Encode(Sample());
        Assert.Contains("truncated", Assert.Throws<InputException>(() => JoinBundleCodec.Decode(text[..^5], Token, Now)).Message);
        Assert.Contains("truncated", Assert.Throws<InputException>(() => JoinBundleCodec.Decode(text[..(text.Length / 2)], Token, Now)).Message);
    }

    [Fact]
    public void X1_a_bundle_only_joins_with_its_own_token()
    {
        var text = JoinBundleCodec.Encode(Sample());
        Assert.Contains("does not belong", Assert.Throws<InputException>(() => JoinBundleCodec.Decode(text, Token + "x", Now)).Message);
    }

    [Fact]
    public void X1_an_expired_bundle_is_refused()
    {
        var text = JoinBundleCodec.Encode(Sample());
        Assert.Contains("expired", Assert.Throws<InputException>(() => JoinBundleCodec.Decode(text, Token, Now.AddHours(2))).Message);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("trm9.abc.def")]
    public void X1_foreign_or_future_text_is_refused(string text) => Assert.Throws<InputException>(() => JoinBundleCodec.Decode(text, Token, Now));

    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("1h", 3600)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("10s", 10)]
    [InlineData("1.5h", 5400)]
    public void Invite_durations(string text, int seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.InviteLifetime(text));

    [Theory]
    [InlineData("1 hour")]
    [InlineData("0s")]
    [InlineData("30d")]
    [InlineData("9s")]
    [InlineData("-1h")]
    [InlineData("1e3s")]
    [InlineData("NaNs")]
    [InlineData("1h30m")]
    [InlineData("")]
    [InlineData("1H")]
    public void X1_bad_durations(string text) => Assert.Throws<InputException>(() => Duration.InviteLifetime(text));

    [Fact]
    public void X1_a_duration_error_names_the_option_and_its_range() =>
        Assert.Equal("--resync-interval '2d' must be between 1s and 1d.",
            Assert.Throws<InputException>(() => Duration.Parse("2d", "--resync-interval", TimeSpan.FromSeconds(1), TimeSpan.FromHours(24))).Message);
}
