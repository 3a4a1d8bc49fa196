using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;

namespace Terrarium.UnitTests.Cluster;

public class RouteGrammarTests
{
    private const string Key = "user.terrarium.route.web";
    private const string Forged = "\n2026-12-07T06:59:59.000Z routes updated (forged)";
    private static readonly string Host253 = $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 61)}";

    private static (List<RouteDeclaration> Routes, List<RouteRefusal> Refused) Read(string value, string key = Key, string project = "default") =>
        RouteDeclaration.Read(InstanceRef.Of(project, "c1"), new Dictionary<string, string> { [key] = value });

    [Theory]
    [InlineData("app.example.com:80", "app.example.com", "/", 80)]
    [InlineData("APP.Example.COM/Api:8080", "app.example.com", "/Api", 8080)] // host folded to lower case, path as written
    [InlineData("app.example.com/:80", "app.example.com", "/", 80)]
    [InlineData("app.example.com/api/:80", "app.example.com", "/api/", 80)] // a trailing slash is kept: Traefik's prefix differs
    [InlineData("*.example.com:443", "*.example.com", "/", 443)]
    [InlineData("xn--exmple-cua.com:80", "xn--exmple-cua.com", "/", 80)] // punycode is plain ASCII
    [InlineData("localhost:80", "localhost", "/", 80)]
    [InlineData("a-1.example.com/.well-known/x_y~z:65535", "a-1.example.com", "/.well-known/x_y~z", 65535)]
    [InlineData("app.example.com:080", "app.example.com", "/", 80)] // leading zeros read as written: still digits only
    [InlineData("app.example.com:1", "app.example.com", "/", 1)]
    public void Accepted_values_parse_to_host_path_and_port(string value, string host, string path, int port)
    {
        var (routes, refused) = Read(value);
        Assert.Empty(refused);
        var r = Assert.Single(routes);
        Assert.Equal((host, path, port), (r.Host, r.PathPrefix, r.Port));
    }

    [Fact]
    public void A_253_character_host_is_accepted_and_254_is_not()
    {
        Assert.Equal(253, Host253.Length);
        Assert.Equal(Host253, Assert.Single(Read($"{Host253}:80").Routes).Host);
        Assert.Contains("longer than 253", Assert.Single(Read($"x{Host253}:80").Refused).Reason);
    }

    [Theory]
    [InlineData("10.252.0.12:80", "IP address")]
    [InlineData("10.0.0.1:80", "IP address")]
    [InlineData("1.2.3.4.5:80", "IP address")] // an all-numeric last label reads as an address
    [InlineData("app.10:80", "IP address")]
    [InlineData("0x7f000001:80", "IP address")]
    [InlineData("*.10.0.0.1:80", "IP address")]
    [InlineData("[::1]:80", "IP address")]
    [InlineData("::1:80", "IP address")]
    [InlineData("app.example.com:80:90", "one :PORT")]
    [InlineData("exämple.com:80", "non-ASCII")]
    [InlineData("app.exаmple.com:80", "non-ASCII")] // a Cyrillic 'а'
    [InlineData("-app.example.com:80", "starts or ends with '-'")]
    [InlineData("app-.example.com:80", "starts or ends with '-'")]
    [InlineData("app..example.com:80", "empty label")]
    [InlineData("app.example.com.:80", "empty label")]
    [InlineData("app_x.example.com:80", "only letters")]
    [InlineData("a.*.example.com:80", "only letters")]
    [InlineData(":80", "host is empty")]
    [InlineData("/api:80", "host is empty")]
    [InlineData("app.example.com/..:80", "'..' segment")]
    [InlineData("app.example.com/../etc:80", "'..' segment")]
    [InlineData("app.example.com/a/./b:80", "'..' segment")]
    [InlineData("app.example.com//x:80", "'//'")]
    [InlineData("app.example.com/a//b:80", "'//'")]
    [InlineData("app.example.com/%2e%2e/etc:80", "%-encoding")]
    [InlineData("app.example.com/%2F:80", "%-encoding")]
    [InlineData("app.example.com/a\\b:80", "backslash")]
    [InlineData("app.example.com/a;b:80", "only letters, digits and")]
    [InlineData("app.example.com/`x`:80", "backtick")]
    [InlineData("app.example.com`) || Host(`x:80", "backtick")]
    [InlineData("app.example.com/\"x:80", "quote")]
    [InlineData("app.example.com/'x:80", "quote")]
    [InlineData("app.example.com/a b:80", "whitespace")]
    [InlineData(" app.example.com:80", "whitespace")]
    [InlineData("app.example.com:80\n", "control character")]
    [InlineData("app.example.com\0:80", "control character")]
    [InlineData("app.example.com:80\u0085", "control character")]
    [InlineData("app.example.com:0", "port")]
    [InlineData("app.example.com:65536", "port")]
    [InlineData("app.example.com:99999", "port")]
    [InlineData("app.example.com:+80", "port")]
    [InlineData("app.example.com:-1", "port")]
    [InlineData("app.example.com:000080", "port")]
    [InlineData("app.example.com:8O", "port")]
    [InlineData("app.example.com:80/api", "port")]
    [InlineData("app.example.com:", "port")]
    [InlineData("app.example.com", "no :PORT")]
    [InlineData("http://app.example.com:80", "scheme")]
    [InlineData("", "empty")]
    public void Refused_values_say_why_in_one_sentence_that_quotes_them_safely(string value, string why)
    {
        var (routes, refused) = Read(value);
        Assert.Empty(routes);
        var r = Assert.Single(refused);
        Assert.False(r.IsBadName);
        Assert.Contains(why, r.Reason);
        OneSentence(r.ToString());
        Assert.Contains("HOST[/PATH]:PORT", r.ToString());
    }

    [Fact]
    public void A_64_character_label_is_refused()
    {
        var r = Assert.Single(Read($"{new string('a', 64)}.example.com:80").Refused);
        Assert.Contains("longer than 63", r.Reason);
    }

    [Theory]
    [InlineData("Web")]
    [InlineData("")]
    [InlineData("-web")]
    [InlineData("_web")]
    [InlineData("we.b")]
    [InlineData("we b")]
    [InlineData("web\n2026-12-07T06:59:59.000Z routes updated (forged)")]
    [InlineData("wéb")]
    public void A_bad_name_is_reported_as_a_bad_name_not_as_a_bad_value(string name)
    {
        var (routes, refused) = Read("app.example.com:80", key: RouteDeclaration.KeyPrefix + name);
        Assert.Empty(routes);
        var r = Assert.Single(refused);
        Assert.True(r.IsBadName);
        Assert.Contains("bad route name", r.ToString());
        Assert.DoesNotContain("HOST[/PATH]:PORT", r.ToString());
        OneSentence(r.ToString());
    }

    [Theory]
    [InlineData("w")]
    [InlineData("0")]
    [InlineData("web_2-x-")]
    [InlineData("api-v2")]
    public void Names_are_lxd_key_segments(string name)
    {
        Assert.True(RouteGrammar.IsName(name));
        Assert.Single(Read("app.example.com:80", key: RouteDeclaration.KeyPrefix + name).Routes);
        Assert.True(RouteGrammar.IsName(new string('n', 63)));
        Assert.False(RouteGrammar.IsName(new string('n', 64)));
    }

    [Fact]
    public void A_forged_log_line_in_a_value_stays_on_the_refusal_s_one_line()
    {
        var r = Assert.Single(Read("app.example.com:80" + Forged, project: "te\u001bnant").Refused);
        var sentence = r.ToString();
        OneSentence(sentence);
        Assert.Contains(@"'app.example.com:80\n2026-12-07T06:59:59.000Z routes updated (forged)'", sentence);
        Assert.StartsWith(@"te\u001bnant/c1: ", sentence);
    }

    [Fact]
    public void Each_refused_key_of_an_instance_is_reported_once_and_good_ones_still_parse()
    {
        var (routes, refused) = RouteDeclaration.Read(InstanceRef.Of("default", "c1"), new Dictionary<string, string>
        {
            ["user.terrarium.route.web"] = "app.example.com:80",
            ["user.terrarium.route.ip"] = "10.252.0.12:80",
            ["user.terrarium.route.BAD"] = "app.example.com:80",
            ["limits.cpu"] = "1",
        });
        Assert.Equal(["web"], routes.Select(r => r.Name));
        Assert.Equal(["user.terrarium.route.BAD", "user.terrarium.route.ip"], refused.Select(r => r.Key));
    }

    internal static void OneSentence(string s)
    {
        Assert.EndsWith(".", s);
        Assert.DoesNotContain(s, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        Assert.DoesNotContain(". ", s[..^1]);
    }
}
