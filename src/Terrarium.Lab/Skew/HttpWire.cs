using System.Net.Sockets;
using System.Text;

namespace Terrarium.Lab.Skew;

/// <summary>One HTTP/1.1 message head: the start line and the header fields in their order.</summary>
public sealed class HttpHead(string startLine, List<KeyValuePair<string, string>> fields)
{
    public string StartLine { get; } = startLine;
    public List<KeyValuePair<string, string>> Fields { get; } = fields;

    public string? this[string name] => Fields.FirstOrDefault(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public bool Has(string name, string token) =>
        Fields.Any(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase) &&
                        f.Value.Split(',').Any(v => v.Trim().Equals(token, StringComparison.OrdinalIgnoreCase)));

    /// <summary>A request's method and target ("GET", "/1.0?x=y").</summary>
    public (string Method, string Target) Request => StartLine.Split(' ') is [var m, var t, ..] ? (m, t) : ("", "");

    /// <summary>A response's status code.</summary>
    public int Status => StartLine.Split(' ') is [_, var s, ..] && int.TryParse(s, out var code) ? code : 0;

    public bool Chunked => Has("Transfer-Encoding", "chunked");

    public long? ContentLength => long.TryParse(this["Content-Length"], out var n) && n >= 0 ? n : null;

    /// <summary>This head for a body of exactly <paramref name="length"/> bytes (a rewritten one).</summary>
    public HttpHead WithLength(long length) => new(StartLine,
    [
        .. Fields.Where(f => !f.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !f.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)),
        new("Content-Length", length.ToString()),
    ]);

    public byte[] Encode()
    {
        var text = new StringBuilder(StartLine).Append("\r\n");
        foreach (var (k, v) in Fields) text.Append(k).Append(": ").Append(v).Append("\r\n");
        return Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
    }
}

/// <summary>
/// One side of a proxied connection: a socket with a read buffer, enough HTTP/1.1 to find where each message ends
/// (Content-Length, chunked, or the end of the stream) and to copy or collect its body.
/// </summary>
public sealed class HttpPeer(Socket socket) : IDisposable
{
    private const int MaxHead = 64 * 1024;
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly byte[] _buffer = new byte[MaxHead];
    private int _start, _end;

    public Stream Stream => _stream;

    public static async Task<HttpPeer> ConnectAsync(string unixSocket, CancellationToken ct)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await s.ConnectAsync(new UnixDomainSocketEndPoint(unixSocket), ct);
        }
        catch
        {
            s.Dispose();
            throw;
        }
        return new HttpPeer(s);
    }

    /// <summary>The next message head, or null at a clean end of stream.</summary>
    public async Task<HttpHead?> ReadHeadAsync(CancellationToken ct)
    {
        string? start;
        do start = await ReadLineAsync(ct);
        while (start is { Length: 0 }); // RFC 9112 2.2: ignore empty lines before a request line
        if (start is null) return null;
        var fields = new List<KeyValuePair<string, string>>();
        while (await ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) return new HttpHead(start, fields);
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new IOException($"malformed header line '{line}'");
            fields.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }
        throw new IOException("the stream ended inside a message head");
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var i = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (i >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, _start, i - _start).TrimEnd('\r');
                _start = i + 1;
                return line;
            }
            if (!await FillAsync(ct)) return _start == _end ? null : throw new IOException("the stream ended inside a line");
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) throw new IOException("a header line is longer than 64 KiB");
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        _end += n;
        return n > 0;
    }

    /// <summary>Copies exactly <paramref name="length"/> body bytes to <paramref name="to"/>.</summary>
    public async Task CopyAsync(long length, Stream to, CancellationToken ct)
    {
        while (length > 0)
        {
            if (_start == _end && !await FillAsync(ct)) throw new IOException("the stream ended inside a body");
            var n = (int)Math.Min(length, _end - _start);
            await to.WriteAsync(_buffer.AsMemory(_start, n), ct);
            _start += n;
            length -= n;
        }
    }

    /// <summary>Relays a chunked body as it arrives (chunk lines, data and trailers), so streams stay live.</summary>
    public async Task CopyChunkedAsync(Stream to, CancellationToken ct)
    {
        while (true)
        {
            var line = await ReadLineAsync(ct) ?? throw new IOException("the stream ended inside a chunked body");
            await to.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"), ct);
            var size = Convert.ToInt64(line.Split(';', 2)[0].Trim(), 16);
            if (size == 0) break;
            await CopyAsync(size + 2, to, ct); // the data and its CRLF
            await to.FlushAsync(ct);
        }
        while (await ReadLineAsync(ct) is { } trailer) // trailer fields up to the empty line
        {
            await to.WriteAsync(Encoding.Latin1.GetBytes(trailer + "\r\n"), ct);
            if (trailer.Length == 0) return;
        }
        throw new IOException("the stream ended inside a chunked trailer");
    }

    /// <summary>Copies everything to the end of the stream (a body without a length, or an upgraded connection).</summary>
    public async Task CopyToEndAsync(Stream to, CancellationToken ct)
    {
        if (_end > _start) await to.WriteAsync(_buffer.AsMemory(_start, _end - _start), ct);
        _start = _end = 0;
        await _stream.CopyToAsync(to, ct);
    }

    /// <summary>The whole body of a message with this head, decoded (for the ones the proxy rewrites).</summary>
    public async Task<byte[]> ReadBodyAsync(HttpHead head, bool toEnd, CancellationToken ct)
    {
        using var body = new MemoryStream();
        if (head.Chunked)
        {
            using var framed = new MemoryStream();
            await CopyChunkedAsync(framed, ct);
            return Dechunk(framed.ToArray());
        }
        if (head.ContentLength is { } n) await CopyAsync(n, body, ct);
        else if (toEnd) await CopyToEndAsync(body, ct);
        return body.ToArray();
    }

    /// <summary>The data of a chunked body (chunk-size lines and trailers dropped).</summary>
    public static byte[] Dechunk(byte[] framed)
    {
        using var data = new MemoryStream();
        var i = 0;
        while (i < framed.Length)
        {
            var eol = Array.IndexOf(framed, (byte)'\n', i);
            if (eol < 0) break;
            var size = Convert.ToInt32(Encoding.Latin1.GetString(framed, i, eol - i).TrimEnd('\r').Split(';', 2)[0].Trim(), 16);
            if (size == 0) break;
            data.Write(framed, eol + 1, size);
            i = eol + 1 + size + 2;
        }
        return data.ToArray();
    }

    public async Task WriteAsync(HttpHead head, byte[]? body, CancellationToken ct)
    {
        await _stream.WriteAsync(head.Encode(), ct);
        if (body is { Length: > 0 }) await _stream.WriteAsync(body, ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Ends this side's sending (the peer reads end of stream) while reading may go on.</summary>
    public void ShutdownSend()
    {
        try { socket.Shutdown(SocketShutdown.Send); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    public void Dispose() => _stream.Dispose();
}
