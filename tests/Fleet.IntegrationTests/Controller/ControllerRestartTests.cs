using Fleet.Controller.Rollouts;
using Fleet.Controller.Storage;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Controller;

/// <summary>A restarted controller has every device, stack, token and retained desired state it had.</summary>
public sealed class ControllerRestartTests : IAsyncLifetime
{
    private RunningController _controller = null!;

    public async Task InitializeAsync() => _controller = await RunningController.StartWithKeysAsync();

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Restart_KeepsDevicesStacksTokensKeysAndTheRetainedDesiredStates()
    {
        var enrolled = await _controller.EnrollAsync("pi-1", ("site", "berlin"));
        var stack = await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        var version = await _controller.Service<IDesiredStatePublisher>().AssignAsync("pi-1", "web", 1, null, null, CancellationToken.None);
        var token = await _controller.CreateTokenAsync(3);
        var keysBefore = await _controller.GetAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo);

        await _controller.RestartAsync();

        var devices = await _controller.GetAsync("/api/v1/devices", ApiJsonContext.Default.IReadOnlyListDeviceSummary);
        Assert.Equal("berlin", Assert.Single(devices).Labels["site"]);
        var stacks = await _controller.GetAsync("/api/v1/stacks", ApiJsonContext.Default.IReadOnlyListStackSummary);
        Assert.Equal((stack.Digest, 1), (Assert.Single(stacks).Digest, stacks[0].LatestVersion));
        var tokens = await _controller.GetAsync("/api/v1/tokens", ApiJsonContext.Default.IReadOnlyListTokenInfo);
        Assert.Contains(tokens, t => token.StartsWith(t.Id + ".", StringComparison.Ordinal) && t.UsesLeft == 3);
        var keysAfter = await _controller.GetAsync("/api/v1/keys", ApiJsonContext.Default.KeysInfo);
        Assert.Equal(keysBefore.Active!.Kid, keysAfter.Active!.Kid);
        Assert.Equal(1, _controller.Service<IDesiredStatePublisher>().AssignedVersion("pi-1", "web"));

        using var device = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled.Broker, "fleet/v1/dev/pi-1/desired");
        await Eventually.TrueAsync(() => !device.Received.IsEmpty, TimeSpan.FromSeconds(10), "the retained desired state survived the restart");
        var trust = TrustStore.Create(enrolled.Root).Apply(enrolled.Trust).Value!;
        var desired = new EnvelopeVerifier(TimeProvider.System).Verify(device.Received.First().Payload, trust, ProtocolJsonContext.Default.DesiredState);
        Assert.True(desired.IsAccepted, desired.ToString());
        Assert.Equal(version, desired.Value!.Version);

        await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:2\n");
        var next = await _controller.Service<IDesiredStatePublisher>().AssignAsync("pi-1", "web", 2, null, null, CancellationToken.None);
        Assert.True(next > version, $"after a restart the fleet-wide version still grows: {next} > {version}");

        // Again: what was assigned after the first restart is kept by the second one as well.
        await _controller.RestartAsync();

        Assert.Equal(2, _controller.Service<IDesiredStatePublisher>().AssignedVersion("pi-1", "web"));
        using var again = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled.Broker, "fleet/v1/dev/pi-1/desired");
        await Eventually.TrueAsync(() => !again.Received.IsEmpty, TimeSpan.FromSeconds(10), "the retained desired state survived the second restart");
        var latest = new EnvelopeVerifier(TimeProvider.System).Verify(again.Received.First().Payload, trust, ProtocolJsonContext.Default.DesiredState);
        Assert.Equal(next, latest.Value!.Version);
    }

    [Fact]
    public async Task ConcurrentPublishes_AreCommittedTogether_AndEveryOneIsKeptAcrossARestart()
    {
        var ids = Enumerable.Range(1, 40).Select(i => $"pi-{i:D2}").ToList();
        var enrolled = new List<EnrollmentResponse>();
        foreach (var id in ids)
        {
            enrolled.Add(await _controller.EnrollAsync(id));
        }

        await _controller.PushStackAsync("web", "services:\n  web:\n    image: nginx:1\n");
        var publisher = _controller.Service<IDesiredStatePublisher>();

        await Task.WhenAll(ids.Select(id => publisher.AssignAsync(id, "web", 1, null, null, CancellationToken.None)));
        // Group commit (StoreGatherMilliseconds, 20 ms): one batch document per commit, not one per device.
        var batches = _controller.Service<ControllerDatabase>().Database.GetCollection("retained_ahead").Count();
        await _controller.RestartAsync();

        Assert.InRange(batches, 1, 3);
        Assert.All(ids, id => Assert.Equal(1, _controller.Service<IDesiredStatePublisher>().AssignedVersion(id, "web")));
        using var device = await DeviceConnection.ConnectAsync(_controller.MqttPort, enrolled[^1].Broker, "fleet/v1/dev/pi-40/desired");
        await Eventually.TrueAsync(() => !device.Received.IsEmpty, TimeSpan.FromSeconds(10), "pi-40's retained desired state survived the restart");
    }
}
