using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Terrarium.Lxd.Transport;
using Terrarium.Lxd.Wire;

namespace Terrarium.Lxd;

/// <summary>
/// Typed client for the LXD REST API (unix socket or HTTPS with client certificates).
/// Partial files group it by API area: server, cluster, instances, operations, events, resources.
/// </summary>
public sealed partial class LxdClient : ILxdClient
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpClient _http;

    public LxdEndpoint Endpoint { get; }

    public LxdClient(LxdEndpoint endpoint, TimeSpan? requestTimeout = null)
    {
        Endpoint = endpoint;
        _handler = LxdHandlerFactory.Create(endpoint);
        _http = new HttpClient(LxdRequestLog.Wrap(_handler), disposeHandler: false)
        {
            BaseAddress = endpoint.BaseUri,
            Timeout = requestTimeout ?? TimeSpan.FromMinutes(5),
        };
    }

    public static LxdClient ForSocket(string socketPath) => new(LxdEndpoint.UnixSocket(socketPath));

    public void Dispose()
    {
        _http.Dispose();
        _handler.Dispose();
    }

    /// <summary>Sends one request and decodes LXD's envelope; LXD errors become <see cref="LxdException"/>.</summary>
    internal async Task<(LxdResponse Response, string? ETag)> SendAsync(
        HttpMethod method, string path, HttpContent? content, string? ifMatch, CancellationToken ct)
    {
        var lateSince = DateTime.UtcNow;
        while (true)
        {
            var (decoded, status, reason, etag) = await SendRawAsync(method, path, content, ifMatch, ct);
            if (decoded is not null && decoded.Type != "error" && (int)status < 400) return (decoded, etag);
            var message = decoded?.Error is { Length: > 0 } err ? err : $"HTTP {(int)status} {reason}";
            // A read the daemon could not answer from its own database in time (a leader change, a busy member) is
            // asked again for a while: it changed nothing. Callers with a tighter bound (status) cancel sooner.
            if (method != HttpMethod.Get || status != HttpStatusCode.InternalServerError || !DatabaseLate(message) ||
                DateTime.UtcNow - lateSince > DatabaseLateBound)
                throw new LxdException($"LXD {method} {path}: {message}", status);
            await Task.Delay(DatabaseLateRetry, ct);
        }
    }

    /// <summary>How long a GET is asked again while LXD's database is late, and how often.</summary>
    public static readonly TimeSpan DatabaseLateBound = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan DatabaseLateRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// LXD's own database did not answer (lxd/db/query/transaction.go "Failed to begin transaction: context deadline
    /// exceeded", a bare "context deadline exceeded" from a query; go-dqlite's driver "no available dqlite leader server
    /// found" while the database elects a leader), as opposed to a refusal.
    /// </summary>
    public static bool DatabaseLate(string message) =>
        message.EndsWith("context deadline exceeded", StringComparison.Ordinal) ||
        message.Contains("no available dqlite leader server found", StringComparison.Ordinal);

    /// <summary>
    /// Sends one request and decodes the envelope without judging it: an error envelope inside HTTP 200 is a
    /// normal answer of some endpoints (LXD >= 5.0.3's operation wait), so callers that expect it look first.
    /// </summary>
    internal async Task<(LxdResponse? Response, HttpStatusCode Status, string? Reason, string? ETag)> SendRawAsync(
        HttpMethod method, string path, HttpContent? content, string? ifMatch, CancellationToken ct)
    {
        HttpResponseMessage reply;
        try
        {
            reply = await SendOnceAsync(method, path, content, ifMatch, mayRetry: method == HttpMethod.Get, ct);
        }
        catch (HttpRequestException e) when (method == HttpMethod.Get && StaleConnection(e))
        {
            // A kept-alive connection the daemon had closed (a restart, or its own idle close) fails on the first
            // write, before the request reached the daemon: a GET changes nothing, so it goes once more on a new one.
            reply = await SendOnceAsync(method, path, content, ifMatch, mayRetry: false, ct);
        }
        using (reply)
        {
            byte[] body;
            try
            {
                body = await reply.Content.ReadAsByteArrayAsync(ct);
            }
            catch (HttpRequestException e)
            {
                // The daemon went away mid-reply (it was stopped or restarted).
                throw new LxdException($"LXD {method} {path}: the reply was cut off ({e.Message}).", null, e);
            }
            LxdResponse? decoded = null;
            try
            {
                if (body.Length > 0) decoded = JsonSerializer.Deserialize(body, LxdJson.Info<LxdResponse>());
            }
            catch (JsonException)
            {
                // Reported with the HTTP status by the caller.
            }
            return (decoded, reply.StatusCode, reply.ReasonPhrase, reply.Headers.ETag?.Tag.Trim('"'));
        }
    }

    /// <param name="mayRetry">A stale connection's failure is left to the caller (as HttpRequestException) to send once more.</param>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, HttpContent? content, string? ifMatch, bool mayRetry,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (ifMatch is not null)
            request.Headers.IfMatch.Add(new EntityTagHeaderValue(Quote(ifMatch)));
        try
        {
            return await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e) when (mayRetry && StaleConnection(e))
        {
            throw; // the caller sends it once more
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or IOException || e.HttpRequestError is HttpRequestError.ConnectionError)
        {
            throw new LxdException($"Cannot reach LXD at {Endpoint}: {Unreachable.Explain(Endpoint, e)}.", null, e);
        }
    }

    /// <summary>The write on an established connection failed (broken pipe, reset): not a daemon that cannot be reached.</summary>
    public static bool StaleConnection(HttpRequestException e) =>
        e.HttpRequestError is not HttpRequestError.ConnectionError && e.InnerException is IOException
        {
            InnerException: SocketException { SocketErrorCode: SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted },
        };

    private static string Quote(string etag) => $"\"{etag}\"";

    internal async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct) =>
        (await GetWithETagAsync(path, type, ct)).Value;

    /// <summary>GET returning the entity and its ETag (for a later If-Match).</summary>
    public async Task<(T Value, string? ETag)> GetWithETagAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken ct = default)
    {
        var (response, etag) = await SendAsync(HttpMethod.Get, path, null, null, ct);
        var value = response.Metadata.Deserialize(type)
                    ?? throw new LxdException($"LXD GET {path}: empty metadata in the reply.");
        return (value, etag);
    }

    /// <summary>Sends a JSON body; waits for the operation when LXD answers asynchronously.</summary>
    internal async Task<LxdResponse> SendJsonAsync<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type,
        CancellationToken ct, string? ifMatch = null, IProgress<Operation>? progress = null)
    {
        var (response, _) = await SendAsync(method, path, JsonContent.Create(body, type), ifMatch, ct);
        if (response.Type == "async" && response.Operation is { } op)
            await WaitOperationAsync(op, progress, ct);
        return response;
    }

    /// <summary>PUT that only applies when the entity still has <paramref name="ifMatch"/> (else 412).</summary>
    public Task ReplaceAsync<T>(string path, T body, JsonTypeInfo<T> type, string? ifMatch, CancellationToken ct = default) =>
        SendJsonAsync(HttpMethod.Put, path, body, type, ct, ifMatch);

    internal async Task DeleteAsync(string path, CancellationToken ct)
    {
        var (response, _) = await SendAsync(HttpMethod.Delete, path, null, null, ct);
        if (response.Type == "async" && response.Operation is { } op)
            await WaitOperationAsync(op, null, ct);
    }

    /// <summary>
    /// Read-modify-write with optimistic concurrency: GET (with its ETag), let <paramref name="mutate"/> build
    /// the PUT body (null = nothing to change), PUT with If-Match; on 412 another writer won, so read again.
    /// </summary>
    public async Task<TGet> UpdateAsync<TGet, TPut>(string path, JsonTypeInfo<TGet> getType, JsonTypeInfo<TPut> putType,
        Func<TGet, TPut?> mutate, CancellationToken ct = default, int maxAttempts = 20) where TPut : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = await GetWithETagAsync(path, getType, ct);
            var body = mutate(current);
            if (body is null) return current;
            try
            {
                await ReplaceAsync(path, body, putType, etag, ct);
                return current;
            }
            catch (LxdException e) when (e.IsPreconditionFailed && attempt < maxAttempts)
            {
                // Lost the race: someone else wrote between our GET and PUT. Re-read and re-apply.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 * attempt)), ct);
            }
        }
    }

    internal static string Escape(string segment) => Uri.EscapeDataString(segment);

    internal static string WithQuery(string path, params (string Key, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : path + (path.Contains('?') ? "&" : "?") + string.Join("&", parts);
    }

    internal static HttpStatusCode? StatusOf(Exception e) => (e as LxdException)?.Status;
}
