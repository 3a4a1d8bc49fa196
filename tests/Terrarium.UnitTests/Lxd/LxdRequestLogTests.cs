using System.Net;
using Terrarium.Lxd.Transport;

namespace Terrarium.UnitTests.Lxd;

/// <summary>--debug for LXD: method, path, status and time; never a header, a body or a secret in the query.</summary>
public class LxdRequestLogTests
{
    private sealed class Answer(HttpStatusCode status) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent("{\"metadata\":{\"secret\":\"s3cr3t-reply\"}}") });
    }

    private sealed class Refuse : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            throw new HttpRequestException("connection refused");
    }

    private static async Task<List<string>> SendAsync(HttpMessageHandler inner, HttpRequestMessage request)
    {
        var lines = new List<string>();
        using var invoker = new HttpMessageInvoker(new LxdRequestLog(inner, lines.Add));
        try
        {
            (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        }
        catch (HttpRequestException)
        {
        }
        return lines;
    }

    [Fact]
    public async Task A_request_is_one_line_with_method_path_status_and_milliseconds()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://lxd/1.0/cluster/members")
        {
            Content = new StringContent("{\"server_name\":\"node2\",\"trust_token\":\"s3cr3t-body\"}"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer s3cr3t-header");
        var line = Assert.Single(await SendAsync(new Answer(HttpStatusCode.Accepted), request));
        Assert.Matches(@"^debug: lxd POST /1\.0/cluster/members -> 202 \(\d+ ms\)$", line);
        Assert.DoesNotContain("s3cr3t", line);
    }

    [Fact]
    public async Task A_request_that_got_no_answer_says_so()
    {
        var line = Assert.Single(await SendAsync(new Refuse(), new HttpRequestMessage(HttpMethod.Get, "http://lxd/1.0")));
        Assert.Matches(@"^debug: lxd GET /1\.0 -> failed \(\d+ ms\)$", line);
    }

    [Theory]
    [InlineData("http://lxd/1.0/instances?project=web&recursion=1", "/1.0/instances?project=web&recursion=1")]
    [InlineData("http://lxd/1.0/operations/abc/websocket?secret=f00d", "/1.0/operations/abc/websocket?secret=<redacted>")]
    [InlineData("https://10.99.0.2:8443/1.0/certificates?token=x&public=1", "https://10.99.0.2:8443/1.0/certificates?token=<redacted>&public=1")]
    public void The_path_is_shown_with_query_secrets_redacted(string uri, string shown) =>
        Assert.Equal(shown, LxdRequestLog.Shown(new Uri(uri)));

    [Fact]
    public void Without_a_sink_a_client_sends_straight_through()
    {
        using var handler = new SocketsHttpHandler();
        Assert.Null(LxdRequestLog.Sink);
        Assert.Same(handler, LxdRequestLog.Wrap(handler));
    }
}
