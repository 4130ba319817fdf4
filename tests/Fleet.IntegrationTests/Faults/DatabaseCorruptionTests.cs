using System.Diagnostics;
using Fleet.Agent.Storage;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.Faults;

/// <summary>
/// The agent's LiteDB file damaged while the agent was stopped: the agent sets it aside, leaves the
/// containers alone, takes its desired state back from the broker's retained message and reports
/// committed again; the controller hears it (status and events).
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class DatabaseCorruptionTests(FaultFleet fleet, ITestOutputHelper output) : FaultScenario(fleet, output)
{
    [Fact]
    public async Task CorruptDatabase_IsSetAside_ContainersKeepRunning_AndDesiredStateComesBackFromTheBroker()
    {
        var device = Cluster.Devices[2];
        await DeployFirstAsync(TwoServices(TestImages.Busybox), Cluster.TargetOf(2));
        var containers = ContainerIds(device, Stack);
        Assert.Equal(2, containers.Count);
        var desiredVersion = Detail(device).Status!.DesiredVersion;

        Assert.Equal(0, await device.Agent.SignalAndWaitAsync("TERM", TimeSpan.FromSeconds(30)));
        var file = Path.Combine(device.Data, AgentDatabase.FileName);
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            // The header page and the start of the first data page: LiteDB cannot open the file.
            var garbage = new byte[12 * 1024];
            Random.Shared.NextBytes(garbage);
            await stream.WriteAsync(garbage);
        }

        var restarted = DateTimeOffset.UtcNow;
        await device.RestartAgentAsync();
        var recovery = Stopwatch.StartNew();
        DeviceStatus? status = null;
        await Eventually.TrueAsync(
            () => (status = Detail(device).Status) is { Phase: DeploymentPhases.Committed } s && s.ReportedAt > restarted && s.AppliedVersion == desiredVersion,
            RolloutTimeout,
            () => $"the controller hears the device committed again; status {status?.Phase} {status?.AppliedVersion} at {status?.ReportedAt}; agent:\n{device.Agent.Output}");
        recovery.Stop();

        Assert.Single(Directory.GetFiles(device.Data, AgentDatabase.FileName + ".corrupt-*"));
        Assert.Contains("set aside", device.Agent.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(containers, ContainerIds(device, Stack));
        var (lastSeq, _) = Journal(device);
        await Eventually.TrueAsync(
            () => Detail(device).Events.Any(e => e.Kind == EventKinds.Committed && e.Time > restarted),
            TimeSpan.FromSeconds(30),
            () => $"the events of the agent's fresh journal (through seq {lastSeq}) reach the controller; it has {string.Join(", ", Detail(device).Events.TakeLast(12).Select(e => $"{e.Seq}:{e.Kind}@{e.Time:HH:mm:ss.fff}"))}");
        Report("agent database corrupted", $"restart to committed at the controller: {Seconds(recovery)}; container ids unchanged");
    }
}
