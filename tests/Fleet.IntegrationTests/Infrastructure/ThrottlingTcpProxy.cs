using System.Net;
using System.Net.Sockets;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of a real server (e.g. <see cref="DockerRegistry"/>) that
/// passes what the server sends at no more than <see cref="BytesPerSecond"/>: a slow link, so that a pull
/// takes seconds and a test can act while a device is downloading. Requests to the server pass unthrottled.
/// </summary>
internal sealed class ThrottlingTcpProxy : IAsyncDisposable
{
    private const int Chunk = 16 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ThrottlingTcpProxy(int targetPort, int bytesPerSecond)
    {
        _target = targetPort;
        BytesPerSecond = bytesPerSecond;
        _listener.Start();
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The host as image references name it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public int BytesPerSecond { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
            // The listener stopped under the pending accept.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(cancellationToken);
            _ = RelayAsync(client, cancellationToken);
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target, cancellationToken);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var up = PumpAsync(client.GetStream(), server.GetStream(), null, either.Token);
                var down = PumpAsync(server.GetStream(), client.GetStream(), BytesPerSecond, either.Token);
                await Task.WhenAny(up, down);
                await either.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // One side went away: the connection ends, as it would on a real link.
            }
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, int? bytesPerSecond, CancellationToken cancellationToken)
    {
        var buffer = new byte[Chunk];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                if (bytesPerSecond is { } rate)
                {
                    // The rate limit itself, not a wait for a condition.
                    await Task.Delay(TimeSpan.FromSeconds((double)read / rate), cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
        }
    }
}
