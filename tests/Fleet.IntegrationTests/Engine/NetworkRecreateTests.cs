// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using System.Globalization;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>
/// A project network whose settings changed is recreated as docker compose v2 does: its containers are stopped,
/// the network removed and created anew, and the containers recreated on it. docker-compose 1.29 refuses instead.
/// </summary>
public sealed class NetworkRecreateTests
{
    private const string Stack = """
        services:
          web:
            image: fleet-test/busybox:1
            command: ["sleep", "1000"]
            stop_grace_period: 1s
            labels: {org.fleet.test-run: "1"}
            networks: [back]
          other:
            image: fleet-test/busybox:1
            command: ["sleep", "1000"]
            stop_grace_period: 1s
            labels: {org.fleet.test-run: "1"}
        networks:
          back:
            driver_opts: {com.docker.network.bridge.enable_icc: "${ICC}"}
            labels: {tier: back}
            ipam:
              config:
                - subnet: 10.202.${SUBNET}.0/24
        """;

    [Fact]
    public async Task Apply_NetworkSettingsChanged_RecreatesNetworkAndTheContainersOnIt()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-net");
        using var files = new StackDirectory(Stack);
        var subnet = Subnet();
        Assert.True((await project.ApplyAsync(files.Load(project.Name, Variables("true", subnet)))).Converged);
        var network = $"{project.Name}_back";
        var before = await project.Engine.Client.Networks.InspectNetworkAsync(network);
        var web = (await project.InspectAsync($"{project.Name}-web-1")).ID;
        var other = (await project.InspectAsync($"{project.Name}-other-1")).ID;

        var result = await project.ApplyAsync(files.Load(project.Name, Variables("false", subnet)));

        Assert.True(result.Converged, result.Summary);
        Assert.Contains("driver_opts", result.Plan.Find("remove-network:back")?.Description ?? string.Empty, StringComparison.Ordinal);
        var after = await project.Engine.Client.Networks.InspectNetworkAsync(network);
        Assert.NotEqual(before.ID, after.ID);
        Assert.Equal("false", after.Options["com.docker.network.bridge.enable_icc"]);
        Assert.Equal(project.Name, after.Labels["com.docker.compose.project"]);
        var replaced = await project.InspectAsync($"{project.Name}-web-1");
        Assert.NotEqual(web, replaced.ID);
        Assert.True(replaced.State.Running);
        Assert.Equal(after.ID, replaced.NetworkSettings.Networks[network].NetworkID);
        Assert.Equal(other, (await project.InspectAsync($"{project.Name}-other-1")).ID);

        var again = await project.ApplyAsync(files.Load(project.Name, Variables("false", subnet)));
        Assert.True(again.Plan.IsEmpty, string.Join("; ", again.Plan.Steps));
    }

    [Fact]
    public async Task Apply_NetworkSettingsChanged_OnStackDockerComposeStarted_RecreatesWhereDockerComposeRefuses()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-net");
        using var files = new StackDirectory(Stack);
        var subnet = Subnet();
        var (exitCode, output) = await files.ComposeAsync(project.Name, Variables("true", subnet), "up", "-d");
        Assert.True(exitCode == 0, output);

        // Unchanged: taken over as it is, the network too.
        var same = await project.ApplyAsync(files.Load(project.Name, Variables("true", subnet)));
        Assert.True(same.Converged, same.Summary);
        Assert.True(same.Plan.IsEmpty, string.Join("; ", same.Plan.Steps));

        // docker-compose 1.29 refuses a changed network; the Compose Specification (and compose v2) recreate it.
        (exitCode, output) = await files.ComposeAsync(project.Name, Variables("false", subnet), "up", "-d");
        Assert.True(exitCode != 0 && output.Contains("needs to be recreated", StringComparison.Ordinal), output);
        var changed = await project.ApplyAsync(files.Load(project.Name, Variables("false", subnet)));

        Assert.True(changed.Converged, changed.Summary);
        var network = await project.Engine.Client.Networks.InspectNetworkAsync($"{project.Name}_back");
        Assert.Equal("false", network.Options["com.docker.network.bridge.enable_icc"]);
        Assert.Equal(network.ID, (await project.InspectAsync($"{project.Name}-web-1")).NetworkSettings.Networks[$"{project.Name}_back"].NetworkID);
        Assert.DoesNotContain(changed.Plan.Steps, s => s.Service == "other");
    }

    [Fact]
    public async Task Apply_NetworkSettingsChanged_WhileAContainerOutsideTheProjectUsesIt_ChangesNothing()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-net");
        using var files = new StackDirectory(Stack);
        var subnet = Subnet();
        Assert.True((await project.ApplyAsync(files.Load(project.Name, Variables("true", subnet)))).Converged);
        var web = (await project.InspectAsync($"{project.Name}-web-1")).ID;
        var outsider = $"{project.Name}-outsider";
        var (exitCode, output) = await ExternalProcess.RunAsync(
            "docker", TimeSpan.FromSeconds(60), "run", "-d", "--name", outsider, "--label", $"{TestImages.TestLabel}=1", "--network", $"{project.Name}_back", TestImages.Busybox, "sleep", "1000");
        Assert.True(exitCode == 0, output);
        try
        {
            var result = await project.ApplyAsync(files.Load(project.Name, Variables("false", subnet)));

            Assert.False(result.Converged);
            var failure = Assert.Single(result.Failures);
            Assert.Equal("remove-network:back", failure.StepId);
            Assert.Contains(outsider, failure.Reason, StringComparison.Ordinal);
            var kept = await project.InspectAsync($"{project.Name}-web-1");
            Assert.Equal(web, kept.ID);
            Assert.True(kept.State.Running);
        }
        finally
        {
            await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(60), "rm", "-f", outsider);
        }
    }

    /// <summary>The variables of the stack: the bridge option that changes, and a subnet of the test's own.</summary>
    private static Dictionary<string, string> Variables(string icc, string subnet) => new() { ["ICC"] = icc, ["SUBNET"] = subnet };

    private static string Subnet() => Random.Shared.Next(16, 250).ToString(CultureInfo.InvariantCulture);
}
