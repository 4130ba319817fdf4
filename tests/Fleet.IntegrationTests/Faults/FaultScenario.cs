using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Fleet.Agent.Hosting;
using Fleet.IntegrationTests.EndToEnd;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.Faults;

/// <summary>
/// What the fault tests share: the agent's own view of a device (its local status socket, which answers
/// from the running agent: phase, journal), the controller's view (the device API), and the figures each
/// test prints for docs/reliability.md.
/// </summary>
public abstract class FaultScenario(FaultFleet fleet, ITestOutputHelper output) : FleetRolloutScenario(fleet)
{
    private protected FaultFleet Faults { get; } = fleet;

    /// <summary>The agent's phase as its local status socket says it, or null while no agent answers.</summary>
    private protected static string? LocalPhase(FleetDevice device) =>
        LocalStatus(device) is { } status ? status.GetProperty("status").GetProperty("phase").GetString() : null;

    /// <summary>The agent's local status (a <c>LocalStatus</c> document), or null while no agent answers.</summary>
    private protected static JsonElement? LocalStatus(FleetDevice device)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = LocalStatusServer.AskAsync(device.Data, timeout.Token).GetAwaiter().GetResult();
        return answer is null ? null : JsonDocument.Parse(answer).RootElement.Clone();
    }

    /// <summary>The highest sequence number in the agent's journal, and how many events it has not delivered yet.</summary>
    private protected static (long LastSeq, int Pending) Journal(FleetDevice device)
    {
        var status = LocalStatus(device) ?? throw new InvalidOperationException($"the agent of {device.Id} does not answer");
        var recent = status.GetProperty("recentEvents");
        var last = recent.GetArrayLength() == 0 ? 0 : recent[recent.GetArrayLength() - 1].GetProperty("seq").GetInt64();
        return (last, status.GetProperty("pendingEvents").GetInt32());
    }

    private protected DeviceDetail Detail(FleetDevice device) =>
        Cluster.Controller.GetAsync($"/api/v1/devices/{device.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult();

    /// <summary>Waits until the agent (asked on its socket) is in <paramref name="phase"/>.</summary>
    private protected static Task PhaseReachedAsync(FleetDevice device, string phase) =>
        Eventually.TrueAsync(
            () => LocalPhase(device) == phase,
            RolloutTimeout,
            () => $"{device.Id} reaches {phase}; now {LocalPhase(device)}; agent:\n{device.Output}");

    /// <summary>The ids of the running containers of <paramref name="project"/> on the device, sorted.</summary>
    private protected static IReadOnlyList<string> ContainerIds(FleetDevice device, string project)
    {
        var (code, text) = device.Engine.Docker(
            TimeSpan.FromSeconds(30), "ps", "--no-trunc", "--filter", "label=com.docker.compose.project=" + project, "--format", "{{.ID}}");
        Assert.True(code == 0, text);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal)];
    }

    /// <summary>Writes a figure for docs/reliability.md to the test output.</summary>
    private protected void Report(string fault, string measured) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reliability | {fault} | {measured}"));

    private protected static string Seconds(Stopwatch watch) => Seconds(watch.Elapsed);

    private protected static string Seconds(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.0} s");

    /// <summary>A compose file of two services on one image, whose old containers take a while to stop, with a health window of its own.</summary>
    private protected static string TwoServices(string image, string healthWindow = "3s") => $$"""
        services:
          a:
            image: {{image}}
            command: ["/bin/busybox", "sleep", "3600"]
            stop_grace_period: 2s
          b:
            image: {{image}}
            command: ["/bin/busybox", "sleep", "3600"]
            stop_grace_period: 2s
        x-fleet:
          health-window: {{healthWindow}}
        """;

    /// <summary>Pushes version 1 of <see cref="Stack"/> and rolls it out to <paramref name="target"/> (the fleet by default): the release before the fault.</summary>
    private protected async Task DeployFirstAsync(string compose, string? target = null)
    {
        await Cluster.Controller.PushStackAsync(Stack, compose);
        var first = await DeployAsync(1, ["100%"], target);
        Assert.True(first.State == RolloutStates.Completed, Describe(first));
    }

    /// <summary>Pushes <paramref name="compose"/> as <paramref name="version"/> of <see cref="Stack"/> and starts its rollout, without waiting.</summary>
    private protected async Task<RolloutInfo> StartNextAsync(int version, string compose, string? target = null)
    {
        await Cluster.Controller.PushStackAsync(Stack, compose);
        return await CreateRolloutAsync(version, ["100%"], waveTimeoutSeconds: 300, target: target);
    }

    private protected static bool IsOver(string? phase) => phase is DeploymentPhases.Committed or DeploymentPhases.RolledBack;
}
