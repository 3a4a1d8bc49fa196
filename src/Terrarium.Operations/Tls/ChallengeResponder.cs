using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Terrarium.Cluster.Tls;

namespace Terrarium.Operations.Tls;

/// <summary>
/// The HTTP-01 key authorizations of every order in progress, from the leases in the shared configuration. A token
/// this member has not seen yet (the CA can be faster than this member's next read) is looked up in LXD at once,
/// at most once a second whatever a client sends.
/// </summary>
public sealed class ChallengeBook(Func<CancellationToken, Task<IReadOnlyList<OrderLeaseRecord>>> read, TimeProvider time)
{
    private static readonly TimeSpan ReadAtMost = TimeSpan.FromSeconds(1);
    private volatile IReadOnlyDictionary<string, string> _answers = new Dictionary<string, string>(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _lastRead;

    public void Update(IEnumerable<OrderLeaseRecord> leases) =>
        _answers = leases.SelectMany(l => l.Challenges).GroupBy(c => c.Token, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().KeyAuthorization, StringComparer.Ordinal);

    public async Task<string?> AnswerAsync(string token, CancellationToken ct)
    {
        if (_answers.TryGetValue(token, out var known)) return known;
        await _reading.WaitAsync(ct);
        try
        {
            if (_answers.TryGetValue(token, out known)) return known;
            if (_lastRead != 0 && time.GetElapsedTime(_lastRead) < ReadAtMost) return null;
            _lastRead = time.GetTimestamp();
            try
            {
                Update(await read(ct));
            }
            catch (Exception e) when (e is Lxd.LxdException or TimeoutException or HttpRequestException or IOException)
            {
                return null; // LXD away: the CA gets a 404 and tries again; the answers known stay
            }
            return _answers.GetValueOrDefault(token);
        }
        finally
        {
            _reading.Release();
        }
    }
}

/// <summary>
/// Answers GET /.well-known/acme-challenge/TOKEN with its key authorization (RFC 8555 §8.3), and 404 to anything else.
/// Traefik on every member routes that path here at the highest priority, so whichever member the CA reaches answers.
/// Deliberately tiny: one request per connection, a bounded request head, a bounded number of clients at once.
/// </summary>
public sealed partial class ChallengeResponder(IPEndPoint bind, ChallengeBook book, Action<string> log)
{
    public const string PathPrefix = "/.well-known/acme-challenge/";
    private const int MaxHead = 8192;
    private const int MaxClients = 32;
    private static readonly TimeSpan ClientBound = TimeSpan.FromSeconds(10);

    /// <summary>The responder's address for Traefik's file: what it binds, with a wildcard bind reached over loopback.</summary>
    public static string Url(IPEndPoint bind) =>
        $"http://{(bind.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : bind.Address)}:{bind.Port}";

    public async Task RunAsync(CancellationToken ct)
    {
        using var listener = new TcpListener(bind);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            log($"ACME challenge responder cannot listen on {bind}: {e.Message}; this member will not answer HTTP-01 challenges");
            return;
        }
        using var clients = new SemaphoreSlim(MaxClients, MaxClients);
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(ct); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { continue; }
            if (!await clients.WaitAsync(0, ct)) { client.Dispose(); continue; }
            _ = Task.Run(async () =>
            {
                try { await ServeAsync(client, ct); }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
                finally { client.Dispose(); clients.Release(); }
            }, CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(ClientBound);
        var stream = client.GetStream();
        var line = await RequestLineAsync(stream, bound.Token);
        var token = line is null ? null : TokenOf(line);
        var answer = token is null ? null : await book.AnswerAsync(token, bound.Token);
        var (status, body) = answer is null ? ("404 Not Found", "not found\n") : ("200 OK", answer);
        var bytes = Encoding.ASCII.GetBytes(body);
        var head = $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), bound.Token);
        await stream.WriteAsync(bytes, bound.Token);
    }

    /// <summary>The request's first line, once the whole head has arrived (at most 8 KiB), or null.</summary>
    private static async Task<string?> RequestLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new byte[MaxHead];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return null;
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal)) return text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
        }
        return null;
    }

    /// <summary>The token of `GET /.well-known/acme-challenge/TOKEN HTTP/1.x`; a token is base64url (RFC 8555 §8.3).</summary>
    public static string? TokenOf(string requestLine)
    {
        var m = RequestLine().Match(requestLine);
        return m.Success ? m.Groups["token"].Value : null;
    }

    [GeneratedRegex(@"^GET /\.well-known/acme-challenge/(?<token>[A-Za-z0-9_-]{1,256}) HTTP/1\.[01]$")]
    private static partial Regex RequestLine();
}
