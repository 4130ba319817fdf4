using System.Net;
using Fleet.Controller.Broker;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Sim.Broker;

/// <summary>
/// The controller's <see cref="EmbeddedBroker"/> class, hosted alone on 127.0.0.1 with
/// <see cref="SharedSecretCredentials"/> and an in-memory database for retained messages: the same
/// broker code the controller runs, without the controller, for the reference throughput figure
/// and for simulator tests.
/// </summary>
public sealed class BenchBroker : IAsyncDisposable
{
    private readonly LiteDatabase _database = new(new MemoryStream());
    private readonly EmbeddedBroker _broker;

    private BenchBroker(int port, string secret)
    {
        Port = port;
        _broker = new EmbeddedBroker(
            // The reference's one subscriber takes every publisher's messages, as the controller takes the fleet's; the
            // controller's bound of queued messages per session (MaxPendingMessagesPerClient, 10,000) would drop some of them once it
            // falls behind (4,566 of 100,000 in one run), and a dropped message is not throughput.
            new EmbeddedBrokerOptions { BindAddress = IPAddress.Loopback, Port = port, MaxPendingMessagesPerClient = 1_000_000 },
            new SharedSecretCredentials(secret),
            new RetainedMessageStore(_database),
            NullLogger<EmbeddedBroker>.Instance);
    }

    public int Port { get; }

    public Uri Uri => new($"mqtt://127.0.0.1:{Port}");

    public static async Task<BenchBroker> StartAsync(int port, string secret)
    {
        var broker = new BenchBroker(port, secret);
        try
        {
            await broker._broker.StartAsync();
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        _database.Dispose();
    }
}
