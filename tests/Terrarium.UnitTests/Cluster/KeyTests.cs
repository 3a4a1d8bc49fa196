using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class KeyTests
{
    [Theory] // RFC 7748 section 6.1 (Alice and Bob)
    [InlineData("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")]
    [InlineData("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")]
    public void M6_public_key_matches_rfc7748(string privateHex, string publicHex)
    {
        var pair = WireGuardKeyPair.FromPrivate(Convert.ToBase64String(Convert.FromHexString(privateHex)));
        Assert.Equal(publicHex, Convert.ToHexStringLower(Convert.FromBase64String(pair.PublicKey)));
    }

    [Fact]
    public void M6_generated_keys_are_clamped_like_wg_genkey()
    {
        var raw = Convert.FromBase64String(WireGuardKeyPair.Generate().PrivateKey);
        Assert.Equal(0, raw[0] & 7);
        Assert.Equal(64, raw[31] & 192);
    }

    [Fact]
    public void X4_generated_keys_are_distinct_and_never_printed()
    {
        var a = WireGuardKeyPair.Generate();
        var b = WireGuardKeyPair.Generate();
        Assert.NotEqual(a.PrivateKey, b.PrivateKey);
        Assert.Equal(a.PublicKey, WireGuardKeyPair.FromPrivate(a.PrivateKey).PublicKey);
        Assert.DoesNotContain(a.PrivateKey, a.ToString());
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void X1_malformed_keys_are_refused(string text) => Assert.Throws<InputException>(() => WireGuardKeyPair.FromPrivate(text));
}
