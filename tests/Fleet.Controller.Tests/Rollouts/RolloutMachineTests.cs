using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutMachineTests
{
    private readonly RolloutWorld _world = new();

    [Fact]
    public void Create_PutsOnlineDevicesFirstSoTheCanaryIsReachable()
    {
        _world.Fleet.Add("a", online: false);
        _world.Fleet.Add("c");
        _world.Fleet.Add("b");

        var rollout = _world.Create(RolloutWorld.Request("1,100%"));

        Assert.Equal(["b", "c", "a"], rollout.Devices.Select(d => d.Id));
        Assert.Equal([1, 2, 2], rollout.Devices.Select(d => d.Wave));
        Assert.All(rollout.Waves, w => Assert.Equal(WaveStates.Pending, w.State));
    }

    [Fact]
    public void Create_SplitsTheTargetIntoCumulativeWaves()
    {
        _world.Fleet.AddMany(20);

        var rollout = _world.Create(RolloutWorld.Request("1,10%,50%,100%"));

        Assert.Equal([1, 1, 8, 10], rollout.Devices.GroupBy(d => d.Wave).Select(g => g.Count()));
    }

    [Fact]
    public void Evaluate_StartsTheFirstWave_AssigningOnlyItsDevices()
    {
        _world.Fleet.AddMany(10);

        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,50%,100%")));

        Assert.Equal(RolloutStates.Running, rollout.State);
        Assert.Equal([WaveStates.Running, WaveStates.Pending, WaveStates.Pending], RolloutWorld.WaveStates(rollout));
        Assert.Equal(["dev-00000"], RolloutWorld.Reached(rollout));
        Assert.Equal(2, _world.Assigned("dev-00000", "web"));
        Assert.Null(_world.Assigned("dev-00001", "web"));
        Assert.Equal(RolloutWorld.Start.AddSeconds(60), rollout.Waves[0].Deadline);
    }

    [Fact]
    public void Evaluate_WhileTheWaveIsUpdating_DoesNotStartTheNext()
    {
        _world.Fleet.AddMany(10);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,50%,100%")));
        _world.Report(rollout, "dev-00000", DeploymentPhases.Verifying);

        var next = _world.Step(rollout);

        Assert.Same(rollout, next);
        Assert.Single(RolloutWorld.Reached(next));
    }

    [Fact]
    public void Evaluate_WhenEveryDeviceOfTheWaveCommitted_StartsTheNextWave()
    {
        _world.Fleet.AddMany(10);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,50%,100%")));
        _world.CommitWave(rollout, 1);

        rollout = _world.Step(rollout);

        Assert.Equal([WaveStates.Completed, WaveStates.Running, WaveStates.Pending], RolloutWorld.WaveStates(rollout));
        Assert.Equal(5, RolloutWorld.Reached(rollout).Count);
    }

    [Fact]
    public void Evaluate_AfterTheLastWaveCommitted_CompletesTheRollout()
    {
        _world.Fleet.AddMany(4);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%")));
        _world.CommitWave(rollout, 1);
        rollout = _world.Step(rollout);
        _world.CommitWave(rollout, 2);

        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Completed, rollout.State);
        Assert.Null(rollout.Reason);
        Assert.Equal([WaveStates.Completed, WaveStates.Completed], RolloutWorld.WaveStates(rollout));
        var info = RolloutMachine.Describe(rollout, _world.Fleet.Device);
        Assert.Equal([1, 3], info.Waves.Select(w => w.Counts.Committed));
    }

    [Fact]
    public void Evaluate_WithNoDeviceInTheTarget_CompletesAtOnce()
    {
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,10%,100%")));

        Assert.Equal(RolloutStates.Completed, rollout.State);
        Assert.All(rollout.Waves, w => Assert.Equal(WaveStates.Completed, w.State));
    }

    [Fact]
    public void Evaluate_AnOfflineDevice_BlocksTheWaveOnlyUntilItsTimeLimit()
    {
        _world.Fleet.AddMany(4);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("50%,100%", timeoutSeconds: 60)));
        _world.Report(rollout, "dev-00000", DeploymentPhases.Committed);
        _world.Fleet.SetOnline("dev-00001", false);

        _world.Time.Advance(TimeSpan.FromSeconds(59));
        rollout = _world.Step(rollout);
        Assert.Equal(WaveStates.Running, rollout.Waves[0].State);
        Assert.Equal(1, RolloutMachine.Describe(rollout, _world.Fleet.Device).Waves[0].Counts.Offline);

        _world.Time.Advance(TimeSpan.FromSeconds(1));
        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Running, rollout.State);
        Assert.Equal([WaveStates.Completed, WaveStates.Running], RolloutWorld.WaveStates(rollout));
        Assert.Equal(4, RolloutWorld.Reached(rollout).Count);
    }

    [Fact]
    public void Evaluate_WhenOnlineDevicesStillUpdateAtTheTimeLimit_PausesWithTheReason()
    {
        _world.Fleet.AddMany(2);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("100%", timeoutSeconds: 60)));
        _world.Report(rollout, "dev-00000", DeploymentPhases.Committed);
        _world.Report(rollout, "dev-00001", DeploymentPhases.Downloading);
        _world.Time.Advance(TimeSpan.FromSeconds(60));

        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Paused, rollout.State);
        Assert.Equal("wave 1: 1 of 2 devices still updating after 60 s", rollout.Reason);
    }

    [Fact]
    public void Evaluate_WhenFailuresCrossTheThreshold_PausesAndMarksTheWaveFailed()
    {
        var rollout = SecondWaveOfTenRunning(maxFailures: "10%");
        _world.Report(rollout, "dev-00001", DeploymentPhases.Failed);
        rollout = _world.Step(rollout);
        Assert.Equal(RolloutStates.Running, rollout.State);

        _world.Report(rollout, "dev-00002", DeploymentPhases.RolledBack);
        _world.Report(rollout, "dev-00003", DeploymentPhases.Rejected);
        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Paused, rollout.State);
        Assert.Equal("wave 2: 3 of 10 devices failed (max 1)", rollout.Reason);
        Assert.Equal([WaveStates.Completed, WaveStates.Failed], RolloutWorld.WaveStates(rollout));
        var counts = RolloutMachine.Describe(rollout, _world.Fleet.Device).Waves[1].Counts;
        Assert.Equal((2, 1, 7), (counts.Failed, counts.RolledBack, counts.Pending));
    }

    [Fact]
    public void Evaluate_FailuresWithinTheThreshold_DoNotHoldTheWaveBack()
    {
        _world.Fleet.AddMany(3);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("100%", maxFailures: "1")));
        _world.Report(rollout, "dev-00000", DeploymentPhases.Failed);
        _world.Report(rollout, "dev-00001", DeploymentPhases.Committed);
        _world.Report(rollout, "dev-00002", DeploymentPhases.Committed);

        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Completed, rollout.State);
    }

    [Fact]
    public void Evaluate_AStatusOfAnEarlierDesiredState_DoesNotCount()
    {
        _world.Fleet.AddMany(1);
        _world.Fleet.Report("dev-00000", DeploymentPhases.Committed, 7);

        var rollout = _world.Step(_world.Step(_world.Create(RolloutWorld.Request())));

        Assert.Equal(RolloutStates.Running, rollout.State);
        Assert.Equal(1, RolloutMachine.Describe(rollout, _world.Fleet.Device).Waves[0].Counts.Pending);
    }

    [Fact]
    public void Resume_AcceptsTheFailuresSoFar_AndPausesAgainOnlyOnANewOne()
    {
        var rollout = SecondWaveOfTenRunning(maxFailures: "1");
        _world.Report(rollout, "dev-00001", DeploymentPhases.Failed);
        _world.Report(rollout, "dev-00002", DeploymentPhases.Failed);
        rollout = _world.Step(rollout);
        Assert.Equal(RolloutStates.Paused, rollout.State);
        _world.Time.Advance(TimeSpan.FromSeconds(30));

        rollout = RolloutMachine.Resume(rollout, _world.Inputs).Rollout!;
        Assert.Equal(RolloutStates.Running, rollout.State);
        Assert.Null(rollout.Reason);
        Assert.Equal([WaveStates.Completed, WaveStates.Running], RolloutWorld.WaveStates(rollout));
        Assert.Equal(_world.Time.GetUtcNow().AddSeconds(60), rollout.Waves[1].Deadline);
        rollout = _world.Step(rollout);
        Assert.Equal(RolloutStates.Running, rollout.State);

        _world.Report(rollout, "dev-00003", DeploymentPhases.Failed);
        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Paused, rollout.State);
        Assert.Equal("wave 2: 3 of 10 devices failed (max 1)", rollout.Reason);
    }

    [Fact]
    public void Evaluate_WhilePaused_AssignsNothing()
    {
        _world.Fleet.AddMany(4);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%")));
        rollout = RolloutMachine.Pause(rollout, _world.Time.GetUtcNow()).Rollout!;
        _world.CommitWave(rollout, 1);

        var next = _world.Step(rollout);

        Assert.Same(rollout, next);
        Assert.Equal(RolloutMachine.PausedByOperator, next.Reason);
        Assert.Single(RolloutWorld.Reached(next));
    }

    [Theory]
    [InlineData(RolloutStates.Running, "pause", true)]
    [InlineData(RolloutStates.Paused, "pause", false)]
    [InlineData(RolloutStates.Completed, "pause", false)]
    [InlineData(RolloutStates.Paused, "resume", true)]
    [InlineData(RolloutStates.Running, "resume", false)]
    [InlineData(RolloutStates.Aborted, "resume", false)]
    [InlineData(RolloutStates.Running, "abort", true)]
    [InlineData(RolloutStates.Paused, "abort", true)]
    [InlineData(RolloutStates.Completed, "abort", false)]
    [InlineData(RolloutStates.RolledBack, "abort", false)]
    [InlineData(RolloutStates.Running, "rollback", true)]
    [InlineData(RolloutStates.Paused, "rollback", true)]
    [InlineData(RolloutStates.Completed, "rollback", true)]
    [InlineData(RolloutStates.Aborted, "rollback", true)]
    [InlineData(RolloutStates.RolledBack, "rollback", false)]
    public void OperatorActions_AreAllowedOnlyInTheirStates(string state, string action, bool allowed)
    {
        _world.Fleet.AddMany(2);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request())) with { State = state };

        var change = action switch
        {
            "pause" => RolloutMachine.Pause(rollout, _world.Time.GetUtcNow()),
            "resume" => RolloutMachine.Resume(rollout, _world.Inputs),
            "abort" => RolloutMachine.Abort(rollout, _world.Time.GetUtcNow()),
            _ => RolloutMachine.Rollback(rollout, _world.Inputs),
        };

        Assert.Equal(allowed, change.Rollout is not null);
        Assert.Equal(allowed, change.Conflict is null);
        if (!allowed)
        {
            Assert.Contains(state, change.Conflict, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Abort_StopsFurtherWaves_AndDevicesKeepWhatTheyGot()
    {
        _world.Fleet.AddMany(4);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%")));

        rollout = RolloutMachine.Abort(rollout, _world.Time.GetUtcNow()).Rollout!;
        _world.CommitWave(rollout, 1);
        rollout = _world.Step(rollout);

        Assert.Equal(RolloutStates.Aborted, rollout.State);
        Assert.Equal(RolloutMachine.AbortedByOperator, rollout.Reason);
        Assert.Single(RolloutWorld.Reached(rollout));
        Assert.Equal(2, _world.Assigned("dev-00000", "web"));
    }

    [Fact]
    public void Rollback_SendsEveryReachedDeviceBackToItsPreviousVersion_OrRemovesTheStack()
    {
        _world.Fleet.AddMany(4);
        _world.Preassign("dev-00000", "web", 1);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("2,100%")));
        _world.CommitWave(rollout, 1);

        rollout = RolloutMachine.Rollback(rollout, _world.Inputs).Rollout!;
        Assert.Equal(RolloutStates.RolledBack, rollout.State);
        Assert.Equal(RolloutMachine.RolledBackByOperator, rollout.Reason);
        Assert.Equal([1, null], rollout.Devices.Take(2).Select(d => d.Pending!.Target));
        rollout = _world.Publish(rollout);

        Assert.Equal(1, _world.Assigned("dev-00000", "web"));
        Assert.Null(_world.Assigned("dev-00001", "web"));
        Assert.Equal(2, _world.Publishes["dev-00001"]);
        Assert.False(_world.Publishes.ContainsKey("dev-00002"));
        Assert.Equal(2, RolloutMachine.Describe(rollout, _world.Fleet.Device).Waves[0].Counts.Pending);
    }

    [Fact]
    public void Rollback_ToWhatTheDeviceAlreadyHad_PublishesNothing()
    {
        _world.Fleet.AddMany(1);
        _world.Preassign("dev-00000", "web", 2);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request()));
        Assert.False(_world.Publishes.ContainsKey("dev-00000"));

        rollout = _world.Publish(RolloutMachine.Rollback(rollout, _world.Inputs).Rollout!);

        Assert.False(_world.Publishes.ContainsKey("dev-00000"));
        Assert.Equal(2, _world.Assigned("dev-00000", "web"));
        Assert.NotNull(rollout.Devices[0].Version);
    }

    [Fact]
    public void TakesNewDevices_OnlyInTheLastWaveOrWhenCompleted()
    {
        _world.Fleet.AddMany(4);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%")));
        Assert.False(RolloutMachine.TakesNewDevices(rollout));

        _world.CommitWave(rollout, 1);
        rollout = _world.Step(rollout);
        Assert.True(RolloutMachine.TakesNewDevices(rollout));
        Assert.False(RolloutMachine.TakesNewDevices(RolloutMachine.Pause(rollout, _world.Time.GetUtcNow()).Rollout!));

        _world.CommitWave(rollout, 2);
        rollout = _world.Step(rollout);
        Assert.Equal(RolloutStates.Completed, rollout.State);
        Assert.True(RolloutMachine.TakesNewDevices(rollout));
        Assert.False(RolloutMachine.TakesNewDevices(RolloutMachine.Rollback(rollout, _world.Inputs).Rollout!));
    }

    [Fact]
    public void Join_AddsNewDevicesToTheLastWaveAndAssignsThem()
    {
        _world.Fleet.AddMany(2);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%")));
        _world.Fleet.Add("late");

        rollout = _world.Publish(RolloutMachine.Join(rollout, ["late"], _world.Inputs));

        Assert.Equal(("late", 2), (rollout.Devices[^1].Id, rollout.Devices[^1].Wave));
        Assert.Equal(2, _world.Assigned("late", "web"));
        Assert.Equal(["dev-00000", "late"], RolloutWorld.Reached(rollout));
    }

    [Fact]
    public void Describe_ListsEachWavesDevicesAndTheRolloutsPlan()
    {
        _world.Fleet.AddMany(3);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%", maxFailures: "10%", timeoutSeconds: 90)));

        var info = RolloutMachine.Describe(rollout, _world.Fleet.Device);

        Assert.Equal(("r1", "web", 2, "sha256:abc", ""), (info.Id, info.Stack, info.Version, info.Digest, info.Target));
        Assert.Equal(["1", "100%"], info.WavePlan);
        Assert.Equal(("10%", 90L), (info.MaxFailures, info.WaveTimeoutSeconds));
        Assert.Equal(["dev-00000"], info.Waves[0].Devices);
        Assert.Equal(["dev-00001", "dev-00002"], info.Waves[1].Devices);
        Assert.Equal((1, 2), (info.Waves[0].Counts.Pending, info.Waves[1].Counts.Pending));
        Assert.Equal(RolloutWorld.Start, info.Waves[0].StartedAt);
        Assert.Null(info.Waves[1].StartedAt);
    }

    private Rollout SecondWaveOfTenRunning(string maxFailures)
    {
        _world.Fleet.AddMany(11);
        var rollout = _world.Step(_world.Create(RolloutWorld.Request("1,100%", maxFailures)));
        _world.CommitWave(rollout, 1);
        rollout = _world.Step(rollout);
        Assert.Equal([WaveStates.Completed, WaveStates.Running], RolloutWorld.WaveStates(rollout));
        return rollout;
    }
}
