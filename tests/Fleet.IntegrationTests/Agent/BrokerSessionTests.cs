using System.Collections.Concurrent;
using System.Text;
using Fleet.Agent.Mqtt;
using Fleet.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Agent;

/// <summary>The agent's MQTT session against a real mosquitto (a broker of its own per test).</summary>
public sealed class BrokerSessionTests : IAsyncLifetime
{
    private static readonly Backoff FastBackoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400));
    private readonly MosquittoBroker _broker = new();
    private readonly string _deviceId = $"it-{Guid.NewGuid():N}"[..20];

    public Task InitializeAsync() => _broker.InitializeAsync();

    public Task DisposeAsync() => _broker.DisposeAsync();

    [Fact]
    public async Task Session_WhenMessagesArriveWhileAway_DeliversThemInOrderOnReconnect()
    {
        var received = new ConcurrentQueue<string>();
        await using (var first = NewSession(received))
        {
            await RunUntilConnectedAsync(first, CancellationToken.None);
        }

        for (var i = 1; i <= 3; i++)
        {
            await PublishAsync(CmdTopic, $"command {i}", retain: false);
        }

        Assert.Empty(received);
        using var stop = new CancellationTokenSource();
        await using var second = NewSession(received);
        var run = second.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => received.Count == 3, TimeSpan.FromSeconds(10), "the three commands sent while away arrive");
        Assert.Equal(["command 1", "command 2", "command 3"], received);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Session_WhenBrokerRestarts_ReconnectsByItselfAndSaysOnlineAgain()
    {
        var connects = 0;
        await using var session = NewSession(new ConcurrentQueue<string>());
        session.ConnectedAsync = (_, _) =>
        {
            Interlocked.Increment(ref connects);
            return Task.CompletedTask;
        };
        using var stop = new CancellationTokenSource();
        var run = session.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => connects == 1, TimeSpan.FromSeconds(10), "first connect");

        await _broker.StopAsync();
        await Eventually.TrueAsync(() => !session.IsConnected, TimeSpan.FromSeconds(10), "the session notices the broker is gone");
        await _broker.StartAsync();

        await Eventually.TrueAsync(() => connects == 2, TimeSpan.FromSeconds(15), "the session reconnects without help");
        Assert.Equal(BrokerSession.Online, await ReadRetainedAsync(PresenceTopic));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Session_OnGracefulStop_LeavesPresenceOffline()
    {
        await using (var session = NewSession(new ConcurrentQueue<string>()))
        {
            await RunUntilConnectedAsync(session, CancellationToken.None);
            Assert.Equal(BrokerSession.Online, await ReadRetainedAsync(PresenceTopic));
        }

        Assert.Equal(BrokerSession.Offline, await ReadRetainedAsync(PresenceTopic));
    }

    [Fact]
    public async Task Publish_WhenBrokerIsDown_ReturnsFalseInsteadOfThrowing()
    {
        await using var session = NewSession(new ConcurrentQueue<string>());
        await RunUntilConnectedAsync(session, CancellationToken.None);
        await _broker.StopAsync();
        await Eventually.TrueAsync(() => !session.IsConnected, TimeSpan.FromSeconds(10), "the session notices the broker is gone");

        Assert.False(await session.PublishAsync($"fleet/v1/dev/{_deviceId}/events", "x"u8.ToArray(), retain: false, CancellationToken.None));
    }

    private string CmdTopic => $"fleet/v1/dev/{_deviceId}/cmd";

    private string PresenceTopic => $"fleet/v1/dev/{_deviceId}/online";

    private BrokerSession NewSession(ConcurrentQueue<string> received) => new(
        new BrokerOptions
        {
            Server = new Uri($"mqtt://127.0.0.1:{_broker.Port}"),
            ClientId = _deviceId,
            KeepAlive = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            Reconnect = FastBackoff,
            PresenceTopic = PresenceTopic,
            Subscriptions = [CmdTopic],
        },
        (message, _) =>
        {
            received.Enqueue(Encoding.UTF8.GetString(message.Payload.Span));
            return Task.CompletedTask;
        },
        TimeProvider.System,
        NullLogger<BrokerSession>.Instance);

    /// <summary>Runs the session until its first connect, then stops the loop (the connection stays).</summary>
    private static async Task RunUntilConnectedAsync(BrokerSession session, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.ConnectedAsync = (_, _) =>
        {
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        var run = session.RunAsync(stop.Token);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        await stop.CancelAsync();
        await run;
    }

    private async Task PublishAsync(string topic, string payload, bool retain)
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        await client.ConnectAsync(Options(factory));
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess);
        await client.DisconnectAsync();
    }

    private async Task<string> ReadRetainedAsync(string topic)
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Options(factory));
        await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var value = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await client.DisconnectAsync();
        return value;
    }

    private MqttClientOptions Options(MqttClientFactory factory) => factory.CreateClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", _broker.Port)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithClientId($"it-observer-{Guid.NewGuid():N}")
        .Build();
}
