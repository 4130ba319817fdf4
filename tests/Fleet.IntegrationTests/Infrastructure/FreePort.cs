using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.IntegrationTests.Infrastructure;

internal static class FreePort
{
    private const int Floor = 10000;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> Given = [];
    private static readonly int Ceiling = EphemeralLow();

    /// <summary>
    /// A TCP port on 127.0.0.1 that nothing listens on right now and that this run has not handed out before,
    /// below the kernel's ephemeral range: a port from that range can become some outgoing connection's local
    /// port before the server the test starts binds it (seen in CI: mosquitto "Address already in use").
    /// </summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Floor, Ceiling);
                if (Given.Contains(port) || !Bindable(port))
                {
                    continue;
                }

                Given.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port on 127.0.0.1 in [{Floor}, {Ceiling})");
    }

    /// <summary>Waits until something accepts connections on the port.</summary>
    public static async Task WaitListeningAsync(int port, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"nothing listens on 127.0.0.1:{port} after {timeout}: {describe()}", ex);
            }
        }
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // The lower end of net.ipv4.ip_local_port_range (32768 by default); 20000 if it cannot be read or leaves no room.
    private static int EphemeralLow()
    {
        try
        {
            var low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], CultureInfo.InvariantCulture);
            return low > Floor + 1000 ? low : 20000;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return 20000;
        }
    }
}
