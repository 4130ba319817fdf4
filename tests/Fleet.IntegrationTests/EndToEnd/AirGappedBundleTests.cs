using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.IntegrationTests.Cli;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// A device cut off from the broker (its own dockerd, the native agent) runs a release that came on a bundle made
/// by the real console and imported with <c>fleet-agent bundle import</c>. When it reaches the broker again, what
/// it did reaches the controller, and the older desired state that waited there for it (retained, from a rollout
/// while it was away) is refused: the version only grows, whichever way a desired state came.
/// </summary>
public sealed class AirGappedBundleTests : IAsyncLifetime
{
    private readonly string _name = $"gap-{Guid.NewGuid():N}"[..14];
    private readonly string _stack = $"s{Guid.NewGuid():N}"[..12];
    private readonly DirectoryInfo _stick = Directory.CreateTempSubdirectory("fleet-e2e-stick-");
    private RunningController _controller = null!;
    private FleetDevice _device = null!;

    private string Target => "e2e=" + _name;

    /// <summary>The device's labels, as the bundle's target selects them.</summary>
    private Dictionary<string, string> Labels => new() { ["Labels__e2e"] = _name };

    public async Task InitializeAsync()
    {
        _controller = await RunningController.StartWithKeysAsync();
        // No images in the device's engine: only the bundle brings them.
        _device = await FleetDevice.EnrollAsync(_controller, _name + "-d0", await DeviceEngine.StartAsync(), ("e2e", _name));
    }

    public async Task DisposeAsync()
    {
        await _device.DisposeAsync();
        await _controller.DisposeAsync();
        _stick.Delete(recursive: true);
    }

    [Fact]
    public async Task BundleFromTheConsole_RunsOnADeviceCutOffFromTheBroker_AndTheOlderRetainedDesiredStateIsRefusedWhenItReconnects()
    {
        _device.StartAgentCutOff(Labels);
        await _controller.PushStackAsync(_stack, FleetRolloutScenario.Compose(TestImages.Busybox));
        var rollout = await _controller.PostAsync(
            "/api/v1/rollouts",
            new RolloutRequest { Stack = _stack, Version = 1, Target = Target, WaveTimeoutSeconds = 1 },
            ApiJsonContext.Default.RolloutRequest,
            ApiJsonContext.Default.RolloutInfo);
        await Eventually.TrueAsync(
            () => (rollout = _controller.GetAsync($"/api/v1/rollouts/{rollout.Id}", ApiJsonContext.Default.RolloutInfo).GetAwaiter().GetResult()).State == RolloutStates.Completed,
            TimeSpan.FromSeconds(30),
            () => $"the rollout passes the device it cannot reach at its time limit: {rollout.State} {rollout.Reason}");
        Assert.Equal(1, rollout.Waves.Single().Counts.Offline);

        await _controller.PushStackAsync(_stack, FleetRolloutScenario.Compose(TestImages.BusyboxV2));
        var bundle = Path.Combine(_stick.FullName, "release.bundle");
        var (createExit, created) = await FleetCli.RunAsync(
            _controller.ConsoleEnvironment, TimeSpan.FromMinutes(2), "bundle", "create", $"{_stack}:2", "--out", bundle, "--target", Target);
        Assert.True(createExit == 0, created);
        Assert.NotEqual(0, _device.Engine.Docker(TimeSpan.FromSeconds(30), "image", "inspect", TestImages.BusyboxV2).ExitCode);

        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(_device.Data, "bundle.sock")), TimeSpan.FromSeconds(30), () => $"the agent listens on bundle.sock:\n{_device.Output}");
        var (importExit, imported) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromMinutes(2), "bundle", "import", bundle, "--data", _device.Data);

        Assert.True(importExit == 0, imported);
        var version = long.Parse(Regex.Match(imported, @"version (\d+) accepted").Groups[1].Value, CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(
            () => _device.RunningImages(_stack).SequenceEqual([TestImages.BusyboxV2])
                && _device.LocalStatusAsync().GetAwaiter().GetResult().Status.Phase == DeploymentPhases.Committed,
            TimeSpan.FromSeconds(60),
            () => $"the bundle's release runs and commits with no broker; agent:\n{_device.Output}");
        var container = _device.Engine.RunningContainers(_stack, "{{.ID}}");
        Assert.False(Detail().Device.Online);

        // The network is back.
        await _device.StopAgentAsync();
        _device.StartAgent(Labels);

        DeviceDetail detail = Detail();
        await Eventually.TrueAsync(
            () => (detail = Detail()) is { Device.Online: true, Device.AppliedVersion: { } applied } && applied == version
                && detail.Events.Any(e => e.Kind == EventKinds.Rejected),
            TimeSpan.FromSeconds(60),
            () => $"the controller sees version {version} applied and the retained desired state refused: {System.Text.Json.JsonSerializer.Serialize(detail, ApiJsonContext.Default.DeviceDetail)}; agent:\n{_device.Output}");
        var refused = detail.Events.Single(e => e.Kind == EventKinds.Rejected);
        Assert.Equal("replayed", refused.Code);
        Assert.True(refused.Version < version, $"the refused desired state is the older one: {refused.Version} < {version}");
        // What the device journaled while cut off arrived too: the bundle's release from intake to commit.
        Assert.Equal(
            [EventKinds.Received, EventKinds.Verified, EventKinds.Stored, EventKinds.Committed],
            detail.Events.Where(e => e.Version == version && e.Kind is EventKinds.Received or EventKinds.Verified or EventKinds.Stored or EventKinds.Committed).Select(e => e.Kind));
        Assert.Equal(version, detail.Status!.DesiredVersion);
        Assert.Equal(container, _device.Engine.RunningContainers(_stack, "{{.ID}}"));
    }

    private DeviceDetail Detail() => _controller.GetAsync($"/api/v1/devices/{_device.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult();
}
