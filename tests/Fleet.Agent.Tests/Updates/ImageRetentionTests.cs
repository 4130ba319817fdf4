using Fleet.Agent.Storage;
using Fleet.Agent.Updates;

namespace Fleet.Agent.Tests.Updates;

public sealed class ImageRetentionTests
{
    private static readonly IReadOnlySet<string> NoContainers = new HashSet<string>();

    [Fact]
    public void Prunable_KeepsTheImagesOfTheNewestReleases_AndRemovesTheOlderFleetImages()
    {
        var releases = new[] { Release(1, "sha256:a"), Release(2, "sha256:b"), Release(3, "sha256:c") };

        var prunable = ImageRetention.Prunable(["sha256:c", "sha256:a", "sha256:b", "sha256:pulled-for-a-rolled-back-4"], releases, keep: 2, NoContainers);

        Assert.Equal(["sha256:a", "sha256:pulled-for-a-rolled-back-4"], prunable);
    }

    [Fact]
    public void Prunable_NeverNamesAnImageNoFleetReleaseRanOrPulled()
    {
        var releases = new[] { Release(1, "sha256:a"), Release(2, "sha256:b") };

        var prunable = ImageRetention.Prunable(["sha256:a"], releases, keep: 1, NoContainers);

        Assert.Equal(["sha256:a"], prunable);
    }

    [Fact]
    public void Prunable_KeepsAnOldFleetImageThatAContainerStillUses()
    {
        var releases = new[] { Release(1, "sha256:a"), Release(2, "sha256:b"), Release(3, "sha256:c") };

        var prunable = ImageRetention.Prunable(["sha256:a", "sha256:b", "sha256:c"], releases, keep: 1, new HashSet<string> { "sha256:a" });

        Assert.Equal(["sha256:b"], prunable);
    }

    [Fact]
    public void Prunable_WithKeepZero_RemovesNothing()
    {
        var releases = new[] { Release(1, "sha256:a"), Release(2, "sha256:b") };

        Assert.Empty(ImageRetention.Prunable(["sha256:a", "sha256:b"], releases, keep: 0, NoContainers));
    }

    [Fact]
    public void Prunable_KeepsAServicesImageOfAKeptRelease_WhateverStackOrServiceItIsIn()
    {
        var shared = Release(2, "sha256:b") with
        {
            Stacks = [Stack("web", "sha256:b"), Stack("worker", "sha256:a")],
        };

        var prunable = ImageRetention.Prunable(["sha256:a", "sha256:b", "sha256:z"], [Release(1, "sha256:z"), shared], keep: 1, NoContainers);

        Assert.Equal(["sha256:z"], prunable);
    }

    private static Release Release(long version, string imageId) => new()
    {
        Version = version,
        CommittedAt = DateTimeOffset.UnixEpoch,
        Stacks = [Stack("web", imageId)],
    };

    private static StackRelease Stack(string name, string imageId) => new()
    {
        Name = name,
        Digest = "sha256:0",
        Compose = "services: {}\n",
        ImageIds = new Dictionary<string, string> { ["app"] = imageId },
    };
}
