using System.Text;
using Fleet.Controller.Rollouts;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.IntegrationTests.Controller;

/// <summary>The same controller against a real mosquitto instead of its embedded broker.</summary>
public sealed class ControllerExternalBrokerTests : IAsyncLifetime
{
    private readonly MosquittoBroker _mosquitto = new();
    private RunningController _controller = null!;

    public async Task InitializeAsync()
    {
        await _mosquitto.InitializeAsync();
        _controller = await RunningController.StartAsync(options =>
        {
            options.ExternalBroker = $"mqtt://127.0.0.1:{_mosquitto.Port}";
            options.ExternalBrokerUsername = "fleet-controller";
        });
        await _controller.InitKeysAsync();
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        await _mosquitto.DisposeAsync();
    }

    [Fact]
    public async Task ExternalBroker_IngestsThroughSharedSubscriptions_AndTakesTheRetainedDesiredState()
    {
        var enrolled = await _controller.EnrollAsync("pi-1");
        await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        using var device = await MqttProbe.ConnectAsync(_mosquitto.Port);

        await device.PublishAsync("fleet/v1/dev/pi-1/status", ProtocolJson.Serialize(
            new DeviceStatus { DeviceId = "pi-1", AgentVersion = "0.1.0", Seq = 1, ReportedAt = DateTimeOffset.UtcNow, Phase = DeploymentPhases.Idle },
            ProtocolJsonContext.Default.DeviceStatus), retain: true);
        var version = await _controller.Service<IDesiredStatePublisher>().AssignAsync("pi-1", "web", 1, null, null, CancellationToken.None);

        Assert.Equal(new Uri($"mqtt://127.0.0.1:{_mosquitto.Port}"), enrolled.Broker.Uri);
        Assert.Contains("(shared subscriptions: True)", _controller.Log, StringComparison.Ordinal);
        await Eventually.TrueAsync(
            () => _controller.GetAsync("/api/v1/devices/pi-1", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Status?.Seq == 1,
            TimeSpan.FromSeconds(10),
            () => $"the status published on mosquitto reaches the controller; log:\n{_controller.Log}");
        using var late = await MqttProbe.ConnectAsync(_mosquitto.Port, "fleet/v1/dev/pi-1/desired");
        await Eventually.TrueAsync(() => !late.Received.IsEmpty, TimeSpan.FromSeconds(10), "mosquitto holds the desired state retained");
        Assert.Contains($"\"version\":{version}", Encoding.UTF8.GetString(Convert.FromBase64String(
            System.Text.Json.JsonDocument.Parse(late.Received.First().Payload).RootElement.GetProperty("payload").GetString()!)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExternalBroker_AfterAControllerRestart_KnowsWhichDevicesAreOnline_FromTheirRetainedPresence()
    {
        await _controller.EnrollAsync("pi-1");
        await _controller.EnrollAsync("pi-2");
        using var devices = await MqttProbe.ConnectAsync(_mosquitto.Port);
        await devices.PublishAsync("fleet/v1/dev/pi-1/online", Presence.Encode(online: true), retain: true);
        await devices.PublishAsync("fleet/v1/dev/pi-2/online", Presence.Encode(online: false), retain: true);
        await Eventually.TrueAsync(() => Online("pi-1"), TimeSpan.FromSeconds(10), () => $"pi-1's presence reaches the controller; log:\n{_controller.Log}");

        // The devices stay connected to mosquitto and publish nothing again; a restarted controller counts every
        // device offline until the broker tells it otherwise. (Presence is subscribed unshared because MQTT 5
        // gives a shared subscription no retained messages; mosquitto 2.0.11 gives them anyway, so here this
        // holds either way. ControllerSubscriptionsTests pins the unshared filter.)
        await _controller.RestartAsync();

        await Eventually.TrueAsync(() => Online("pi-1"), TimeSpan.FromSeconds(10), () => $"pi-1's retained presence reaches the restarted controller; log:\n{_controller.Log}");
        Assert.False(Online("pi-2"));
    }

    private bool Online(string id) =>
        _controller.GetAsync($"/api/v1/devices/{id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Device.Online;
}
