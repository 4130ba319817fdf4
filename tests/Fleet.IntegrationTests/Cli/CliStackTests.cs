using System.Text.Json;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.Cli;

/// <summary>The real <c>fleet stack ...</c> against a real controller.</summary>
public sealed class CliStackTests(ControllerFixture fixture) : IClassFixture<ControllerFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-stack-");

    private ControllerFixture Controller => fixture;

    [Fact]
    public async Task Push_Ls_Show_Diff_OfTwoVersions()
    {
        var name = "cli" + Guid.NewGuid().ToString("N")[..8];
        var first = Write("compose.yaml", "services:\n  web:\n    image: fleet-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n");

        var (push1Exit, push1) = await FleetCli.RunAsync(Controller.Environment, "stack", "push", name, "-f", first);
        var (againExit, again) = await FleetCli.RunAsync(Controller.Environment, "stack", "push", name, "-f", first);
        var second = Write("compose.yaml", "services:\n  web:\n    image: fleet-test/busybox:2\n    command: [\"sleep\", \"3600\"]\n");
        var (push2Exit, push2Json) = await FleetCli.RunAsync(Controller.Environment, "stack", "push", name, "-f", second, "--json");
        var (lsExit, ls) = await FleetCli.RunAsync(Controller.Environment, "stack", "ls");
        var (lsJsonExit, lsJson) = await FleetCli.RunAsync(Controller.Environment, "stack", "ls", "--json");
        var (versionsExit, versions) = await FleetCli.RunAsync(Controller.Environment, "stack", "ls", name);
        var (showExit, show) = await FleetCli.RunAsync(Controller.Environment, "stack", "show", $"{name}:1");
        var (showJsonExit, showJson) = await FleetCli.RunAsync(Controller.Environment, "stack", "show", name, "--json");
        var (diffExit, diff) = await FleetCli.RunAsync(Controller.Environment, "stack", "diff", $"{name}:1", $"{name}:2");

        Assert.Equal(0, push1Exit);
        Assert.Matches($@"^pushed {name} version 1 \(sha256:[0-9a-f]{{64}}\)\n$", push1);
        Assert.Equal((0, $"{name} is unchanged: version 1"), (againExit, again[..again.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.Equal(0, push2Exit);
        var pushed = JsonSerializer.Deserialize(push2Json, ApiJsonContext.Default.StackVersionInfo)!;
        Assert.Equal((name, 2), (pushed.Name, pushed.Version));
        Assert.Equal(0, lsExit);
        Assert.Matches(@"^\s*STACK\s+LATEST\s+DIGEST\s+UPDATED", ls);
        Assert.Matches($@"(?m)^\s*{name}\s+2\s+{pushed.Digest[7..19]}\s+\d+s ago", ls);
        Assert.Equal(0, lsJsonExit);
        Assert.Contains(JsonSerializer.Deserialize(lsJson, ApiJsonContext.Default.IReadOnlyListStackSummary)!, s => s.Name == name && s.LatestVersion == 2);
        Assert.Equal(0, versionsExit);
        Assert.Matches($@"(?m)^\s*{name}\s+1\s+[0-9a-f]{{12}}\s+web\s+", versions);
        Assert.Matches($@"(?m)^\s*{name}\s+2\s+{pushed.Digest[7..19]}\s+web\s+", versions);
        Assert.Equal(0, showExit);
        Assert.StartsWith($"# {name}:1 sha256:", show, StringComparison.Ordinal);
        Assert.Contains("fleet-test/busybox:1", show, StringComparison.Ordinal);
        Assert.Equal(0, showJsonExit);
        var latest = JsonSerializer.Deserialize(showJson, ApiJsonContext.Default.StackVersionInfo)!;
        Assert.Equal((2, pushed.Digest), (latest.Version, latest.Digest));
        Assert.Contains("fleet-test/busybox:2", latest.Compose, StringComparison.Ordinal);
        Assert.Equal(0, diffExit);
        Assert.Contains($"--- {name}:1\n+++ {name}:2\n@@ ", diff, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^-\s+image: ""fleet-test/busybox:1""$", diff);
        Assert.Matches(@"(?m)^\+\s+image: ""fleet-test/busybox:2""$", diff);
    }

    [Fact]
    public async Task Push_OfAnInvalidFile_IsRefusedLocallyWithFileAndLine_AndNoVersionIsMade()
    {
        var name = "cli" + Guid.NewGuid().ToString("N")[..8];
        var compose = Write("compose.yaml", "services:\n  web:\n    image: fleet-test/busybox:1\n    restart: sometimes\n");

        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "stack", "push", name, "-f", compose);
        var (lsExit, ls) = await FleetCli.RunAsync(Controller.Environment, "stack", "ls", name);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("compose.yaml:4:", output, StringComparison.Ordinal);
        Assert.EndsWith($"error: {name} was not pushed: 1 error in the compose files\n", output, StringComparison.Ordinal);
        Assert.Equal(1, lsExit);
        Assert.StartsWith("error: ", ls, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
