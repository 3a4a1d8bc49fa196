using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// A live subscription to /1.0/events. Connecting is separate from reading so a caller can subscribe,
/// then trigger a change, and be sure to see its event.
/// </summary>
public sealed class LxdEventStream : ILxdEvents
{
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;

    private LxdEventStream(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <param name="types">Comma-separated event types: lifecycle, operation, logging.</param>
    /// <param name="allProjects">Subscribe to every project, not only "default".</param>
    public static async Task<LxdEventStream> ConnectAsync(LxdEndpoint endpoint, string types = "lifecycle,operation",
        bool allProjects = true, CancellationToken ct = default)
    {
        var invoker = new HttpMessageInvoker(LxdHandlerFactory.Create(endpoint), disposeHandler: true);
        var socket = new ClientWebSocket();
        var baseUri = endpoint.BaseUri;
        var scheme = baseUri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var query = $"type={Uri.EscapeDataString(types)}" + (allProjects ? "&all-projects=true" : "");
        var uri = new UriBuilder(baseUri) { Scheme = scheme, Path = "/1.0/events", Query = query }.Uri;
        try
        {
            await socket.ConnectAsync(uri, invoker, ct);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException)
        {
            socket.Dispose();
            invoker.Dispose();
            throw new LxdException($"Cannot subscribe to LXD events at {endpoint}: {e.Message}", null, e);
        }
        return new LxdEventStream(socket, invoker);
    }

    /// <summary>Yields events until the connection closes or <paramref name="ct"/> is cancelled.</summary>
    public async IAsyncEnumerable<LxdEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(), ct);
            }
            catch (WebSocketException)
            {
                yield break;
            }
            if (result.MessageType == WebSocketMessageType.Close) yield break;
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            LxdEvent? ev = null;
            try
            {
                ev = JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), LxdJson.Info<LxdEvent>());
            }
            catch (JsonException)
            {
                // An event we cannot parse is skipped; the periodic resync covers anything it meant.
            }
            message.SetLength(0);
            if (ev is not null) yield return ev;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Closing is best effort.
            }
        }
        _socket.Dispose();
        _invoker.Dispose();
    }
}
