using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Updates;

/// <summary>
/// Update locks through the native agent on the real engine: a service that writes the lock file the agent
/// mounts into it (named by <c>FLEET_LOCK_FILE</c>) holds an update back until it deletes it, its lease ends,
/// or the signed desired state overrides it; a rollback never waits for one. About 10–15 s each.
/// </summary>
public sealed class UpdateLockTests : IAsyncLifetime
{
    private readonly AgentScenario _scenario = new();
    private TestProject? _stack;

    private TestProject Stack => _stack!;

    public async Task InitializeAsync()
    {
        await _scenario.InitializeAsync();
        _stack = await TestProject.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task ServiceHoldingTheLock_DefersTheUpdate_ReportingTheHolder_UntilItDeletesTheLock()
    {
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true);
        var holder = await CommitLockHoldingReleaseAsync(probe, agent);

        await _scenario.PublishAsync(probe, Desired(2, TestImages.SleepingApp(TestImages.BusyboxV2)));
        var waiting = await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.WaitingForLock, DesiredVersion: 2 });
        var held = await _scenario.WaitForEventAsync(probe, agent, e => e is { Kind: EventKinds.LockHeld, Version: 2 });
        Assert.Equal(holder, Assert.Single(await Stack.ContainersAsync()).ID);
        await ExecAsync(holder, "rm \"$FLEET_LOCK_FILE\"");
        var committed = await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 2 });

        var lockInStatus = Assert.Single(waiting.Locks);
        Assert.Equal((Stack.Name, "app", "batch-job"), (lockInStatus.Stack, lockInStatus.Service, lockInStatus.Holder));
        Assert.Equal(1, waiting.AppliedVersion);
        Assert.Equal("app", held.Service);
        Assert.Contains("held by batch-job", held.Detail, StringComparison.Ordinal);
        Assert.Empty(committed.Locks);
        Assert.Contains(_scenario.Events(probe), e => e is { Kind: EventKinds.LockReleased, Version: 2 });
        Assert.NotEqual(holder, Assert.Single(await Stack.ContainersAsync()).ID);
    }

    [Fact]
    public async Task LockNotRenewedForItsLease_NoLongerDefersTheUpdate()
    {
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true, new Dictionary<string, string> { ["LockLeaseSeconds"] = "8" });
        await CommitLockHoldingReleaseAsync(probe, agent);

        await _scenario.PublishAsync(probe, Desired(2, TestImages.SleepingApp(TestImages.BusyboxV2)));
        var waiting = await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.WaitingForLock, DesiredVersion: 2 });
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 2 });

        // Event times come from the journal at millisecond precision; the lease end is the file's mtime plus the lease.
        var expiresAt = Assert.Single(waiting.Locks).ExpiresAt;
        expiresAt = expiresAt.AddTicks(-(expiresAt.Ticks % TimeSpan.TicksPerMillisecond));
        var released = await _scenario.WaitForEventAsync(probe, agent, e => e is { Kind: EventKinds.LockReleased, Version: 2 });
        Assert.True(released.Time >= expiresAt, $"the update went ahead at {released.Time:O}, before the lease ended at {expiresAt:O}");
        Assert.Contains("lease", released.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DesiredStateThatOverridesLocks_UpdatesAlthoughAServiceHoldsOne()
    {
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true);
        await CommitLockHoldingReleaseAsync(probe, agent);

        await _scenario.PublishAsync(probe, Desired(2, TestImages.SleepingApp(TestImages.BusyboxV2)) with
        {
            Rollout = new RolloutRef("r-override", 1) { OverrideLocks = true },
        });
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 2 });

        var released = await _scenario.WaitForEventAsync(probe, agent, e => e is { Kind: EventKinds.LockReleased, Version: 2 });
        Assert.StartsWith("overridden by the desired state", released.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(_scenario.Events(probe), e => e is { Kind: EventKinds.LockHeld, Version: 2 });
    }

    [Fact]
    public async Task ReleaseThatFails_RollsBack_AlthoughItsServiceHoldsTheLock()
    {
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true);
        await _scenario.PublishAsync(probe, Desired(1, TestImages.SleepingApp(TestImages.Busybox)));
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 });

        await _scenario.PublishAsync(probe, Desired(2, $$"""
            services:
              app:
                image: {{TestImages.BusyboxV2}}
                command: ["sh", "-c", "echo broken-release > $$FLEET_LOCK_FILE; sleep 1; exit 3"]
                restart: always
                labels: {"{{TestImages.TestLabel}}": "1"}
                stop_grace_period: 1s
            """));
        var rolledBack = await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.RolledBack, DesiredVersion: 2 });

        Assert.Equal((1L, "crash-looping"), (rolledBack.AppliedVersion, rolledBack.LastError?.Code));
        Assert.Equal("broken-release", Assert.Single(rolledBack.Locks).Holder);
        var app = await Stack.InspectAsync(Assert.Single(await Stack.ContainersAsync()).ID);
        Assert.Equal(["sleep", "2147483647"], app.Config!.Cmd);
    }

    /// <summary>Version 1, whose service writes the lock as <c>batch-job</c> and sleeps; returns its container's id once the lock is there.</summary>
    private async Task<string> CommitLockHoldingReleaseAsync(MqttProbe probe, ExternalProcess agent)
    {
        await _scenario.PublishAsync(probe, Desired(1, $$"""
            services:
              app:
                image: {{TestImages.Busybox}}
                command: ["sh", "-c", "echo batch-job > $$FLEET_LOCK_FILE; exec sleep 2147483647"]
                labels: {"{{TestImages.TestLabel}}": "1"}
                stop_grace_period: 1s
            """));
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1, Locks: [{ Holder: "batch-job" }] });
        return Assert.Single(await Stack.ContainersAsync()).ID;
    }

    private static async Task ExecAsync(string container, string script)
    {
        var (code, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "exec", container, "sh", "-c", script);
        Assert.True(code == 0, $"docker exec {script}: {output}");
    }

    private DesiredState Desired(long version, string compose) =>
        FleetKeys.Desired(_scenario.DeviceId, version, new StackSpec { Name = Stack.Name, Digest = "sha256:0", Compose = compose });
}
