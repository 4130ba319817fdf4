using Docker.DotNet.Models;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Updates;

/// <summary>
/// The health-gated commit and the automatic rollback, through the native agent, a real mosquitto and
/// the real engine: a release that does not stay healthy for its window is replaced by the last
/// committed release, by image ID, without anyone asking.
/// </summary>
public sealed class RollbackTests : IAsyncLifetime
{
    /// <summary>Long enough that a crash in the first second is seen on a loaded machine, short enough for a test.</summary>
    private static readonly Dictionary<string, string> Window = new() { ["HealthWindowSeconds"] = "5" };

    private readonly AgentScenario _scenario = new();
    private readonly List<string> _tags = [];
    private TestProject? _stack;

    private TestProject Stack => _stack!;

    public async Task InitializeAsync()
    {
        await _scenario.InitializeAsync();
        _stack = await TestProject.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var tag in _tags)
        {
            await Stack.Engine.Client.Images.DeleteImageAsync(tag, new ImageDeleteParameters());
        }

        await Stack.DisposeAsync();

        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task CrashLoopingRelease_RollsBackByItself_ToThePreviousReleasesContainers()
    {
        using var probe = await ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true, Window);
        var v1Image = await CommitFirstReleaseAsync(probe, agent, TestImages.Busybox);

        await PublishAsync(probe, Desired(2, CrashLooping(TestImages.BusyboxV2, "sleep 1; exit 3")));
        var status = await WaitForStatusAsync(probe, agent, s => s.Phase == DeploymentPhases.RolledBack);

        Assert.Equal(1, status.AppliedVersion);
        Assert.Equal(2, status.DesiredVersion);
        Assert.Equal(("crash-looping", Stack.Name, "app"), (status.LastError?.Code, status.LastError?.Stack, status.LastError?.Service));
        Assert.Contains("exit code 3", status.LastError!.Message, StringComparison.Ordinal);
        var app = await RunningAppAsync(agent);
        Assert.Equal(v1Image, app.Image);
        Assert.Equal(["sleep", "2147483647"], app.Config!.Cmd);
        Assert.NotEqual(RestartPolicyKind.Always, app.HostConfig!.RestartPolicy!.Name);
        await Eventually.TrueAsync(() => Events(probe).Any(e => e.Kind == EventKinds.RolledBack), TimeSpan.FromSeconds(20), "the rolled-back event arrives");
        var kinds = Events(probe).Where(e => e.Version == 2).Select(e => e.Kind).ToList();
        Assert.Equal(
            [EventKinds.Received, EventKinds.Verified, EventKinds.Stored, EventKinds.Downloading, EventKinds.Applying, EventKinds.Verifying, EventKinds.Failed, EventKinds.RollingBack, EventKinds.RolledBack],
            kinds);
    }

    [Fact]
    public async Task ReleaseWhoseHealthcheckFails_RollsBack()
    {
        using var probe = await ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true, Window);
        var v1Image = await CommitFirstReleaseAsync(probe, agent, TestImages.Busybox);

        await PublishAsync(probe, Desired(2, $$"""
            services:
              app:
                image: {{TestImages.BusyboxV2}}
                healthcheck:
                  test: ["CMD", "false"]
                  interval: 300ms
                  retries: 1
                labels: {"{{TestImages.TestLabel}}": "1"}
                stop_grace_period: 1s
            """));
        var status = await WaitForStatusAsync(probe, agent, s => s.Phase == DeploymentPhases.RolledBack);

        Assert.Equal(("unhealthy", "app"), (status.LastError?.Code, status.LastError?.Service));
        var app = await RunningAppAsync(agent);
        Assert.Equal(v1Image, app.Image);
        Assert.Null(app.State!.Health);
        await Eventually.TrueAsync(
            () => Events(probe).Any(e => e is { Kind: EventKinds.RolledBack, Version: 2, Service: "app", Code: "unhealthy" }),
            TimeSpan.FromSeconds(20),
            "a rolled-back event names the service and the reason");
    }

    [Fact]
    public async Task ReleaseRolledBackTo_ThatIsUnhealthyToo_IsReportedFailedWithBothReasons_AndTriedAgainUntilHealthy()
    {
        var flags = Directory.CreateTempSubdirectory("fleet-it-flags-").FullName;
        try
        {
            using var probe = await ConnectAsync();
            await using var agent = _scenario.StartAgent(useEngine: true, new Dictionary<string, string>(Window) { ["RetryMaxSeconds"] = "2" });
            // Version 1 checks a host file only when it starts: healthy at its commit, broken when the rollback starts it again.
            await PublishAsync(probe, Desired(1, $$"""
                services:
                  app:
                    image: {{TestImages.Busybox}}
                    command: ["sh", "-c", "sleep 1; if [ -f /flags/broken ]; then exit 7; fi; exec sleep 2147483647"]
                    volumes: ["{{flags}}:/flags:ro"]
                    labels: {"{{TestImages.TestLabel}}": "1"}
                    stop_grace_period: 1s
                """));
            await WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 });
            await File.WriteAllTextAsync(Path.Combine(flags, "broken"), "");

            await PublishAsync(probe, Desired(2, CrashLooping(TestImages.BusyboxV2, "sleep 1; exit 3")));
            var failed = await WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Failed, DesiredVersion: 2, LastError.Code: "rollback-failed" });
            File.Delete(Path.Combine(flags, "broken"));
            var rolledBack = await WaitForStatusAsync(probe, agent, s => s.Phase == DeploymentPhases.RolledBack);

            Assert.Matches("^update: .*exit code 3.*; rollback: .*exited with code 7", failed.LastError!.Message);
            Assert.Equal(1, failed.AppliedVersion);
            Assert.Equal((1L, "crash-looping"), (rolledBack.AppliedVersion, rolledBack.LastError?.Code));
            Assert.Contains(Events(probe), e => e is { Kind: EventKinds.Failed, Version: 2, Code: "rollback-failed" });
            Assert.Contains("/flags/broken", (await RunningAppAsync(agent)).Config!.Cmd[^1], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(flags, recursive: true);
        }
    }

    [Fact]
    public async Task AgentKilledDuringVerifying_ResumesAfterRestart_AndFinishesTheDecision()
    {
        using var probe = await ConnectAsync();
        await using (var first = _scenario.StartAgent(useEngine: true, Window))
        {
            await CommitFirstReleaseAsync(probe, first, TestImages.Busybox);

            // Healthy for its first 6 s, then a crash loop; the window is long enough to kill the agent in it.
            await PublishAsync(probe, Desired(2, CrashLooping(TestImages.BusyboxV2, "sleep 6; exit 4"), TimeSpan.FromMinutes(2)));
            await WaitForStatusAsync(probe, first, s => s is { Phase: DeploymentPhases.Verifying, DesiredVersion: 2 });
            await first.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(20));
        }

        // While no agent runs, the engine restarts the crashing container.
        await Eventually.TrueAsync(() => AppRestartCount() > 0, TimeSpan.FromSeconds(30), "the new release's container crashes and is restarted by the engine");
        Assert.Equal(DeploymentPhases.Verifying, LatestStatus(probe)?.Phase);

        await using var second = _scenario.StartAgent(useEngine: true, Window);
        var status = await WaitForStatusAsync(probe, second, s => s.Phase == DeploymentPhases.RolledBack);

        Assert.Equal(("crash-looping", "app", 1L), (status.LastError?.Code, status.LastError?.Service, status.AppliedVersion));
        Assert.Contains(Events(probe), e => e is { Kind: EventKinds.Verifying, Version: 2, Detail: "resumed after a restart" });
        Assert.Equal(["sleep", "2147483647"], (await RunningAppAsync(second)).Config!.Cmd);
    }

    [Fact]
    public async Task Rollback_AfterTheOldReleasesTagMovedToAnotherImage_StillRunsTheOldImageId()
    {
        var tag = $"fleet-test/rollback-{Guid.NewGuid():N}"[..32] + ":v";
        var oldImage = (await Stack.Engine.Client.Images.InspectImageAsync(TestImages.Busybox)).ID;
        var otherImage = (await Stack.Engine.Client.Images.InspectImageAsync(TestImages.BusyboxV2)).ID;
        await TagAsync(TestImages.Busybox, tag);
        using var probe = await ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true, Window);
        await CommitFirstReleaseAsync(probe, agent, tag);

        await TagAsync(TestImages.BusyboxV2, tag);
        await PublishAsync(probe, Desired(2, CrashLooping(tag, "exit 5")));
        await WaitForStatusAsync(probe, agent, s => s.Phase == DeploymentPhases.RolledBack);

        Assert.Equal(otherImage, (await Stack.Engine.Client.Images.InspectImageAsync(tag)).ID);
        var app = await RunningAppAsync(agent);
        Assert.Equal(oldImage, app.Image);
        Assert.Equal(oldImage, app.Config!.Image);
    }

    [Fact]
    public async Task ReleaseNeedingAPull_WithLessFreeDiskThanTheReserve_IsRefusedBeforeAnythingStops()
    {
        using var probe = await ConnectAsync();
        var settings = new Dictionary<string, string>(Window) { ["DiskReserveMegabytes"] = "1048576" };
        await using var agent = _scenario.StartAgent(useEngine: true, settings);
        await CommitFirstReleaseAsync(probe, agent, TestImages.Busybox);
        var before = (await Stack.ContainersAsync()).Single();

        await PublishAsync(probe, Desired(2, TestImages.SleepingApp(TestImages.BusyboxV2) + "    pull_policy: always\n"));
        var status = await WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Failed, DesiredVersion: 2 });

        Assert.Equal("disk-full", status.LastError?.Code);
        Assert.Contains("1048576 MB must stay free", status.LastError!.Message, StringComparison.Ordinal);
        Assert.Equal(1, status.AppliedVersion);
        var after = (await Stack.ContainersAsync()).Single();
        Assert.Equal((before.ID, "running"), (after.ID, after.State));
    }

    [Fact]
    public async Task ReleaseFromARegistry_ReportsPullProgress_AsPullingEventsBeforePulled()
    {
        var registry = new DockerRegistry();
        await registry.InitializeAsync();
        try
        {
            var image = await registry.PushRunnableUniqueImageAsync("fleet-test/pull-progress", "1", 2 * 1024 * 1024);
            using var probe = await ConnectAsync();
            var settings = new Dictionary<string, string>(Window) { ["PullProgressSeconds"] = "0" };
            await using var agent = _scenario.StartAgent(useEngine: true, settings);
            await CommitFirstReleaseAsync(probe, agent, TestImages.Busybox);

            await PublishAsync(probe, Desired(2, TestImages.SleepingApp(image)));
            await WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 2 });
            await Eventually.TrueAsync(() => Events(probe).Any(e => e is { Kind: EventKinds.Committed, Version: 2 }), TimeSpan.FromSeconds(20), "the committed event arrives");

            var events = Events(probe).Where(e => e.Version == 2).OrderBy(e => e.Seq).ToList();
            var pulling = events.Where(e => e.Kind == EventKinds.Pulling).ToList();
            Assert.NotEmpty(pulling);
            Assert.All(pulling, e => Assert.StartsWith(image + ": ", e.Detail, StringComparison.Ordinal));
            Assert.Contains(pulling, e => e.Detail!.EndsWith("(100%), 2 of 2 layers done", StringComparison.Ordinal));
            var pulled = events.Single(e => e.Kind == EventKinds.Pulled);
            Assert.All(pulling, e => Assert.True(e.Seq < pulled.Seq, "progress comes before the pulled event"));
            Assert.True(events.Single(e => e.Kind == EventKinds.Downloading).Seq < pulling[0].Seq, "progress comes after the downloading event");
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    /// <summary>Version 1, one sleeping service on <paramref name="image"/>, committed; returns the image ID it runs.</summary>
    private async Task<string?> CommitFirstReleaseAsync(MqttProbe probe, ExternalProcess agent, string image)
    {
        await PublishAsync(probe, Desired(1, TestImages.SleepingApp(image)));
        var status = await WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1, Stacks: [{ Services: [{ Containers: [_] }] }] });
        return status.Stacks[0].Services[0].Containers[0].ImageId;
    }

    private async Task TagAsync(string image, string tag)
    {
        var colon = tag.LastIndexOf(':');
        await Stack.Engine.Client.Images.TagImageAsync(image, new ImageTagParameters { RepositoryName = tag[..colon], Tag = tag[(colon + 1)..] });
        if (!_tags.Contains(tag))
        {
            _tags.Add(tag);
        }
    }

    private static string CrashLooping(string image, string script) => $$"""
        services:
          app:
            image: {{image}}
            command: ["sh", "-c", "{{script}}"]
            restart: always
            labels: {"{{TestImages.TestLabel}}": "1"}
            stop_grace_period: 1s
        """;

    private DesiredState Desired(long version, string compose, TimeSpan? healthWindow = null) => FleetKeys.Desired(
        _scenario.DeviceId,
        version,
        new StackSpec { Name = Stack.Name, Digest = "sha256:0", Compose = compose, HealthWindow = healthWindow });

    private Task<MqttProbe> ConnectAsync() => _scenario.ConnectAsync();

    private Task PublishAsync(MqttProbe probe, DesiredState desired) => _scenario.PublishAsync(probe, desired);

    private DeviceStatus? LatestStatus(MqttProbe probe) => _scenario.LatestStatus(probe);

    private List<DeviceEvent> Events(MqttProbe probe) => _scenario.Events(probe);

    private Task<DeviceStatus> WaitForStatusAsync(MqttProbe probe, ExternalProcess agent, Func<DeviceStatus, bool> condition) =>
        _scenario.WaitForStatusAsync(probe, agent, condition);

    private int AppRestartCount()
    {
        var app = Stack.ContainersAsync().GetAwaiter().GetResult().Single(c => c.Labels["com.docker.compose.service"] == "app");
        return (int)Stack.InspectAsync(app.ID).GetAwaiter().GetResult().RestartCount;
    }

    private async Task<ContainerInspectResponse> RunningAppAsync(ExternalProcess agent)
    {
        await Eventually.TrueAsync(
            () => Stack.ContainersAsync().GetAwaiter().GetResult() is [{ State: "running" }],
            TimeSpan.FromSeconds(30),
            () => $"one app container runs; agent output:\n{agent.Output}");
        return await Stack.InspectAsync((await Stack.ContainersAsync()).Single().ID);
    }
}
