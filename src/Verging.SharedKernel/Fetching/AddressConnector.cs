using System.Net;
using System.Net.Sockets;

namespace Verging.SharedKernel.Fetching;

/// <summary>Opens the TCP connection to an address the guard already checked. A seam so tests can count connection attempts.</summary>
internal interface IAddressConnector
{
    ValueTask<Stream> ConnectAsync(IPAddress address, int port, CancellationToken cancellation);
}

internal sealed class TcpAddressConnector : IAddressConnector
{
    public async ValueTask<Stream> ConnectAsync(IPAddress address, int port, CancellationToken cancellation)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
