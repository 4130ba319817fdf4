using Docker.DotNet.Models;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Agent;

/// <summary>The native agent applying desired states to the real engine, with a real mosquitto.</summary>
public sealed class AgentEngineTests : IAsyncLifetime
{
    private readonly AgentScenario _scenario = new();
    private TestProject? _stack;

    public async Task InitializeAsync()
    {
        await _scenario.InitializeAsync();
        _stack = await TestProject.CreateAsync("it-agent");
    }

    public async Task DisposeAsync()
    {
        await _stack!.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task DesiredState_IsAppliedAsTheComposeProjectOfTheStack_AndTheDeviceVariablesReachTheCompose()
    {
        using var probe = await PublishAsync(Desired(1));
        await using var agent = _scenario.StartAgent(useEngine: true);

        await WaitForRunningAsync(agent, 2);

        var app = (await _stack!.ContainersAsync()).Single(c => c.Labels["com.docker.compose.service"] == "app");
        var inspected = await _stack.InspectAsync(app.ID);
        Assert.NotNull(inspected.Config);
        Assert.Contains($"DEVICE={_scenario.DeviceId}", inspected.Config.Env);
        Assert.Contains("SITE=berlin", inspected.Config.Env);

        DeviceStatus? status = null;
        await Eventually.TrueAsync(
            () => (status = LatestStatus(probe)) is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 },
            TimeSpan.FromSeconds(20),
            () => $"the retained status says version 1 is committed; agent output:\n{agent.Output}");
        var stack = Assert.Single(status!.Stacks);
        Assert.Equal(_stack.Name, stack.Name);
        Assert.Equal(["app", "worker"], stack.Services.Select(s => s.Name));
        Assert.All(stack.Services, s => Assert.Equal("running", Assert.Single(s.Containers).State));
        Assert.Equal(app.ID, stack.Services[0].Containers[0].Id);
        Assert.False(string.IsNullOrEmpty(status.Facts?.EngineVersion));
        Assert.Equal(_scenario.DeviceId, status.DeviceId);
    }

    private DeviceStatus? LatestStatus(MqttProbe probe) =>
        probe.TextsOn(_scenario.Topic("status")).Select(json =>
            Fleet.Protocol.Serialization.ProtocolJson.Parse(System.Text.Encoding.UTF8.GetBytes(json), Fleet.Protocol.Serialization.ProtocolJsonContext.Default.DeviceStatus).Value).LastOrDefault();

    [Fact]
    public async Task AgentStartedWithoutABroker_AppliesItsCachedState()
    {
        using (var probe = await PublishAsync(Desired(1)))
        {
            await using var first = _scenario.StartAgent(useEngine: true);
            await WaitForRunningAsync(first, 2);
            await first.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
        }

        await _scenario.Broker.StopAsync();
        await _stack!.ComposeEngine().DownAsync(_stack.Name, removeVolumes: false, CancellationToken.None);
        Assert.Empty(await _stack.ContainersAsync());

        await using var offline = _scenario.StartAgent(useEngine: true);

        await WaitForRunningAsync(offline, 2);
    }

    [Fact]
    public async Task ContainerKilledOrRemovedByHand_IsPutBackWithinSeconds()
    {
        using var probe = await PublishAsync(Desired(1));
        await using var agent = _scenario.StartAgent(useEngine: true);
        await WaitForRunningAsync(agent, 2);
        var victim = (await _stack!.ContainersAsync()).First();

        await _stack.Engine.Client.Containers.RemoveContainerAsync(victim.ID, new ContainerRemoveParameters { Force = true });

        await WaitForRunningAsync(agent, 2);
        await Eventually.TrueAsync(
            () => probe.TextsOn(_scenario.Topic("events")).Any(json => json.Contains("\"drift-repaired\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20),
            () => $"a drift-repaired event arrives; agent output:\n{agent.Output}");
    }

    [Fact]
    public async Task StackLeavingTheDesiredState_IsTakenDown()
    {
        using var probe = await PublishAsync(Desired(1));
        await using var agent = _scenario.StartAgent(useEngine: true);
        await WaitForRunningAsync(agent, 2);

        await probe.PublishAsync(_scenario.Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 2, Spec("other-" + _stack!.Name[..12], "services:\n  x:\n    image: fleet-test/busybox:1\n"))), retain: true);

        await Eventually.TrueAsync(
            () => _stack.ContainersAsync().GetAwaiter().GetResult().Count == 0,
            TimeSpan.FromSeconds(30),
            () => $"the old stack's containers are gone; agent output:\n{agent.Output}");
        await _stack.ComposeEngine().DownAsync("other-" + _stack.Name[..12], removeVolumes: true, CancellationToken.None);
    }

    private DesiredState Desired(long version) => FleetKeys.Desired(
        _scenario.DeviceId,
        version,
        Spec(_stack!.Name, """
            services:
              app:
                image: fleet-test/busybox:1
                environment:
                  DEVICE: ${FLEET_DEVICE_ID}
                  SITE: ${SITE:-berlin}
                stop_grace_period: 1s
              worker:
                image: fleet-test/busybox:2
                stop_grace_period: 1s
            """));

    private static StackSpec Spec(string name, string compose) => new() { Name = name, Digest = "sha256:0", Compose = compose };

    private async Task<MqttProbe> PublishAsync(DesiredState desired)
    {
        var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, _scenario.Topic("events"), _scenario.Topic("status"));
        await probe.PublishAsync(_scenario.Topic("trust"), _scenario.Keys.TrustDocumentsJson(), retain: true);
        await probe.PublishAsync(_scenario.Topic("desired"), _scenario.Keys.Sign(desired), retain: true);
        return probe;
    }

    private Task WaitForRunningAsync(ExternalProcess agent, int count) => Eventually.TrueAsync(
        () => _stack!.ContainersAsync().GetAwaiter().GetResult().Count(c => c.State == "running") == count,
        TimeSpan.FromSeconds(45),
        () => $"{count} containers of {_stack!.Name} run; agent output:\n{agent.Output}");
}
