using System.Net.Http;
using System.Net.Sockets;
using Terrarium.Lxd;

namespace Terrarium.UnitTests.Lxd;

/// <summary>
/// A GET that failed writing on a kept-alive connection the daemon had closed is sent once more; a daemon that
/// cannot be reached at all is not (its error says why at once).
/// </summary>
public class StaleConnectionTests
{
    private static HttpRequestException WriteFailed(SocketError error) =>
        new("Unable to write data", new IOException("Unable to write data to the transport connection: Broken pipe.", new SocketException((int)error)));

    [Theory]
    [InlineData(SocketError.Shutdown)] // EPIPE
    [InlineData(SocketError.ConnectionReset)]
    [InlineData(SocketError.ConnectionAborted)]
    public void A_write_that_failed_on_an_established_connection_is_stale(SocketError error) =>
        Assert.True(LxdClient.StaleConnection(WriteFailed(error)));

    [Fact]
    public void A_connection_that_could_not_be_made_is_not()
    {
        Assert.False(LxdClient.StaleConnection(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(LxdClient.StaleConnection(new HttpRequestException("no socket", new SocketException((int)SocketError.AddressNotAvailable))));
        Assert.False(LxdClient.StaleConnection(WriteFailed(SocketError.TimedOut)));
    }
}
