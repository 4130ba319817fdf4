using System.Text;
using Fleet.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Agent;

/// <summary>The published NativeAOT agent as a real process, against a real mosquitto.</summary>
public sealed class AgentProcessTests : IAsyncLifetime
{
    private readonly MosquittoBroker _broker = new();
    private readonly string _deviceId = $"it-{Guid.NewGuid():N}"[..20];
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-agent-it-").FullName;

    public Task InitializeAsync() => _broker.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Run_WithoutDataDirectory_ExitsOneWithAOneLineReason()
    {
        var (exitCode, output) = await ExternalProcess.RunAsync(NativeAgent(), TimeSpan.FromSeconds(30), "run");

        Assert.Equal(1, exitCode);
        Assert.Equal("fleet-agent: DataDirectory: required (--data DIR or FLEET_AGENT__DataDirectory)", output.Trim());
    }

    [Fact]
    public async Task Run_WithBadSettings_NamesEachBadSettingAndExitsOne()
    {
        var config = Path.Combine(_data, "bad.json");
        await File.WriteAllTextAsync(config, """{ "HeartbeatSeconds": 1, "Broker": { "Server": "http://x:1" } }""");

        var (exitCode, output) = await ExternalProcess.RunAsync(NativeAgent(), TimeSpan.FromSeconds(30), "run", "--data", _data, "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("HeartbeatSeconds: 1 must be between 5 and 86400", output, StringComparison.Ordinal);
        Assert.Contains("Broker: 'http://x:1/' must be mqtt://host:port or mqtts://host:port", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConnectsAndSaysOnline_AndOnSigtermExitsZeroSayingOffline()
    {
        await using var agent = StartAgent();
        Assert.Equal("online", await WaitForPresenceAsync("online", agent));

        var exitCode = await agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(20));

        Assert.True(exitCode == 0, agent.Output);
        Assert.Equal("offline", await WaitForPresenceAsync("offline", agent));
    }

    [Fact]
    public async Task Run_WhenKilled_TheBrokerPublishesTheLastWillOffline()
    {
        await using var agent = StartAgent();
        await WaitForPresenceAsync("online", agent);

        await agent.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(20));

        Assert.Equal("offline", await WaitForPresenceAsync("offline", agent));
    }

    [Fact]
    public async Task Run_SecondAgentOnTheSameData_RefusesAndNamesTheOwner()
    {
        await using var first = StartAgent();
        await WaitForPresenceAsync("online", first);

        await using var second = StartAgent();
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(1, exitCode);
        Assert.Contains($"in use by another fleet-agent (pid {first.Id})", second.Output, StringComparison.Ordinal);
        Assert.False(first.HasExited, "the first agent must keep running");
    }

    private static string NativeAgent()
    {
        Assert.True(File.Exists(RepoPaths.NativeAgent), $"{RepoPaths.NativeAgent} is missing: ./test.sh publishes the NativeAOT agent there");
        return RepoPaths.NativeAgent;
    }

    private ExternalProcess StartAgent() => ExternalProcess.Start(
        NativeAgent(),
        new Dictionary<string, string>
        {
            ["FLEET_AGENT__DeviceId"] = _deviceId,
            ["FLEET_AGENT__Broker__Server"] = $"mqtt://127.0.0.1:{_broker.Port}",
            ["FLEET_AGENT__Broker__KeepAliveSeconds"] = "5",
        },
        "run", "--data", _data);

    /// <summary>Waits until the retained presence of the device reads <paramref name="expected"/>.</summary>
    private async Task<string> WaitForPresenceAsync(string expected, ExternalProcess agent)
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (Encoding.UTF8.GetString(e.ApplicationMessage.Payload) == expected)
            {
                seen.TrySetResult(expected);
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(factory.CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"it-observer-{Guid.NewGuid():N}")
            .Build());
        await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter($"fleet/v1/dev/{_deviceId}/online", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        try
        {
            return await seen.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"presence never read '{expected}'; agent output:\n{agent.Output}");
            throw;
        }
    }
}
