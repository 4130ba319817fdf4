using System.Net;
using System.Text;
using Fleet.Controller.Rollouts;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Controller;

/// <summary>Ingest of what devices publish, and the desired states the controller publishes to them, over the real broker.</summary>
public sealed class ControllerDeviceTrafficTests : IAsyncLifetime
{
    private RunningController _controller = null!;

    public async Task InitializeAsync()
    {
        _controller = await RunningController.StartAsync();
        await _controller.InitKeysAsync();
    }

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Ingest_StoresStatusPresenceAndEvents_DroppingRedeliveredEventsBySeq()
    {
        var enrolled = await _controller.EnrollAsync("pi-1");
        using var device = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled.Broker);
        var batch = ProtocolJson.Serialize(
            new EventBatch { DeviceId = "pi-1", Events = [Event(1, EventKinds.Received), Event(2, EventKinds.Committed)] },
            ProtocolJsonContext.Default.EventBatch);

        await device.PublishAsync("fleet/v1/dev/pi-1/online", Presence.Encode(true), retain: true);
        await device.PublishAsync("fleet/v1/dev/pi-1/events", batch);
        await device.PublishAsync("fleet/v1/dev/pi-1/events", batch);
        await device.PublishAsync("fleet/v1/dev/pi-1/status", ProtocolJson.Serialize(
            new DeviceStatus { DeviceId = "pi-1", AgentVersion = "0.1.0", Seq = 7, ReportedAt = DateTimeOffset.UtcNow, Phase = DeploymentPhases.Committed, AppliedVersion = 3 },
            ProtocolJsonContext.Default.DeviceStatus), retain: true);

        DeviceDetail? detail = null;
        await Eventually.TrueAsync(
            () => (detail = Detail("pi-1")) is { Status.Seq: 7, Device.Online: true, Events.Count: 2 },
            TimeSpan.FromSeconds(10),
            () => $"the device shows its status, presence and two events; now: {Json(detail)}; log:\n{_controller.Log}");
        await device.PublishAsync("fleet/v1/dev/pi-1/events", batch);
        await device.PublishAsync("fleet/v1/dev/pi-1/events", ProtocolJson.Serialize(
            new EventBatch { DeviceId = "pi-1", Events = [Event(3, EventKinds.Verifying)] }, ProtocolJsonContext.Default.EventBatch));
        await Eventually.TrueAsync(() => (detail = Detail("pi-1"))!.Events.Count == 3, TimeSpan.FromSeconds(10), () => Json(detail));
        Assert.Equal([1L, 2L, 3L], detail!.Events.Select(e => e.Seq));
        Assert.Equal((DeploymentPhases.Committed, 3L), (detail.Device.Phase, detail.Device.AppliedVersion));
        var online = await _controller.GetAsync("/api/v1/devices?status=online", ApiJsonContext.Default.IReadOnlyListDeviceSummary);
        Assert.Equal(["pi-1"], online.Select(d => d.Id));
        Assert.Contains("fleet_devices_online 1", await _controller.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assign_PublishesTheDevicesFullSignedDesiredState_RetainedWithGrowingVersions()
    {
        var enrolled = await _controller.EnrollAsync("pi-1");
        var web = await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        var db = await _controller.PushStackAsync("db", "services:\n  db:\n    image: postgres:16\n");
        var publisher = _controller.Service<IDesiredStatePublisher>();

        var first = await publisher.AssignAsync("pi-1", "web", 1, new RolloutRef("r-1", 1), TimeSpan.FromSeconds(30), CancellationToken.None);
        var second = await publisher.AssignAsync("pi-1", "db", 1, null, null, CancellationToken.None);

        using var device = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled.Broker, "fleet/v1/dev/pi-1/desired");
        await Eventually.TrueAsync(() => !device.Received.IsEmpty, TimeSpan.FromSeconds(10), "the retained desired state arrives");
        var desired = Verify(enrolled, device.Received.Last().Payload);
        Assert.True(second > first, $"{second} > {first}");
        Assert.Equal(second, desired.Version);
        Assert.Equal("pi-1", desired.DeviceId);
        Assert.Equal(["db", "web"], desired.Stacks.Select(s => s.Name));
        Assert.Equal([db.Digest, web.Digest], desired.Stacks.Select(s => s.Digest));
        Assert.Equal(TimeSpan.FromSeconds(30), desired.Stacks[1].HealthWindow);
        Assert.Equal(1, publisher.AssignedVersion("pi-1", "web"));

        var third = await publisher.AssignAsync("pi-1", "web", null, null, null, CancellationToken.None);

        await Eventually.TrueAsync(() => Verify(enrolled, device.Received.Last().Payload).Version == third, TimeSpan.FromSeconds(10), "the removal is published");
        Assert.Equal(["db"], Verify(enrolled, device.Received.Last().Payload).Stacks.Select(s => s.Name));
        Assert.Null(publisher.AssignedVersion("pi-1", "web"));
    }

    [Fact]
    public async Task Delete_RevokesTheCredentials_AndClearsTheRetainedTopics()
    {
        var enrolled = await _controller.EnrollAsync("pi-1");
        await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        await _controller.Service<IDesiredStatePublisher>().AssignAsync("pi-1", "web", 1, null, null, CancellationToken.None);

        using var deleted = await _controller.Http.DeleteAsync(new Uri("/api/v1/devices/pi-1", UriKind.Relative));

        await RunningController.ExpectAsync(deleted, HttpStatusCode.NoContent);
        var (refused, code) = await DeviceConnection.TryConnectAsync(_controller.MqttPort, enrolled.Broker);
        Assert.Null(refused);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.BadUserNameOrPassword, code);
        var broker = _controller.Service<Fleet.Controller.Broker.EmbeddedBroker>();
        await Eventually.TrueAsync(
            () => !broker.Server.GetRetainedMessagesAsync().GetAwaiter().GetResult().Any(m => m.Topic.StartsWith("fleet/v1/dev/pi-1/", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "no retained message is left under the device's topics");
        using var gone = await _controller.Http.GetAsync(new Uri("/api/v1/devices/pi-1", UriKind.Relative));
        await RunningController.ExpectAsync(gone, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Logs_ForAnOfflineDevice_AreADeviceOfflineConflict()
    {
        await _controller.EnrollAsync("pi-1");
        await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        await _controller.Service<IDesiredStatePublisher>().AssignAsync("pi-1", "web", 1, null, null, CancellationToken.None);

        using var response = await _controller.Http.GetAsync(new Uri("/api/v1/devices/pi-1/logs?service=web", UriKind.Relative));

        Assert.Equal("device-offline", (await RunningController.ExpectAsync(response, HttpStatusCode.Conflict))!.Error);
    }

    private static DesiredState Verify(Fleet.Protocol.Enrollment.EnrollmentResponse enrolled, byte[] envelope)
    {
        var trust = TrustStore.Create(enrolled.Root).Apply(enrolled.Trust).Value!;
        var verified = new EnvelopeVerifier(TimeProvider.System).Verify(envelope, trust, ProtocolJsonContext.Default.DesiredState);
        Assert.True(verified.IsAccepted, verified.ToString());
        return verified.Value!;
    }

    // Eventually polls synchronously, as the other integration tests do with their engine calls.
    private DeviceDetail? Detail(string id) =>
        _controller.GetAsync($"/api/v1/devices/{id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult();

    private static string Json(DeviceDetail? detail) =>
        detail is null ? "null" : Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(detail, ApiJsonContext.Default.DeviceDetail));

    private static DeviceEvent Event(long seq, string kind) => new() { Seq = seq, Time = DateTimeOffset.UtcNow, Kind = kind, Version = 3 };
}
