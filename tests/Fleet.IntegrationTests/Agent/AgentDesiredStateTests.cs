using System.Text;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.IntegrationTests.Agent;

/// <summary>
/// Desired states and the event journal through the native agent and a real mosquitto: what is
/// accepted, what is refused and why, and that events from offline time arrive once, in order.
/// </summary>
public sealed class AgentDesiredStateTests : IAsyncLifetime
{
    private readonly AgentScenario _scenario = new();

    public Task InitializeAsync() => _scenario.InitializeAsync();

    public Task DisposeAsync() => _scenario.DisposeAsync();

    [Fact]
    public async Task SignedDesiredState_IsVerifiedAndStored_AndTheEventsSayItInOrder()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Topic("events"));
        await probe.PublishAsync(Topic("trust"), _scenario.Keys.TrustDocumentsJson(), retain: true);
        await probe.PublishAsync(Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 5)), retain: true);
        await using var agent = _scenario.StartAgent();

        var events = await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Stored);

        Assert.Equal(
            [EventKinds.AgentStarted, EventKinds.Received, EventKinds.Verified, EventKinds.Stored],
            events.Select(e => e.Kind));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.Seq));
        Assert.All(events.Skip(1), e => Assert.Equal(5, e.Version));
    }

    [Fact]
    public async Task DesiredStateForAnotherDevice_IsRejectedAsWrongDevice_AndALaterValidOneStillApplies()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Topic("events"));
        await probe.PublishAsync(Topic("trust"), _scenario.Keys.TrustDocumentsJson(), retain: true);
        await using var agent = _scenario.StartAgent();
        await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.AgentStarted);

        await probe.PublishAsync(Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired("someone-else", 9)), retain: true);
        var rejected = (await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Rejected))[^1];
        await probe.PublishAsync(Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 3)), retain: true);
        await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Stored && e.Version == 3);

        Assert.Equal("wrong-device", rejected.Code);
        Assert.Contains("someone-else", rejected.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OlderVersionAfterANewerOne_IsRejectedAsReplayed_AndARedeliveryIsQuiet()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Topic("events"));
        await probe.PublishAsync(Topic("trust"), _scenario.Keys.TrustDocumentsJson(), retain: true);
        var v7 = _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 7));
        await probe.PublishAsync(Topic("desired"), v7, retain: true);
        await using var agent = _scenario.StartAgent();
        await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Stored && e.Version == 7);

        await probe.PublishAsync(Topic("desired"), v7, retain: true);
        await probe.PublishAsync(Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 6)), retain: true);
        var events = await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Rejected);

        var rejected = events[^1];
        Assert.Equal("replayed", rejected.Code);
        Assert.Equal(6, rejected.Version);
        Assert.Single(events, e => e.Kind == EventKinds.Stored);
    }

    [Fact]
    public async Task EventsFromOfflineTime_SurviveKillNine_AndArriveOnceInOrderAfterReconnect()
    {
        await _scenario.Broker.StopAsync();
        for (var run = 0; run < 2; run++)
        {
            await using var offline = _scenario.StartAgent();
            await Eventually.TrueAsync(() => offline.Output.Contains("fleet-agent started", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the agent starts without a broker");
            await offline.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(20));
        }

        await _scenario.Broker.StartAsync();
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Topic("events"));
        await using var agent = _scenario.StartAgent();

        var events = await WaitForEventsAsync(probe, agent, e => e.Seq == 3);

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.All(events, e => Assert.Equal(EventKinds.AgentStarted, e.Kind));
    }

    [Fact]
    public async Task Status_AsksTheRunningAgent_AndReadsTheDatabaseWhenNoneRuns()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Topic("events"));
        await probe.PublishAsync(Topic("trust"), _scenario.Keys.TrustDocumentsJson(), retain: true);
        await probe.PublishAsync(Topic("desired"), _scenario.Keys.Sign(FleetKeys.Desired(_scenario.DeviceId, 5)), retain: true);
        await using var agent = _scenario.StartAgent();
        await WaitForEventsAsync(probe, agent, e => e.Kind == EventKinds.Stored);

        var (runningCode, running) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "status", "--data", _scenario.Data, "--json");
        var (textCode, text) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "status", "--data", _scenario.Data);
        await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(20));
        var (stoppedCode, stopped) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "status", "--data", _scenario.Data, "--json");

        Assert.Equal(0, runningCode);
        using (var json = System.Text.Json.JsonDocument.Parse(running))
        {
            Assert.True(json.RootElement.GetProperty("running").GetBoolean());
            Assert.Equal(_scenario.DeviceId, json.RootElement.GetProperty("status").GetProperty("deviceId").GetString());
            Assert.Equal(5, json.RootElement.GetProperty("status").GetProperty("desiredVersion").GetInt64());
        }

        Assert.Equal(0, textCode);
        Assert.Contains($"running, device {_scenario.DeviceId}", text, StringComparison.Ordinal);
        Assert.Contains("desired:  5", text, StringComparison.Ordinal);
        Assert.Equal(0, stoppedCode);
        using (var json = System.Text.Json.JsonDocument.Parse(stopped))
        {
            Assert.False(json.RootElement.GetProperty("running").GetBoolean());
            Assert.Equal(5, json.RootElement.GetProperty("status").GetProperty("desiredVersion").GetInt64());
        }
    }

    private string Topic(string kind) => _scenario.Topic(kind);

    /// <summary>Every event received so far, in arrival order, once <paramref name="until"/> matched one.</summary>
    private async Task<IReadOnlyList<DeviceEvent>> WaitForEventsAsync(MqttProbe probe, ExternalProcess agent, Func<DeviceEvent, bool> until)
    {
        IReadOnlyList<DeviceEvent> Events() => probe.TextsOn(Topic("events"))
            .SelectMany(json =>
            {
                var batch = ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.EventBatch);
                Assert.True(batch.Succeeded, batch.Error);
                Assert.Equal(_scenario.DeviceId, batch.Value.DeviceId);
                return batch.Value.Events;
            })
            .ToList();

        await Eventually.TrueAsync(() => Events().Any(until), TimeSpan.FromSeconds(20), () => $"the expected event arrives; agent output:\n{agent.Output}");
        return Events();
    }
}
