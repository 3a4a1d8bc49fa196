using Terrarium.Cluster.Validation;

namespace Terrarium.UnitTests.Cluster;

public class EchoTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\nb\rc\td", @"a\nb\rc\td")]
    [InlineData("nul\0", @"nul\u0000")]
    [InlineData("esc\u001b[31m", @"esc\u001b[31m")]
    [InlineData("del\u007f c1\u0085", @"del\u007f c1\u0085")]
    [InlineData("ls\u2028ps\u2029rlo\u202e", @"ls\u2028ps\u2029rlo\u202e")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData("exämple", "exämple")]
    public void Escaped_text_has_no_control_character(string text, string shown) => Assert.Equal(shown, EchoText.Escaped(text));

    [Fact]
    public void A_forged_log_line_stays_on_one_line()
    {
        var shown = EchoText.Quoted("app.example.com:80\n2026-12-07T06:59:59.000Z routes updated (forged)");
        Assert.Equal(@"'app.example.com:80\n2026-12-07T06:59:59.000Z routes updated (forged)'", shown);
        Assert.Single(shown.Split('\n'));
    }

    [Fact]
    public void Quoted_text_is_bounded_and_its_quotes_are_escaped()
    {
        Assert.Equal(@"'it\'s'", EchoText.Quoted("it's"));
        Assert.Equal("'" + new string('a', 128) + "…'", EchoText.Quoted(new string('a', 500)));
        Assert.Equal("ab…", EchoText.Escaped("ab\ud83d\ude00", 3)); // a surrogate pair is never cut in two
        Assert.Equal(@"\ud83d", EchoText.Escaped("\ud83d")); // nor left lone
        Assert.Equal("", EchoText.Escaped(null));
    }

    [Fact]
    public void One_line_guards_a_whole_log_line_without_doubling_escapes()
    {
        Assert.Equal(@"route ignored: 'a\nb' x\ny", EchoText.OneLine("route ignored: 'a\\nb' x\ny"));
        var long_ = new string('x', 5000);
        Assert.Same(long_, EchoText.OneLine(long_));
    }
}
