using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Agent;

/// <summary>The published NativeAOT agent as a real process, against a real mosquitto.</summary>
public sealed class AgentProcessTests : IAsyncLifetime
{
    private readonly AgentScenario _scenario = new();

    public Task InitializeAsync() => _scenario.InitializeAsync();

    public Task DisposeAsync() => _scenario.DisposeAsync();

    [Fact]
    public async Task Run_WithoutDataDirectory_ExitsOneWithAOneLineReason()
    {
        var (exitCode, output) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "run");

        Assert.Equal(1, exitCode);
        Assert.Contains("fleet-agent: DataDirectory: required (--data DIR or FLEET_AGENT__DataDirectory)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithBadSettings_NamesEachBadSettingAndExitsOne()
    {
        var config = Path.Combine(_scenario.Data, "bad.json");
        await File.WriteAllTextAsync(config, """{ "HeartbeatSeconds": 1, "ReportIntervalMilliseconds": 60000, "RootKey": "/nonexistent/root.pem", "Broker": { "Server": "http://x:1" } }""");

        var (exitCode, output) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "run", "--data", _scenario.Data, "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("HeartbeatSeconds: 1 must be between 5 and 86400", output, StringComparison.Ordinal);
        Assert.Contains("ReportIntervalMilliseconds: 60000 must be between 0 and 10000", output, StringComparison.Ordinal);
        Assert.Contains("RootKey: /nonexistent/root.pem does not exist", output, StringComparison.Ordinal);
        Assert.Contains("Broker: 'http://x:1/' must be mqtt://host:port or mqtts://host:port", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConnectsAndSaysOnline_AndOnSigtermExitsZeroSayingOffline()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Presence);
        await using var agent = StartAgent();
        await WaitForPresenceAsync(probe, "online", agent);

        var exitCode = await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(20));

        Assert.True(exitCode == 0, agent.Output);
        await WaitForPresenceAsync(probe, "offline", agent);
    }

    [Fact]
    public async Task Run_WhenKilled_TheBrokerPublishesTheLastWillOffline()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Presence);
        await using var agent = StartAgent();
        await WaitForPresenceAsync(probe, "online", agent);

        await agent.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(20));

        await WaitForPresenceAsync(probe, "offline", agent);
    }

    [Fact]
    public async Task Run_SecondAgentOnTheSameData_RefusesAndNamesTheOwner()
    {
        using var probe = await MqttProbe.ConnectAsync(_scenario.Broker.Port, Presence);
        await using var first = StartAgent();
        await WaitForPresenceAsync(probe, "online", first);

        await using var second = StartAgent();
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, exitCode);
        Assert.Contains($"in use by another fleet-agent (pid {first.Id})", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited, "the first agent must keep running");
    }

    private string Presence => _scenario.Topic("online");

    private ExternalProcess StartAgent() => _scenario.StartAgent();

    private async Task WaitForPresenceAsync(MqttProbe probe, string expected, ExternalProcess agent) =>
        await Eventually.TrueAsync(
            () => probe.TextsOn(Presence).LastOrDefault() == expected,
            TimeSpan.FromSeconds(20),
            () => $"presence reads '{expected}'; agent output:\n{agent.Output}");
}
