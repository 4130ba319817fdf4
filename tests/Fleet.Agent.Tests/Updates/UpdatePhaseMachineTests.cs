using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Updates;

public sealed class UpdatePhaseMachineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void NewDesiredVersion_StartsAnUpdateInStored_AndTheSameVersionGoesOnWhereItWas()
    {
        var verifying = Update(DeploymentPhases.Verifying);

        var fresh = UpdatePhaseMachine.Start(verifying, 8, committedVersion: 6, _time.GetUtcNow());
        var same = UpdatePhaseMachine.Start(verifying, 7, committedVersion: 6, _time.GetUtcNow());
        var first = UpdatePhaseMachine.Start(null, 1, committedVersion: null, _time.GetUtcNow());

        Assert.Equal((8L, DeploymentPhases.Stored, _time.GetUtcNow()), (fresh.Version, fresh.Phase, fresh.Since));
        Assert.Same(verifying, same);
        Assert.Equal(DeploymentPhases.Stored, first.Phase);
    }

    [Fact]
    public void DesiredVersionThatIsTheLastCommittedRelease_StartsAsCommitted()
    {
        var started = UpdatePhaseMachine.Start(null, 6, committedVersion: 6, _time.GetUtcNow());

        Assert.Equal(DeploymentPhases.Committed, started.Phase);
    }

    [Theory]
    [InlineData(DeploymentPhases.Received, UpdateStep.Download)]
    [InlineData(DeploymentPhases.Verified, UpdateStep.Download)]
    [InlineData(DeploymentPhases.Stored, UpdateStep.Download)]
    [InlineData(DeploymentPhases.Downloading, UpdateStep.Download)]
    [InlineData(DeploymentPhases.Applying, UpdateStep.Apply)]
    [InlineData(DeploymentPhases.WaitingForLock, UpdateStep.Apply)]
    [InlineData(DeploymentPhases.Verifying, UpdateStep.Verify)]
    [InlineData(DeploymentPhases.RollingBack, UpdateStep.RollBack)]
    [InlineData(DeploymentPhases.Committed, UpdateStep.RepairCommitted)]
    [InlineData(DeploymentPhases.RolledBack, UpdateStep.RepairCommitted)]
    public void EveryPhaseWrittenBeforeARestart_ResumesWithItsOwnStep(string phase, UpdateStep step)
    {
        Assert.Equal(step, UpdatePhaseMachine.Next(Update(phase), _time.GetUtcNow(), retryAt: null));
    }

    [Fact]
    public void FailedRollback_WaitsForItsBackoff_TouchingNothing_ThenIsTriedAgain()
    {
        var failed = Update(DeploymentPhases.Failed) with { RetryPhase = DeploymentPhases.RollingBack };
        var retryAt = _time.GetUtcNow().AddSeconds(10);

        _time.Advance(TimeSpan.FromSeconds(9));
        var before = UpdatePhaseMachine.Next(failed, _time.GetUtcNow(), retryAt);
        _time.Advance(TimeSpan.FromSeconds(1));
        var due = UpdatePhaseMachine.Next(failed, _time.GetUtcNow(), retryAt);

        Assert.Equal(UpdateStep.WaitForRetry, before);
        Assert.Equal(UpdateStep.Retry, due);
    }

    [Fact]
    public void FailedDownload_KeepsTheOldReleaseRunning_UntilItsRetryIsDue()
    {
        var failed = Update(DeploymentPhases.Failed) with { RetryPhase = DeploymentPhases.Downloading };

        var step = UpdatePhaseMachine.Next(failed, _time.GetUtcNow(), _time.GetUtcNow().AddMinutes(1));

        Assert.Equal(UpdateStep.RepairCommitted, step);
    }

    [Fact]
    public void FailedUpdateWithNothingToRetry_KeepsTheNewReleaseRunning()
    {
        Assert.Equal(UpdateStep.RepairDesired, UpdatePhaseMachine.Next(Update(DeploymentPhases.Failed), _time.GetUtcNow(), retryAt: null));
    }

    [Fact]
    public void FailedAttempt_AfterARestart_IsTriedAgainAtOnce()
    {
        var failed = Update(DeploymentPhases.Failed) with { RetryPhase = DeploymentPhases.RollingBack, Attempts = 6 };

        Assert.Equal(UpdateStep.Retry, UpdatePhaseMachine.Next(failed, _time.GetUtcNow(), retryAt: null));
    }

    private UpdateRecord Update(string phase) => new() { Version = 7, Phase = phase, Since = _time.GetUtcNow() };
}
