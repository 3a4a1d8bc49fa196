using System.Net;
using System.Net.Sockets;
using System.Text;
using Terrarium.Cluster.Tls;
using Terrarium.Operations.Tls;

namespace Terrarium.UnitTests.Operations;

/// <summary>The HTTP-01 responder over a real socket, and the book's bound on reading LXD for tokens it does not know.</summary>
public sealed class ChallengeResponderTests
{
    private const string Token = "tok_A-1";
    private const string Answer = "tok_A-1.thumbprint";

    private static IReadOnlyList<OrderLeaseRecord> Leases() =>
        [new OrderLeaseRecord { Host = "app.example.test", Holder = "node2", Challenges = [new ChallengeAnswer { Token = Token, KeyAuthorization = Answer }] }];

    /// <summary>A port free a moment ago: the responder binds a fixed endpoint, as the agent configures it.</summary>
    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task<string> GetAsync(int port, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: anything.example\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(); // one request per connection: the responder closes it
    }

    [Fact]
    public async Task The_responder_serves_a_known_token_and_404s_an_unknown_token_or_a_path_outside_the_challenges()
    {
        var reads = 0;
        var book = new ChallengeBook(_ => { Interlocked.Increment(ref reads); return Task.FromResult(Leases()); }, TimeProvider.System);
        var port = FreePort();
        var log = new List<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = new ChallengeResponder(new IPEndPoint(IPAddress.Loopback, port), book, log.Add).RunAsync(stop.Token);

        var known = await GetAsync(port, ChallengeResponder.PathPrefix + Token);
        var unknown = await GetAsync(port, ChallengeResponder.PathPrefix + "nobody-asked");
        var traversal = await GetAsync(port, ChallengeResponder.PathPrefix + "../x");
        await stop.CancelAsync();
        await running;

        Assert.Empty(log); // it listened
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", known);
        Assert.EndsWith("\r\n\r\n" + Answer, known);
        Assert.Contains($"Content-Length: {Answer.Length}\r\n", known);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", unknown);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", traversal);
        Assert.Equal(1, reads); // the known token's first read; the unknown one came within the second after it
    }

    [Fact]
    public async Task The_book_reads_lxd_at_most_once_a_second_for_tokens_it_does_not_know()
    {
        var time = new HurriedTime();
        var reads = 0;
        var book = new ChallengeBook(_ => { reads++; return Task.FromResult(Leases()); }, time);

        Assert.Null(await book.AnswerAsync("unknown-1", CancellationToken.None));
        Assert.Null(await book.AnswerAsync("unknown-2", CancellationToken.None));
        Assert.Null(await book.AnswerAsync(Token + "x", CancellationToken.None));
        Assert.Equal(1, reads);
        Assert.Equal(Answer, await book.AnswerAsync(Token, CancellationToken.None)); // the one read learnt it
        Assert.Equal(1, reads);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Null(await book.AnswerAsync("unknown-1", CancellationToken.None));
        Assert.Equal(1, reads);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(await book.AnswerAsync("unknown-1", CancellationToken.None));
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task LXD_away_while_a_token_is_looked_up_is_a_404_and_the_answers_known_stay()
    {
        var time = new HurriedTime();
        var away = false;
        var book = new ChallengeBook(_ => away ? throw new Terrarium.Lxd.LxdException("Get \"http://unix/1.0\": connection refused") : Task.FromResult(Leases()), time);
        Assert.Equal(Answer, await book.AnswerAsync(Token, CancellationToken.None));
        away = true;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await book.AnswerAsync("unknown-1", CancellationToken.None));
        Assert.Equal(Answer, await book.AnswerAsync(Token, CancellationToken.None));
    }

    [Fact]
    public void Only_a_base64url_token_under_the_challenge_path_is_a_token()
    {
        Assert.Equal(Token, ChallengeResponder.TokenOf($"GET /.well-known/acme-challenge/{Token} HTTP/1.1"));
        Assert.Null(ChallengeResponder.TokenOf("GET /.well-known/acme-challenge/../x HTTP/1.1"));
        Assert.Null(ChallengeResponder.TokenOf("GET /.well-known/acme-challenge/a%2F..%2Fb HTTP/1.1"));
        Assert.Null(ChallengeResponder.TokenOf($"POST /.well-known/acme-challenge/{Token} HTTP/1.1"));
        Assert.Null(ChallengeResponder.TokenOf($"GET /.well-known/acme-challenge/{Token}?x=1 HTTP/1.1"));
    }
}
