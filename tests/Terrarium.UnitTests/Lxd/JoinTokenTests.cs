using System.Text;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.UnitTests.Lxd;

public class JoinTokenTests
{
    [Fact]
    public void Encodes_like_lxc_and_round_trips()
    {
        var token = new ClusterJoinToken
        {
            ServerName = "node2", Secret = "s3cret", Fingerprint = "ab12", Addresses = ["10.255.54.1:8443"],
        };
        var encoded = LxdClient.EncodeJoinToken(token);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        Assert.Contains("\"server_name\":\"node2\"", json);
        var decoded = LxdClient.DecodeJoinToken(encoded);
        Assert.NotNull(decoded);
        Assert.Equal("node2", decoded.ServerName);
        Assert.Equal(["10.255.54.1:8443"], decoded.Addresses);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("eyJzZXJ2ZXJfbmFtZSI6Im5vZGUyIn0=")] // {"server_name":"node2"}: no secret
    public void Malformed_tokens_decode_to_null(string encoded) => Assert.Null(LxdClient.DecodeJoinToken(encoded));
}
