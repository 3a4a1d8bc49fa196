using Terrarium.Cluster.Tls;
using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class TlsInputTests
{
    [Theory]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory")]
    [InlineData("https://10.253.0.1:14000/dir")]
    public void An_https_directory_is_taken(string url) => Assert.Equal(url, TlsInput.DirectoryUrl(url).AbsoluteUri);

    [Theory]
    [InlineData("", "is not a URL")]
    [InlineData("http://acme.example.com/dir", "must be an https:// URL")]
    [InlineData("ftp://acme.example.com/dir", "must be an https:// URL")]
    [InlineData("acme.example.com/dir", "must be an https:// URL")]
    [InlineData("/directory", "must be an https:// URL")]
    [InlineData("https://user:secret@acme.example.com/dir", "user name, password")]
    [InlineData("https://acme.example.com/dir#x", "#fragment")]
    [InlineData("https://acme.example.com/a b", "is not a URL")]
    [InlineData("https://acme.example.com/\u001b[31m", "is not a URL")]
    [InlineData("https://acme.example.com/\n", "is not a URL")]
    [InlineData("javascript:alert(1)", "must be an https:// URL")]
    public void A_bad_directory_is_one_sentence_that_names_the_flag(string url, string why)
    {
        var e = Assert.Throws<InputException>(() => TlsInput.DirectoryUrl(url));
        Assert.StartsWith("--acme-directory ", e.Message);
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain("\u001b", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void A_very_long_directory_is_refused() =>
        Assert.Throws<InputException>(() => TlsInput.DirectoryUrl("https://a.example.com/" + new string('a', TlsInput.MaxDirectory)));

    [Theory]
    [InlineData("ops@example.com")]
    [InlineData("first.last+tls@sub.example.co.uk")]
    public void A_plain_address_is_taken(string email) => Assert.Equal(email, TlsInput.Email(email));

    [Theory]
    [InlineData("")]
    [InlineData("ops")]
    [InlineData("ops@")]
    [InlineData("@example.com")]
    [InlineData("ops@localhost")]
    [InlineData("ops@example.com,evil@example.com")]
    [InlineData("ops@example.com\r\nBcc: x@y.z")]
    [InlineData("mailto:ops@example.com")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("ops@[10.0.0.1]")]
    [InlineData("ops @example.com")]
    [InlineData("ops@exa_mple.com")]
    [InlineData("ops..x@example.com")]
    [InlineData("ops@-example.com")]
    public void A_bad_address_is_refused_in_one_line(string email)
    {
        var e = Assert.Throws<InputException>(() => TlsInput.Email(email));
        Assert.StartsWith("--email ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void A_ca_root_must_hold_a_certificate()
    {
        Assert.Contains("cannot be read", Assert.Throws<InputException>(() => TlsInput.CaRoot("/nope.pem", null, _ => 1)).Message);
        Assert.Contains("holds no PEM certificate", Assert.Throws<InputException>(() => TlsInput.CaRoot("/x.pem", "hello", _ => 0)).Message);
        Assert.Contains("holds no PEM certificate", Assert.Throws<InputException>(() =>
            TlsInput.CaRoot("/x.pem", "junk", _ => throw new System.Security.Cryptography.CryptographicException("bad"))).Message);
        Assert.Equal("pem", TlsInput.CaRoot("/x.pem", "pem", _ => 1));
    }
}
