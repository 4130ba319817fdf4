using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Fleet.Agent.Mqtt;
using Fleet.Controller.Broker;
using Fleet.IntegrationTests.Infrastructure;
using LiteDB;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Controller;

/// <summary>The controller's embedded broker on a real TCP port, with real MQTTnet clients.</summary>
public sealed class EmbeddedBrokerTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-broker-it-").FullName;
    private readonly int _port = FreePort.Next();
    private readonly CredentialTable _credentials = new();
    private readonly Dictionary<string, string> _secrets = [];
    private LiteDatabase? _database;
    private EmbeddedBroker? _broker;

    public async Task InitializeAsync()
    {
        foreach (var device in new[] { "pi-1", "pi-2" })
        {
            _secrets[device] = DeviceSecret.Create();
            _credentials.SetDevice(device, DeviceSecret.Hash(_secrets[device]));
        }

        _secrets[CredentialTable.ControllerUserName] = DeviceSecret.Create();
        _credentials.SetController(DeviceSecret.Hash(_secrets[CredentialTable.ControllerUserName]));
        await StartBrokerAsync();
    }

    public async Task DisposeAsync()
    {
        await StopBrokerAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Connect_WithWrongPassword_IsRefused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(Options("pi-1", "pi-1", "not-the-secret"));

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result.ResultCode);
    }

    [Fact]
    public async Task Connect_WithAnotherDevicesClientId_IsRefused()
    {
        using var client = new MqttClientFactory().CreateMqttClient();

        var result = await client.ConnectAsync(Options(clientId: "pi-2", user: "pi-1", _secrets["pi-1"]));

        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, result.ResultCode);
    }

    [Fact]
    public async Task Subscribe_ToAnotherDeviceOrAWildcard_IsRefused_OwnTopicsAllowed()
    {
        using var device = await ConnectAsync("pi-1");
        var factory = new MqttClientFactory();

        var result = await device.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter("fleet/v1/dev/pi-1/desired", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("fleet/v1/dev/pi-2/desired", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("fleet/v1/dev/+/desired", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("#", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var codes = result.Items.ToDictionary(i => i.TopicFilter.Topic, i => i.ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, codes["fleet/v1/dev/pi-1/desired"]);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, codes["fleet/v1/dev/pi-2/desired"]);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, codes["fleet/v1/dev/+/desired"]);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, codes["#"]);
    }

    [Fact]
    public async Task Publish_ToItsOwnDesiredOrAnotherDevicesStatus_IsRefused_AndNotDelivered()
    {
        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");
        var seen = await WatchAsync(controller, "fleet/v1/dev/#");
        using var device = await ConnectAsync("pi-1");

        var forged = await PublishAsync(device, "fleet/v1/dev/pi-1/desired", "{\"version\":999}", retain: true);
        var impersonated = await PublishAsync(device, "fleet/v1/dev/pi-2/status", "{}", retain: true);
        var own = await PublishAsync(device, "fleet/v1/dev/pi-1/status", "{\"ok\":true}", retain: true);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, impersonated.ReasonCode);
        Assert.True(own.IsSuccess);
        await Eventually.TrueAsync(() => seen.ContainsKey("fleet/v1/dev/pi-1/status"), TimeSpan.FromSeconds(5), "the allowed status arrives");
        Assert.False(seen.ContainsKey("fleet/v1/dev/pi-1/desired"));
        Assert.False(seen.ContainsKey("fleet/v1/dev/pi-2/status"));
    }

    [Fact]
    public async Task Publish_OverThePayloadCap_IsRefused()
    {
        using var device = await ConnectAsync("pi-1");

        var result = await PublishAsync(device, "fleet/v1/dev/pi-1/events", new string('x', 1024 * 1024 + 1), retain: false);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
    }

    [Fact]
    public async Task RetainedDesiredState_SurvivesABrokerRestart()
    {
        using (var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it"))
        {
            Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-2/desired", "{\"version\":7}", retain: true)).IsSuccess);
            await controller.DisconnectAsync();
        }

        await StopBrokerAsync();
        await StartBrokerAsync();

        using var device = await ConnectAsync("pi-2");
        var seen = await WatchAsync(device, "fleet/v1/dev/pi-2/desired");
        await Eventually.TrueAsync(() => seen.ContainsKey("fleet/v1/dev/pi-2/desired"), TimeSpan.FromSeconds(5), "the retained desired state is delivered after the restart");
        Assert.Equal("{\"version\":7}", seen["fleet/v1/dev/pi-2/desired"]);
    }

    [Fact]
    public async Task AgentSession_ConnectsToTheEmbeddedBroker_AndReceivesItsCommands()
    {
        var received = new ConcurrentQueue<string>();
        await using var session = new BrokerSession(
            new BrokerOptions
            {
                Server = new Uri($"mqtt://127.0.0.1:{_port}"),
                ClientId = "pi-1",
                Username = "pi-1",
                Password = _secrets["pi-1"],
                PresenceTopic = "fleet/v1/dev/pi-1/online",
                Subscriptions = ["fleet/v1/dev/pi-1/cmd"],
                Reconnect = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)),
            },
            (message, _) =>
            {
                received.Enqueue(Encoding.UTF8.GetString(message.Payload.Span));
                return Task.CompletedTask;
            },
            TimeProvider.System,
            NullLogger<BrokerSession>.Instance);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        session.ConnectedAsync = (_, _) =>
        {
            connected.TrySetResult();
            return Task.CompletedTask;
        };
        using var stop = new CancellationTokenSource();
        var run = session.RunAsync(stop.Token);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");
        await PublishAsync(controller, "fleet/v1/dev/pi-1/cmd", "report", retain: false);

        await Eventually.TrueAsync(() => received.Contains("report"), TimeSpan.FromSeconds(5), "the command reaches the agent");
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task DesiredState_ReachesTheSubscribedDevice_AndOnlyThatDevice()
    {
        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");
        using var pi1 = await ConnectAsync("pi-1");
        using var pi2 = await ConnectAsync("pi-2");
        var seen1 = await WatchAsync(pi1, "fleet/v1/dev/pi-1/desired");
        var seen2 = await WatchAsync(pi2, "fleet/v1/dev/pi-2/desired");

        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-1/desired", "{\"version\":1}", retain: true)).IsSuccess);

        await Eventually.TrueAsync(() => seen1.ContainsKey("fleet/v1/dev/pi-1/desired"), TimeSpan.FromSeconds(5), "pi-1 receives its desired state live");
        Assert.Equal("{\"version\":1}", seen1["fleet/v1/dev/pi-1/desired"]);
        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-2/desired", "{\"version\":2}", retain: true)).IsSuccess);
        await Eventually.TrueAsync(() => seen2.ContainsKey("fleet/v1/dev/pi-2/desired"), TimeSpan.FromSeconds(5), "pi-2 receives its own");
        Assert.Equal("{\"version\":2}", seen2["fleet/v1/dev/pi-2/desired"]);
        Assert.Single(seen1);
    }

    [Fact]
    public async Task PersistentSession_GetsWhatWasPublishedWhileAway_WithoutSubscribingAgain()
    {
        var options = new MqttClientFactory().CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("pi-1")
            .WithCredentials("pi-1", _secrets["pi-1"])
            .WithCleanStart(false)
            .WithSessionExpiryInterval(3600)
            .Build();
        using var device = new MqttClientFactory().CreateMqttClient();
        Assert.Equal(MqttClientConnectResultCode.Success, (await device.ConnectAsync(options)).ResultCode);
        await device.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder().WithTopicFilter("fleet/v1/dev/pi-1/cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await device.DisconnectAsync();

        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");
        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-1/cmd", "report", retain: false)).IsSuccess);

        var received = new ConcurrentQueue<string>();
        device.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        var resumed = await device.ConnectAsync(options);
        Assert.True(resumed.IsSessionPresent);
        await Eventually.TrueAsync(() => received.Contains("report"), TimeSpan.FromSeconds(5), "the command queued in the session arrives on reconnect");
    }

    [Fact]
    public async Task RetainedDesiredState_IsNotSent_WhenTheSubscriptionAsksNotTo()
    {
        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");
        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-1/desired", "{\"version\":3}", retain: true)).IsSuccess);
        using var plain = await ConnectAsync("pi-2");
        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-2/desired", "{\"version\":4}", retain: true)).IsSuccess);

        using var device = await ConnectAsync("pi-1");
        var received = new ConcurrentQueue<string>();
        device.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await device.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("fleet/v1/dev/pi-1/desired").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build());
        var retained = await WatchAsync(plain, "fleet/v1/dev/pi-2/desired");
        await Eventually.TrueAsync(() => retained.ContainsKey("fleet/v1/dev/pi-2/desired"), TimeSpan.FromSeconds(5), "a plain subscription gets the retained desired state");
        Assert.Empty(received);

        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-1/desired", "{\"version\":5}", retain: true)).IsSuccess);
        await Eventually.TrueAsync(() => received.Contains("{\"version\":5}"), TimeSpan.FromSeconds(5), "a new desired state still arrives");
        Assert.DoesNotContain("{\"version\":3}", received);
    }

    [Fact]
    public async Task ControllerCredentialedMonitor_SeesDesiredStates()
    {
        using var monitor = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-monitor-it");
        var seen = await WatchAsync(monitor, "fleet/v1/dev/#");
        using var controller = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-controller-it");

        Assert.True((await PublishAsync(controller, "fleet/v1/dev/pi-2/desired", "{\"version\":6}", retain: true)).IsSuccess);

        await Eventually.TrueAsync(() => seen.ContainsKey("fleet/v1/dev/pi-2/desired"), TimeSpan.FromSeconds(5), "the monitor sees the desired state");
    }

    [Fact]
    public async Task InProcessPublish_ReachesTheSubscribedDevice_IsKeptRetained_AndStepsAsideForAMonitor()
    {
        using var pi1 = await ConnectAsync("pi-1");
        var seen = await WatchAsync(pi1, "fleet/v1/dev/pi-1/desired");

        Assert.True(_broker!.TryPublishToDevice(Message("fleet/v1/dev/pi-1/desired", "{\"version\":7}")));
        Assert.True(_broker.TryPublishToDevice(Message("fleet/v1/dev/pi-2/desired", "{\"version\":8}")));
        Assert.False(_broker.TryPublishToDevice(Message("fleet/v1/other", "x")));

        await Eventually.TrueAsync(() => seen.ContainsKey("fleet/v1/dev/pi-1/desired"), TimeSpan.FromSeconds(5), "pi-1 receives its desired state live");
        Assert.Equal("{\"version\":7}", seen["fleet/v1/dev/pi-1/desired"]);
        using var pi2 = await ConnectAsync("pi-2");
        var retained = await WatchAsync(pi2, "fleet/v1/dev/pi-2/desired");
        await Eventually.TrueAsync(() => retained.ContainsKey("fleet/v1/dev/pi-2/desired"), TimeSpan.FromSeconds(5), "pi-2 gets the retained copy on subscribe");
        Assert.Equal("{\"version\":8}", retained["fleet/v1/dev/pi-2/desired"]);

        using var monitor = await ConnectAsync(CredentialTable.ControllerUserName, clientId: "fleet-monitor-it");
        await WatchAsync(monitor, "fleet/v1/dev/#");
        Assert.False(_broker.TryPublishToDevice(Message("fleet/v1/dev/pi-1/desired", "{\"version\":9}")));

        static MqttApplicationMessage Message(string topic, string payload) => new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(payload).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
    }

    private async Task StartBrokerAsync()
    {
        _database = new LiteDatabase(Path.Combine(_directory, "controller.db"));
        _broker = new EmbeddedBroker(
            new EmbeddedBrokerOptions { BindAddress = IPAddress.Loopback, Port = _port },
            _credentials,
            new RetainedMessageStore(_database),
            NullLogger<EmbeddedBroker>.Instance);
        await _broker.StartAsync();
    }

    private async Task StopBrokerAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _database?.Dispose();
    }

    private MqttClientOptions Options(string clientId, string user, string password) => new MqttClientFactory().CreateClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", _port)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithClientId(clientId)
        .WithCredentials(user, password)
        .Build();

    private async Task<IMqttClient> ConnectAsync(string user, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(clientId ?? user, user, _secrets[user]));
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static async Task<ConcurrentDictionary<string, string>> WatchAsync(IMqttClient client, string filter)
    {
        var seen = new ConcurrentDictionary<string, string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            seen[e.ApplicationMessage.Topic] = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return seen;
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, string payload, bool retain) =>
        client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
}
