using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class WaveTallyTests
{
    private static readonly RolloutDevice Assigned = new("pi", 1, Reached: true, Version: 10);

    [Theory]
    [InlineData(DeploymentPhases.Committed, 10L, 10L, true, DevicePhase.Committed)]
    [InlineData(DeploymentPhases.Committed, 10L, 10L, false, DevicePhase.Committed)]
    [InlineData(DeploymentPhases.Committed, 11L, 11L, true, DevicePhase.Committed)]
    [InlineData(DeploymentPhases.Committed, 9L, 9L, true, DevicePhase.Pending)]
    [InlineData(DeploymentPhases.Committed, 9L, 9L, false, DevicePhase.Offline)]
    [InlineData(DeploymentPhases.Committed, 10L, 9L, true, DevicePhase.Pending)]
    [InlineData(DeploymentPhases.Received, 10L, 9L, true, DevicePhase.Pending)]
    [InlineData(DeploymentPhases.Downloading, 10L, 9L, true, DevicePhase.Downloading)]
    [InlineData(DeploymentPhases.Downloading, 10L, 9L, false, DevicePhase.Offline)]
    [InlineData(DeploymentPhases.Applying, 10L, 9L, true, DevicePhase.Applying)]
    [InlineData(DeploymentPhases.Verifying, 10L, 9L, true, DevicePhase.Verifying)]
    [InlineData(DeploymentPhases.Failed, 10L, 9L, false, DevicePhase.Failed)]
    [InlineData(DeploymentPhases.Rejected, 10L, 9L, true, DevicePhase.Failed)]
    [InlineData(DeploymentPhases.RollingBack, 10L, 9L, true, DevicePhase.RolledBack)]
    [InlineData(DeploymentPhases.RolledBack, 10L, 9L, true, DevicePhase.RolledBack)]
    [InlineData(DeploymentPhases.Failed, 9L, 8L, true, DevicePhase.Pending)]
    [InlineData(null, null, null, true, DevicePhase.Pending)]
    public void Classify_CountsThePhaseOnlyForTheAssignedVersionOrLater(string? phase, long? desired, long? applied, bool online, DevicePhase expected)
    {
        var view = new DeviceView("pi", new Dictionary<string, string>(), online, DateTimeOffset.UnixEpoch, null, phase, desired, applied, null);

        Assert.Equal(expected, WaveTally.Classify(Assigned, view));
    }

    [Fact]
    public void Classify_AnUnpublishedOrDeletedDevice_IsPendingOrOffline()
    {
        var view = new DeviceView("pi", new Dictionary<string, string>(), true, DateTimeOffset.UnixEpoch, null, DeploymentPhases.Committed, 50, 50, null);

        Assert.Equal(DevicePhase.Pending, WaveTally.Classify(new RolloutDevice("pi", 1), view));
        Assert.Equal(DevicePhase.Offline, WaveTally.Classify(Assigned, null));
    }
}
