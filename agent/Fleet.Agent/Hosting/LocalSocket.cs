using System.Net.Sockets;

namespace Fleet.Agent.Hosting;

/// <summary>The client side of the running agent's unix sockets in its data directory (status, bundle import).</summary>
public static class LocalSocket
{
    /// <summary>A connected socket, or null when no agent listens on <paramref name="fileName"/> in <paramref name="dataDirectory"/>.</summary>
    public static async Task<Socket?> ConnectAsync(string dataDirectory, string fileName, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, fileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>Reads until the peer closes its side, or <paramref name="maxBytes"/> arrived.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < maxBytes && (read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
