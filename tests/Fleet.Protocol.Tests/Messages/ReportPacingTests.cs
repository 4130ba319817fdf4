using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Protocol.Tests.Messages;

public sealed class ReportPacingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void FirstReport_GoesAtOnce_AndTheNextIsHeldUntilTheIntervalAfterIt()
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        Assert.Equal(TimeSpan.Zero, pacing.Hold(DeploymentPhases.Received, 1));

        pacing.Reported(DeploymentPhases.Received, 1);
        _time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.FromMilliseconds(700), pacing.Hold(DeploymentPhases.Downloading, 1));
        _time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(TimeSpan.Zero, pacing.Hold(DeploymentPhases.Downloading, 1));
    }

    [Fact]
    public void AfterAQuietSpell_TheNextReportGoesAtOnce_AndHoldingStartsAgainFromIt()
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        pacing.Reported(DeploymentPhases.Committed, 1);
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.Zero, pacing.Hold(DeploymentPhases.Received, 2));
        pacing.Reported(DeploymentPhases.Received, 2);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(900), pacing.Hold(DeploymentPhases.Verified, 2));
    }

    [Theory]
    [InlineData(DeploymentPhases.Committed)]
    [InlineData(DeploymentPhases.RolledBack)]
    [InlineData(DeploymentPhases.Failed)]
    [InlineData(DeploymentPhases.Rejected)]
    public void TheEndOfAnUpdate_IsNotHeld_ButWhatChangesAfterItIs(string end)
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        pacing.Reported(DeploymentPhases.Received, 7);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(TimeSpan.FromMilliseconds(700), pacing.Hold(DeploymentPhases.Verifying, 7));

        Assert.Equal(TimeSpan.Zero, pacing.Hold(end, 7));

        // Reported: a container that changes later, in the same final phase, waits its turn again.
        pacing.Reported(end, 7);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(800), pacing.Hold(end, 7));
    }

    [Fact]
    public void TheSameFinalPhaseForANewerVersion_EndsThatUpdate_AndIsNotHeld()
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        pacing.Reported(DeploymentPhases.Committed, 1);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(TimeSpan.FromMilliseconds(900), pacing.Hold(DeploymentPhases.Committed, 1));
        Assert.Equal(TimeSpan.Zero, pacing.Hold(DeploymentPhases.Committed, 2));
    }

    [Fact]
    public void ZeroInterval_NeverHolds()
    {
        var pacing = new ReportPacing(TimeSpan.Zero, _time);
        pacing.Reported(DeploymentPhases.Received, 1);

        Assert.Equal(TimeSpan.Zero, pacing.Hold(DeploymentPhases.Downloading, 1));
    }
}
