using System.Net.Sockets;
using System.Text;
using Terrarium.Lab.Skew;

namespace Terrarium.UnitTests.Lab;

/// <summary>
/// What the skew proxy passes through untouched, against a raw daemon stand-in on a unix socket: a chunked
/// body with its framing as sent, then an upgraded connection (LXD's /1.0/events websocket) copied both ways.
/// </summary>
public class SkewProxyWireTests
{
    [Fact]
    public async Task L13_chunked_bodies_and_upgraded_connections_pass_through_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("skew-wire-").FullName;
        var daemonSocket = Path.Join(dir, "lxd.socket");
        var proxySocket = Path.Join(dir, "proxy", "unix.socket");
        using var daemon = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        daemon.Bind(new UnixDomainSocketEndPoint(daemonSocket));
        daemon.Listen(4);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var proxy = new SkewProxy(proxySocket, daemonSocket, LxdBehaviour.Lxd6, _ => { }).RunAsync(stop.Token);
        var served = ServeAsync(daemon, stop.Token);
        try
        {
            using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                await TalkAsync(client, proxySocket);
            await served; // the stand-in saw what it expected, then the end of the upgraded stream
        }
        finally
        {
            stop.Cancel();
            await proxy;
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task TalkAsync(Socket client, string proxySocket)
    {
        for (var i = 0; !client.Connected; i++)
        {
            try { await client.ConnectAsync(new UnixDomainSocketEndPoint(proxySocket)); }
            catch (SocketException) when (i < 100) { await Task.Delay(50); }
        }
        await using var stream = new NetworkStream(client);

        await Send(stream, "POST /1.0/instances/c1/files HTTP/1.1\r\nHost: lxd\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        Assert.Equal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n", await Receive(stream, "0\r\n\r\n"));

        // The same kept-alive connection upgrades; bytes then flow raw both ways, the first ones right behind the head.
        await Send(stream, "GET /1.0/events?type=lifecycle HTTP/1.1\r\nHost: lxd\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nping");
        Assert.Equal("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nPING", await Receive(stream, "PING"));
        await Send(stream, "more");
        Assert.Equal("MORE", await Receive(stream, "MORE"));
    }

    private static Task Send(Stream s, string text) => s.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    private static async Task<string> Receive(Stream s, string until, bool ending = true)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (ending ? !text.ToString().EndsWith(until, StringComparison.Ordinal) : !text.ToString().Contains(until, StringComparison.Ordinal))
        {
            var n = await s.ReadAsync(buffer);
            if (n == 0) break;
            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return text.ToString();
    }

    /// <summary>A daemon stand-in: answers a chunked body's data in one chunk, upgrades /1.0/events and upper-cases what follows.</summary>
    private static async Task ServeAsync(Socket listener, CancellationToken ct)
    {
        using var socket = await listener.AcceptAsync(ct);
        await using var stream = new NetworkStream(socket);
        var post = await Receive(stream, "0\r\n\r\n");
        Assert.EndsWith("Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", post); // framing as the client sent it
        await Send(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n");
        var upgrade = await Receive(stream, "\r\n\r\n", ending: false);
        Assert.StartsWith("GET /1.0/events?type=lifecycle HTTP/1.1", upgrade);
        await Send(stream, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        var early = upgrade[(upgrade.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        if (early.Length > 0) await Send(stream, early.ToUpperInvariant());
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, ct) is var n and > 0)
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(buffer, 0, n).ToUpperInvariant()), ct);
    }
}
