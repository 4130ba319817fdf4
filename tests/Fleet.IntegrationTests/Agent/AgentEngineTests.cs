using System.Text;
using Docker.DotNet.Models;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

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

    [Fact]
    public async Task Reports_GoOutAtMostOncePerReportInterval_WithWhatChangedMeanwhileTogether_ButTheUpdatesEndAtOnce_AndNoEventLost()
    {
        // Longer than the update takes (a health window of 2 s): its end comes while its steps are held.
        var interval = TimeSpan.FromSeconds(10);
        using var probe = await PublishAsync(Desired(1));
        await using var agent = _scenario.StartAgent(useEngine: true, new Dictionary<string, string> { ["ReportIntervalMilliseconds"] = "10000" });

        await Eventually.TrueAsync(
            () => LatestStatus(probe) is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 }
                  && _scenario.Events(probe).Any(e => e.Kind == EventKinds.Committed),
            TimeSpan.FromSeconds(60),
            () => $"version 1 is committed and its events are in; agent output:\n{agent.Output}");

        var statuses = probe.TextsOn(_scenario.Topic("status"))
            .Select(json => ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DeviceStatus).Value!)
            .ToList();
        var described = string.Join(", ", statuses.Select(s => $"{s.Phase} at {s.ReportedAt:HH:mm:ss.fff}"));
        // The agent's own clock: a report's time is taken after the one before it was acknowledged and the pacing waited.
        var pairs = statuses.Zip(statuses.Skip(1)).ToList();
        Assert.All(
            pairs.Where(pair => pair.Second.Phase != DeploymentPhases.Committed),
            pair => Assert.True(pair.Second.ReportedAt - pair.First.ReportedAt >= interval, described));
        // The update ended within the interval after the report before it, and its end did not wait for the interval's end.
        var end = pairs.First(pair => pair.Second.Phase == DeploymentPhases.Committed);
        Assert.True(end.Second.ReportedAt - end.First.ReportedAt < interval, described);
        // Seven phases from received to committed; unpaced, each would have had its own status.
        Assert.True(statuses.Count < 7, described);
        var events = _scenario.Events(probe);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Subset(
            events.Select(e => e.Kind).ToHashSet(),
            new HashSet<string> { EventKinds.Received, EventKinds.Verified, EventKinds.Downloading, EventKinds.Applying, EventKinds.Verifying, EventKinds.Committed });
    }

    private DeviceStatus? LatestStatus(MqttProbe probe) =>
        probe.TextsOn(_scenario.Topic("status")).Select(json =>
            ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DeviceStatus).Value).LastOrDefault();

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

        var other = "other-" + _stack!.Name[..12];
        try
        {
            await probe.PublishAsync(_scenario.Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 2, Spec(other, "services:\n  x:\n    image: fleet-test/busybox:1\n    stop_grace_period: 1s\n"))), retain: true);

            await Eventually.TrueAsync(
                () => _stack.ContainersAsync().GetAwaiter().GetResult().Count == 0,
                TimeSpan.FromSeconds(30),
                () => $"the old stack's containers are gone; agent output:\n{agent.Output}");
        }
        finally
        {
            // Stop the agent first: it would otherwise put the other stack back while it is taken down.
            await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30));
            await _stack.ComposeEngine().DownAsync(other, removeVolumes: true, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Commands_AreAnsweredOnTheResponseTopic_WithTheirCorrelationData()
    {
        using var probe = await PublishAsync(Desired(1));
        var replies = _scenario.Topic("reply/it-controller/#");
        using var controller = await MqttProbe.ConnectAsync(_scenario.Broker.Port, replies);
        await using var agent = _scenario.StartAgent(useEngine: true);
        await WaitForRunningAsync(agent, 2);
        var before = await AppStartedAtAsync();

        var stack = _stack!.Name;
        var logs = await AskAsync(controller, agent, "c1", $$$$"""{"id":"c1","kind":"logs","args":{"stack":"{{{{stack}}}}","service":"app","tail":10}}""");
        var restart = await AskAsync(controller, agent, "c2", $$$$"""{"id":"c2","kind":"restart","args":{"stack":"{{{{stack}}}}","service":"app"}}""");
        var report = await AskAsync(controller, agent, "c3", """{"id":"c3","kind":"report"}""");
        var unknown = await AskAsync(controller, agent, "c4", """{"id":"c4","kind":"format-disk"}""");
        var missing = await AskAsync(controller, agent, "c5", $$$$"""{"id":"c5","kind":"logs","args":{"stack":"{{{{stack}}}}","service":"nope"}}""");
        var malformed = await AskAsync(controller, agent, "c6", "{not json");

        Assert.True(logs.Ok, logs.Error?.Message);
        Assert.Contains("hello-from-app", logs.Output, StringComparison.Ordinal);
        Assert.True(restart.Ok, restart.Error?.Message);
        Assert.NotEqual(before, await AppStartedAtAsync());
        Assert.True(report.Ok);
        Assert.Equal(("c4", "unknown-command"), (unknown.Id, unknown.Error?.Code));
        Assert.Equal("unknown-service", missing.Error?.Code);
        Assert.Equal("malformed-command", malformed.Error?.Code);
        Assert.False(agent.HasExited);
    }

    private async Task<string?> AppStartedAtAsync()
    {
        var app = (await _stack!.ContainersAsync()).Single(c => c.Labels["com.docker.compose.service"] == "app");
        return (await _stack.InspectAsync(app.ID)).State?.StartedAt;
    }

    private async Task<DeviceCommandResult> AskAsync(MqttProbe controller, ExternalProcess agent, string id, string command)
    {
        var correlation = Encoding.UTF8.GetBytes("corr-" + id);
        var responseTopic = _scenario.Topic($"reply/it-controller/{id}");
        await controller.RequestAsync(_scenario.Topic("cmd"), Encoding.UTF8.GetBytes(command), responseTopic, correlation);
        await Eventually.TrueAsync(
            () => controller.Correlations.Any(c => c.Topic == responseTopic),
            TimeSpan.FromSeconds(30),
            () => $"command {id} is answered; agent output:\n{agent.Output}");
        Assert.Equal(correlation, controller.Correlations.First(c => c.Topic == responseTopic).CorrelationData);
        var parsed = ProtocolJson.Parse(Encoding.UTF8.GetBytes(controller.TextsOn(responseTopic).First()), ProtocolJsonContext.Default.DeviceCommandResult);
        Assert.True(parsed.Succeeded, parsed.Error);
        return parsed.Value;
    }

    private DesiredState Desired(long version) => FleetKeys.Desired(
        _scenario.DeviceId,
        version,
        Spec(_stack!.Name, """
            services:
              app:
                image: fleet-test/busybox:1
                command: ["sh", "-c", "echo hello-from-app; exec sleep 2147483647"]
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
