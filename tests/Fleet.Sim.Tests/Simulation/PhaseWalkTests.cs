using Fleet.Protocol.Messages;
using Fleet.Sim.Simulation;
using Fleet.Sim.Tests.Infrastructure;

namespace Fleet.Sim.Tests.Simulation;

public sealed class PhaseWalkTests
{
    [Fact]
    public void Accepted_WhenHealthy_WalksTheAgentsPhasesToCommitted()
    {
        var steps = PhaseWalk.Accepted(TestKeys.Desired("sim-1", 3), fails: false);

        Assert.Equal(
            [DeploymentPhases.Verified, DeploymentPhases.Downloading, DeploymentPhases.Applying, DeploymentPhases.Verifying, DeploymentPhases.Committed],
            steps.Select(s => s.Phase));
        Assert.Equal(
            [EventKinds.Received, EventKinds.Verified, EventKinds.Downloading, EventKinds.Applying, EventKinds.Verifying, EventKinds.Committed],
            steps.SelectMany(s => s.EventKinds));
        Assert.True(steps[^1].Commits);
        Assert.All(steps.Take(steps.Count - 1), s => Assert.False(s.IsFinal));
    }

    [Fact]
    public void Accepted_WhenFailing_RollsBackAfterVerifying_WithTheReason()
    {
        var steps = PhaseWalk.Accepted(TestKeys.Desired("sim-1", 3), fails: true);

        Assert.Equal(
            [DeploymentPhases.Verified, DeploymentPhases.Downloading, DeploymentPhases.Applying, DeploymentPhases.Verifying, DeploymentPhases.RollingBack, DeploymentPhases.RolledBack],
            steps.Select(s => s.Phase));
        Assert.DoesNotContain(steps, s => s.Commits);
        Assert.Equal(PhaseWalk.FailureCode, steps[^1].Error?.Code);
        Assert.Equal("web", steps[^1].Error?.Stack);
        Assert.True(steps[^1].IsFinal);
    }

    [Fact]
    public void Accepted_OnlyTheIntakeStepIsImmediate()
    {
        var steps = PhaseWalk.Accepted(TestKeys.Desired("sim-1", 3), fails: false);

        Assert.False(steps[0].Delayed);
        Assert.All(steps.Skip(1), s => Assert.True(s.Delayed));
    }

    [Fact]
    public void Rejected_IsOneFinalStep_WithTheVerifiersCode()
    {
        var steps = PhaseWalk.Rejected("bad-signature", "signature does not match");

        var step = Assert.Single(steps);
        Assert.Equal(DeploymentPhases.Rejected, step.Phase);
        Assert.Equal([EventKinds.Received, EventKinds.Rejected], step.EventKinds);
        Assert.Equal("bad-signature", step.Error?.Code);
        Assert.True(step.IsFinal);
    }
}
