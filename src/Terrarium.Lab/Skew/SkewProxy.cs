using System.Net.Sockets;

namespace Terrarium.Lab.Skew;

/// <summary>
/// An HTTP/1.1 reverse proxy on a unix socket in front of one node's real LXD socket, answering as
/// <see cref="LxdBehaviour"/> says (<see cref="SkewRewrites"/>) and passing everything else through unchanged:
/// keep-alive, Content-Length and chunked bodies streamed as they come, upgrades (/1.0/events, exec) copied raw.
/// No ASP.NET: terrariumctl, which runs it as `lab lxd-proxy`, stays NativeAOT.
/// </summary>
public sealed class SkewProxy(string listen, string upstream, LxdBehaviour behaviour, Action<string> log)
{
    public async Task RunAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(listen)!);
        File.Delete(listen); // a socket file left by a killed proxy (lab reboot)
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(listen));
        server.Listen(128);
        log($"answering as {behaviour.Server} {behaviour.Version} on {listen}, forwarding to {upstream}");
        try
        {
            while (true)
            {
                var client = await server.AcceptAsync(ct);
                _ = Task.Run(() => ServeAsync(client, ct), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            File.Delete(listen);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        using var client = new HttpPeer(socket);
        HttpPeer? up = null;
        try
        {
            while (await client.ReadHeadAsync(ct) is { } request)
            {
                var (method, target) = request.Request;
                var route = SkewRewrites.Route(behaviour, method, target);
                if (request.Has("Connection", "upgrade") && request["Upgrade"] is not null)
                {
                    await UpgradeAsync(client, up ??= await ConnectAsync(ct), request, ct);
                    return;
                }
                if (request.Has("Expect", "100-continue"))
                {
                    // Answered here so a client never waits on an interim reply the daemon sends only once it reads.
                    await client.WriteAsync(new HttpHead("HTTP/1.1 100 Continue", []), null, ct);
                    request = new HttpHead(request.StartLine, request.Fields.Where(f => !f.Key.Equals("Expect", StringComparison.OrdinalIgnoreCase)).ToList());
                }
                if (route is SkewRoute.Join or SkewRoute.MemberState)
                {
                    var body = await client.ReadBodyAsync(request, toEnd: false, ct);
                    if (route == SkewRoute.MemberState &&
                        SkewRewrites.EvacuationRefusal(body, SkewRewrites.MemberOf(target), await GetAsync("/1.0/cluster/members?recursion=1", ct)) is { } refusal)
                    {
                        log($"{method} {target}: refused ({refusal})");
                        var reply = SkewRewrites.ErrorEnvelope(refusal, 400);
                        await client.WriteAsync(new HttpHead("HTTP/1.1 400 Bad Request", [new("Content-Type", "application/json")]).WithLength(reply.Length), reply, ct);
                        continue;
                    }
                    if (route == SkewRoute.Join) body = SkewRewrites.Join(behaviour, body);
                    up ??= await ConnectAsync(ct);
                    await up.WriteAsync(request.WithLength(body.Length), body, ct);
                }
                else
                {
                    up ??= await ConnectAsync(ct);
                    await up.WriteAsync(request, null, ct);
                    if (request.Chunked) await client.CopyChunkedAsync(up.Stream, ct);
                    else if (request.ContentLength is { } n) await client.CopyAsync(n, up.Stream, ct);
                    await up.Stream.FlushAsync(ct);
                }
                if (!await RelayResponseAsync(client, up, method, route, ct) || request.Has("Connection", "close")) return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or FormatException or ObjectDisposedException)
        {
            // The client or the daemon went away (a restart, a killed node): this connection ends, the next one starts afresh.
        }
        catch (Exception e)
        {
            log($"connection dropped: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            up?.Dispose();
        }
    }

    /// <summary>
    /// A connection to the daemon, made only when a request is ready to go on it: LXD 5.0.2's unix listener peeks at each
    /// new connection's first bytes inside Accept (lxd-5.0.2 lxd/endpoints/listeners/starttls.go), so one silent
    /// connection stops the whole socket, including the proxy's own look-ups.
    /// </summary>
    private Task<HttpPeer> ConnectAsync(CancellationToken ct) => HttpPeer.ConnectAsync(upstream, ct);

    /// <returns>Whether the connection may carry another request.</returns>
    private async Task<bool> RelayResponseAsync(HttpPeer client, HttpPeer up, string method, SkewRoute route, CancellationToken ct)
    {
        while (true)
        {
            var response = await up.ReadHeadAsync(ct) ?? throw new IOException("the daemon closed the connection before answering");
            var status = response.Status;
            if (status is >= 100 and < 200 and not 101)
            {
                await client.WriteAsync(response, null, ct); // an interim reply; the final one follows
                continue;
            }
            var noBody = method == "HEAD" || status is 204 or 304;
            var toEnd = !noBody && !response.Chunked && response.ContentLength is null;
            if (route is SkewRoute.ServerInfo or SkewRoute.Wait && status == 200 && !noBody)
            {
                var body = await up.ReadBodyAsync(response, toEnd, ct);
                var answer = route == SkewRoute.ServerInfo ? SkewRewrites.ServerInfo(behaviour, body) : SkewRewrites.Wait(body) ?? body;
                await client.WriteAsync(response.WithLength(answer.Length), answer, ct);
            }
            else
            {
                await client.WriteAsync(response, null, ct);
                if (noBody) { }
                else if (response.Chunked) await up.CopyChunkedAsync(client.Stream, ct);
                else if (response.ContentLength is { } n) await up.CopyAsync(n, client.Stream, ct);
                else await up.CopyToEndAsync(client.Stream, ct);
                await client.Stream.FlushAsync(ct);
            }
            return !toEnd && !response.Has("Connection", "close");
        }
    }

    /// <summary>A websocket (events, exec, console): after the daemon's 101 both directions are copied raw until one ends.</summary>
    private static async Task UpgradeAsync(HttpPeer client, HttpPeer up, HttpHead request, CancellationToken ct)
    {
        await up.WriteAsync(request, null, ct);
        var response = await up.ReadHeadAsync(ct) ?? throw new IOException("the daemon closed the connection before answering");
        await client.WriteAsync(response, null, ct);
        if (response.Status != 101)
        {
            if (response.ContentLength is { } n) await up.CopyAsync(n, client.Stream, ct);
            else if (response.Chunked) await up.CopyChunkedAsync(client.Stream, ct);
            return;
        }
        var toDaemon = client.CopyToEndAsync(up.Stream, ct);
        var toClient = up.CopyToEndAsync(client.Stream, ct);
        var first = await Task.WhenAny(toDaemon, toClient);
        // One side ended: let the other see the end too, then stop.
        if (first == toDaemon) up.ShutdownSend(); else client.ShutdownSend();
        await Task.WhenAny(Task.WhenAll(toDaemon, toClient), Task.Delay(TimeSpan.FromSeconds(5), ct));
    }

    /// <summary>One GET to the daemon on a connection of its own (what the target would read before deciding).</summary>
    private async Task<byte[]> GetAsync(string target, CancellationToken ct)
    {
        using var peer = await HttpPeer.ConnectAsync(upstream, ct);
        await peer.WriteAsync(new HttpHead($"GET {target} HTTP/1.1", [new("Host", "lxd"), new("Connection", "close")]), null, ct);
        var head = await peer.ReadHeadAsync(ct) ?? throw new IOException("the daemon closed the connection before answering");
        return await peer.ReadBodyAsync(head, toEnd: true, ct);
    }
}
