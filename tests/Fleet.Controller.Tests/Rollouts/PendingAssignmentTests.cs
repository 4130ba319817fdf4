using Fleet.Controller.Rollouts;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class PendingAssignmentTests
{
    [Fact]
    public void VersionWithoutPublishing_WhenThePublisherAssignsSomethingElse_AsksToPublish()
    {
        var pending = new PendingAssignment(Target: 2, Before: 1, Floor: 100, Baseline: 40);

        Assert.Null(pending.VersionWithoutPublishing(1));
        Assert.Null(pending.VersionWithoutPublishing(null));
    }

    [Fact]
    public void VersionWithoutPublishing_WhenTheDeviceHadItAlready_WatchesItsOwnDesiredVersion()
    {
        Assert.Equal(40, new PendingAssignment(2, 2, 100, 40).VersionWithoutPublishing(2));
        Assert.Equal(1, new PendingAssignment(2, 2, 100, null).VersionWithoutPublishing(2));
    }

    [Fact]
    public void VersionWithoutPublishing_WhenPublishedBeforeACrash_WatchesPastTheFloor()
    {
        Assert.Equal(101, new PendingAssignment(2, 1, 100, 40).VersionWithoutPublishing(2));
        Assert.Equal(101, new PendingAssignment(null, 3, 100, 40).VersionWithoutPublishing(null));
    }
}
