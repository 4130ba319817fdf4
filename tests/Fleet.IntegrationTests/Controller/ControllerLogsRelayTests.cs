using System.Globalization;
using System.Net;
using Fleet.Controller.Rollouts;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// The real controller and the real native agent on the real engine: the device enrolls over REST,
/// connects to the embedded broker with its credentials, applies what the controller assigns, and
/// answers logs relayed through the controller.
/// </summary>
public sealed class ControllerLogsRelayTests : IAsyncLifetime
{
    private readonly string _deviceId = $"it-{Guid.NewGuid():N}"[..20];
    private readonly string _agentData = Directory.CreateTempSubdirectory("fleet-agent-ctl-it-").FullName;
    private RunningController _controller = null!;
    private TestProject _stack = null!;

    public async Task InitializeAsync()
    {
        _controller = await RunningController.StartAsync();
        await _controller.InitKeysAsync();
        _stack = await TestProject.CreateAsync("fleet-it");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _controller.DisposeAsync();
        Directory.Delete(_agentData, recursive: true);
    }

    [Fact]
    public async Task Logs_AreRelayedToTheDeviceAndBack()
    {
        var enrolled = await _controller.EnrollAsync(_deviceId);
        await _controller.PushStackAsync(_stack.Name, $$"""
            services:
              app:
                image: {{TestImages.Busybox}}
                command: ["sh", "-c", "echo hello-from-$$FLEET_DEVICE; exec sleep 2147483647"]
                environment:
                  FLEET_DEVICE: ${FLEET_DEVICE_ID}
                labels:
                  {{TestImages.TestLabel}}: "1"
                stop_grace_period: 1s
            """);
        await _controller.Service<IDesiredStatePublisher>().AssignAsync(_deviceId, _stack.Name, 1, null, null, CancellationToken.None);
        await using var agent = StartAgent(enrolled);
        try
        {
            DeviceSummary? device = null;
            await Eventually.TrueAsync(
                () => (device = Device()) is { Online: true, Phase: DeploymentPhases.Committed },
                TimeSpan.FromSeconds(60),
                () => $"the controller sees the device online with the stack committed; now {device?.Phase}/{device?.Online}; agent:\n{agent.Output}\ncontroller:\n{_controller.Log}");
            Assert.Equal(1, Assert.Single(device!.Stacks).Version);

            var logs = await _controller.GetAsync($"/api/v1/devices/{_deviceId}/logs?service=app&tail=20", ApiJsonContext.Default.LogsResponse);
            using var missing = await _controller.Http.GetAsync(new Uri($"/api/v1/devices/{_deviceId}/logs?service=nope&stack={_stack.Name}", UriKind.Relative));

            Assert.Contains($"hello-from-{_deviceId}", logs.Text, StringComparison.Ordinal);
            Assert.Equal((_stack.Name, "app"), (logs.Stack, logs.Service));
            Assert.Equal("not-found", (await RunningController.ExpectAsync(missing, HttpStatusCode.NotFound))!.Error);
        }
        finally
        {
            // Stop the agent first: it would otherwise put the stack back while it is taken down.
            await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
        }
    }

    private DeviceSummary? Device() =>
        _controller.GetAsync("/api/v1/devices", ApiJsonContext.Default.IReadOnlyListDeviceSummary).GetAwaiter().GetResult().SingleOrDefault(d => d.Id == _deviceId);

    private ExternalProcess StartAgent(EnrollmentResponse enrolled)
    {
        var rootKey = Path.Combine(_agentData, "root.pem");
        File.WriteAllText(rootKey, PublicKeys.ExportPem(enrolled.Root));
        return ExternalProcess.Start(
            NativeAgent.Executable,
            new Dictionary<string, string>
            {
                ["FLEET_AGENT__DeviceId"] = _deviceId,
                ["FLEET_AGENT__RootKey"] = rootKey,
                ["FLEET_AGENT__Broker__Server"] = enrolled.Broker.Uri.ToString(),
                ["FLEET_AGENT__Broker__Username"] = enrolled.Broker.Username,
                ["FLEET_AGENT__Broker__Password"] = enrolled.Broker.Password,
                ["FLEET_AGENT__Broker__KeepAliveSeconds"] = 5.ToString(CultureInfo.InvariantCulture),
                ["FLEET_AGENT__ReconcileSeconds"] = "5",
                ["FLEET_AGENT__Docker"] = "unix:///var/run/docker.sock",
            },
            "run", "--data", _agentData);
    }
}
