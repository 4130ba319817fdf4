using Fleet.Agent.Docker.Images;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Docker.Tests.Images;

public sealed class PullProgressMeterTests
{
    private const string Image = "registry.local/app:1";
    private const long MB = 1024 * 1024;

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Observe_LayersDownloading_SumsBytesAndLayersIntoOneLine()
    {
        var meter = new PullProgressMeter(_time, TimeSpan.Zero);
        meter.Observe(Report("a", "Pulling fs layer"));
        meter.Observe(Report("b", "Pulling fs layer"));
        meter.Observe(Report("a", "Downloading", 2 * MB, 8 * MB));
        var line = meter.Observe(Report("b", "Downloading", 1 * MB, 2 * MB));

        Assert.Equal("3.0 of 10.0 MB downloaded (30%), 0 of 2 layers done", line);
    }

    [Fact]
    public void Observe_LayerCompleteOrAlreadyPresent_CountsItDoneWithItsFullSize()
    {
        var meter = new PullProgressMeter(_time, TimeSpan.Zero);
        meter.Observe(Report("a", "Downloading", 1 * MB, 4 * MB));
        meter.Observe(Report("a", "Download complete"));
        meter.Observe(Report("a", "Extracting", 1 * MB, 4 * MB));
        meter.Observe(Report("b", "Already exists"));
        var line = meter.Observe(Report("a", "Pull complete"));

        Assert.Equal("4.0 of 4.0 MB downloaded (100%), 2 of 2 layers done", line);
    }

    [Fact]
    public void Observe_WithinTheInterval_ReportsOnceThenAgainAfterIt()
    {
        var meter = new PullProgressMeter(_time, TimeSpan.FromSeconds(5));

        Assert.NotNull(meter.Observe(Report("a", "Downloading", 1 * MB, 4 * MB)));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(meter.Observe(Report("a", "Downloading", 2 * MB, 4 * MB)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("3.0 of 4.0 MB downloaded (75%), 0 of 1 layers done", meter.Observe(Report("a", "Downloading", 3 * MB, 4 * MB)));
    }

    [Theory]
    [InlineData("", "Pulling from library/app")]
    [InlineData("1", "Pulling from library/app")]
    [InlineData("", "Digest: sha256:abc")]
    [InlineData("", "Status: Downloaded newer image for app:1")]
    public void Observe_ImageWideMessages_AreNotLayersAndReportNothing(string id, string status)
    {
        var meter = new PullProgressMeter(_time, TimeSpan.Zero);

        Assert.Null(meter.Observe(Report(id, status)));
        Assert.Equal("0.0 MB downloaded, 0 of 0 layers done", meter.Summary());
    }

    private static PullProgress Report(string layer, string status, long? current = null, long? total = null) =>
        new(Image, layer, status, current, total);
}
