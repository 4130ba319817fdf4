using System.Net.Sockets;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Answers <c>fleet-agent status</c> on a unix socket in the data directory: the running agent
/// owns the database, so other processes ask it instead of opening the file (two LiteDB writers
/// corrupt it). Each connection gets one JSON document, then the socket closes.
/// </summary>
public static class LocalStatusServer
{
    public const string FileName = "agent.sock";

    public static async Task RunAsync(string dataDirectory, Func<byte[]> snapshot, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dataDirectory, FileName);
        File.Delete(path); // a socket file left by a killed agent; the directory lock says we own it now
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(8);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(cancellationToken);
                await client.SendAsync(snapshot(), SocketFlags.None, cancellationToken);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Asks a running agent; null when none answers on the data directory's socket.</summary>
    public static async Task<byte[]?> AskAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        using var socket = await LocalSocket.ConnectAsync(dataDirectory, FileName, cancellationToken);
        return socket is null ? null : await LocalSocket.ReadToEndAsync(socket, int.MaxValue, cancellationToken);
    }
}
