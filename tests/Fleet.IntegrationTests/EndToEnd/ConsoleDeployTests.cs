using System.Net;
using System.Net.Http.Json;
using Fleet.IntegrationTests.Cli;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>The real fleet console: deploy --wait exits 0 when every device committed, 1 when a bad release paused the rollout.</summary>
public sealed class ConsoleDeployTests(ThreeDeviceFleet fleet) : FleetRolloutScenario(fleet), IClassFixture<ThreeDeviceFleet>
{
    [Fact]
    public async Task FleetConsole_DeployWait_ExitsZeroWhenEveryDeviceCommitted_AndOneWhenABadReleasePausedTheRollout()
    {
        var directory = Directory.CreateTempSubdirectory("fleet-console-deploy-");
        var console = Cluster.Controller.ConsoleEnvironment;
        async Task<(int ExitCode, string Output)> PushAndDeployAsync(string compose)
        {
            var file = Path.Combine(directory.FullName, "compose.yaml");
            await File.WriteAllTextAsync(file, compose);
            var (pushExit, push) = await FleetCli.RunAsync(console, "stack", "push", Stack, "-f", file);
            Assert.True(pushExit == 0, push);
            return await FleetCli.RunAsync(
                console, TimeSpan.FromMinutes(3), "deploy", Stack, "--target", Cluster.Target, "--waves", "1,100%", "--max-failures", "0", "--wait");
        }

        var (goodExit, good) = await PushAndDeployAsync(Compose(TestImages.Busybox));

        Assert.True(goodExit == 0, good);
        Assert.Contains("completed", good, StringComparison.Ordinal);
        AssertEveryDeviceRuns(TestImages.Busybox);

        var (badExit, bad) = await PushAndDeployAsync(Compose(TestImages.BusyboxV2, command: """["sh", "-c", "exit 3"]"""));

        Assert.True(badExit == 1, bad);
        Assert.Contains("paused", bad, StringComparison.Ordinal);
        Assert.Contains("wave 1", bad, StringComparison.Ordinal);
        foreach (var device in Cluster.Devices)
        {
            await CanaryRolledBackAsync(device);
        }

        directory.Delete(recursive: true);
    }
}
