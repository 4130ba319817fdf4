namespace Fleet.Cli.Tests.Commands;

public sealed class StackCommandsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-push-");

    [Fact]
    public async Task Push_OfAnInvalidFile_PrintsTheErrorWithFileAndLine_AndNeverCallsTheController()
    {
        var run = await PushAsync("services:\n  web:\n    image: busybox\n    ports:\n      - \"eighty\"\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        var lines = run.Error.TrimEnd('\n').Split('\n');
        Assert.StartsWith("compose.yaml:5:", lines[0], StringComparison.Ordinal);
        Assert.Equal("error: web was not pushed: 1 error in the compose files", lines[^1]);
        Assert.DoesNotContain("cannot reach", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_OfAValidFile_GoesOnToTheController()
    {
        var run = await PushAsync("services:\n  web:\n    image: busybox\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: cannot reach the controller", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_OfAMissingFile_SaysWhichOne()
    {
        var run = await CliRun.RunAsync("stack", "push", "web", "-f", Path.Combine(_dir.FullName, "nope.yaml"), "--controller", CliRun.Unreachable());

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: cannot read ", run.Error, StringComparison.Ordinal);
        Assert.Contains("nope.yaml", run.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<CliRun> PushAsync(string compose)
    {
        var path = Path.Combine(_dir.FullName, "compose.yaml");
        await File.WriteAllTextAsync(path, compose);
        return await CliRun.RunAsync("stack", "push", "web", "-f", path, "--controller", CliRun.Unreachable());
    }
}
