using Fleet.Agent.Bundles;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Bundles;

public sealed class BundleDirectoryWatcherTests : IDisposable
{
    private readonly TempDirectory _stick = new();
    private readonly List<string> _imported = [];
    private BundleImportResult _answer = new() { Outcome = BundleImportOutcome.Accepted, Version = 5, Message = "ok" };

    public void Dispose() => _stick.Dispose();

    [Fact]
    public async Task Scan_ImportsAFileOnlyOnceItHeldStillOverTwoScans_ThenMarksItImported()
    {
        var watcher = Watcher();
        var bundle = Drop("release.bundle");

        await watcher.ScanAsync(CancellationToken.None);
        Assert.Empty(_imported);

        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);

        Assert.Equal([bundle], _imported);
        Assert.True(File.Exists(bundle + BundleDirectoryWatcher.ImportedSuffix));
        Assert.False(File.Exists(bundle));
    }

    [Fact]
    public async Task Scan_WhenTheFileGrowsBetweenScans_WaitsUntilItStops()
    {
        var watcher = Watcher();
        var bundle = Drop("release.bundle");
        await watcher.ScanAsync(CancellationToken.None);

        await File.AppendAllTextAsync(bundle, "more bytes still being copied");
        await watcher.ScanAsync(CancellationToken.None);
        Assert.Empty(_imported);

        await watcher.ScanAsync(CancellationToken.None);
        Assert.Single(_imported);
    }

    [Fact]
    public async Task Scan_WhenTheBundleIsRefused_MarksItRefused()
    {
        _answer = new() { Outcome = BundleImportOutcome.Rejected, Code = "image-digest", Message = "refused" };
        var watcher = Watcher();
        var bundle = Drop("release.bundle");

        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);

        Assert.True(File.Exists(bundle + BundleDirectoryWatcher.RefusedSuffix));
    }

    [Fact]
    public async Task Scan_WhenTheEngineDidNotAnswer_LeavesTheFileToTryAgain()
    {
        _answer = new() { Outcome = BundleImportOutcome.Rejected, Code = BundleImportResult.EngineUnavailable, Message = "no engine" };
        var watcher = Watcher();
        var bundle = Drop("release.bundle");

        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);

        Assert.Equal([bundle, bundle], _imported);
        Assert.True(File.Exists(bundle));
    }

    [Fact]
    public async Task Scan_IgnoresFilesThatAreNotBundles_AndHiddenOnes()
    {
        var watcher = Watcher();
        Drop("notes.txt");
        Drop(".release.bundle");
        Drop("release.bundle.partial");

        await watcher.ScanAsync(CancellationToken.None);
        await watcher.ScanAsync(CancellationToken.None);

        Assert.Empty(_imported);
    }

    [Fact]
    public async Task Scan_WhenTheDirectoryIsNotThere_DoesNothing()
    {
        var watcher = new BundleDirectoryWatcher(
            Path.Combine(_stick.Path, "not-mounted"), ImportAsync, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<BundleDirectoryWatcher>.Instance);

        await watcher.ScanAsync(CancellationToken.None);

        Assert.Empty(_imported);
    }

    private BundleDirectoryWatcher Watcher() =>
        new(_stick.Path, ImportAsync, TimeSpan.FromSeconds(1), TimeProvider.System, NullLogger<BundleDirectoryWatcher>.Instance);

    private Task<BundleImportResult> ImportAsync(string path, CancellationToken cancellationToken)
    {
        _imported.Add(path);
        return Task.FromResult(_answer);
    }

    private string Drop(string name)
    {
        var path = Path.Combine(_stick.Path, name);
        File.WriteAllText(path, "bundle bytes");
        return path;
    }
}
