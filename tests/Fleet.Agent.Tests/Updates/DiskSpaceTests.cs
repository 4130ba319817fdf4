using Fleet.Agent.Updates;

namespace Fleet.Agent.Tests.Updates;

public sealed class DiskSpaceTests
{
    private const long Megabyte = 1024 * 1024;

    [Fact]
    public void FreeSpaceBelowTheReserve_RefusesTheDownload_SayingHowMuchIsFreeAndWhere()
    {
        var refused = DiskSpace.Check("/var/lib/docker", 100 * Megabyte, 512 * Megabyte);

        Assert.NotNull(refused);
        Assert.Equal("disk-full", refused.Code);
        Assert.Equal("not enough disk space to download: 100 MB free on /var/lib/docker, 512 MB must stay free (DiskReserveMegabytes)", refused.Message);
    }

    [Fact]
    public void FreeSpaceAtOrAboveTheReserve_IsNoProblem()
    {
        Assert.Null(DiskSpace.Check("/var/lib/docker", 512 * Megabyte, 512 * Megabyte));
    }

    [Fact]
    public void ImagesThatFitOnlyWithoutTheReserve_AreRefused_SayingWhatTheyNeed()
    {
        var refused = DiskSpace.Check("/var/lib/docker", 600 * Megabyte, 512 * Megabyte, downloadBytes: (100 * Megabyte) + 1);

        Assert.Equal(
            "not enough disk space to download: 600 MB free on /var/lib/docker, the images need 101 MB (layer sizes from the registry) and 512 MB must stay free (DiskReserveMegabytes)",
            refused?.Message);
        Assert.Null(DiskSpace.Check("/var/lib/docker", 612 * Megabyte, 512 * Megabyte, downloadBytes: 100 * Megabyte));
    }

    [Fact]
    public void FreeBytes_OfAnExistingDirectory_IsWhatTheFileSystemSays_AndOfAMissingOneIsUnknown()
    {
        using var dir = new TempDirectory();

        var free = new DriveInfo(dir.Path).AvailableFreeSpace;
        Assert.InRange(DiskSpace.FreeBytes(dir.Path)!.Value, free - (64 * Megabyte), free + (64 * Megabyte));
        Assert.Null(DiskSpace.FreeBytes(Path.Combine(dir.Path, "missing")));
    }
}
