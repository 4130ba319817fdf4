namespace Fleet.Cli.Tests.Hosting;

public sealed class CliAppTests
{
    [Theory]
    [InlineData("devices")]
    [InlineData("device", "show", "cabinet-1")]
    [InlineData("stack", "ls")]
    [InlineData("rollout", "ls")]
    [InlineData("rollout", "watch", "r-1")]
    [InlineData("keys", "show")]
    [InlineData("logs", "cabinet-1", "web", "--since", "10m")]
    public async Task AnyCommand_WhenTheControllerIsUnreachable_PrintsOneLineAndExits1(params string[] command)
    {
        var controller = CliRun.Unreachable();

        var run = await CliRun.RunAsync([.. command, "--controller", controller]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Equal($"error: cannot reach the controller at {controller}: Connection refused\n", run.Error);
    }

    [Fact]
    public async Task Json_WhenTheControllerIsUnreachable_KeepsStdoutEmpty()
    {
        var run = await CliRun.RunAsync("devices", "--json", "--controller", CliRun.Unreachable());

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task ControllerFromTheEnvironment_IsUsedWhenNoOptionGivesOne()
    {
        var controller = CliRun.Unreachable();

        var run = await CliRun.RunAsync(new Dictionary<string, string> { ["FLEET_CONTROLLER"] = controller }, "devices");

        Assert.Contains($"cannot reach the controller at {controller}", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", "web", "--target", "site=berlin", "--waves", "10%,5%")]
    [InlineData("deploy", "web", "--target", "site=", "--waves", "100%")]
    [InlineData("deploy", "web")]
    [InlineData("deploy", "Web:1", "--target", "")]
    [InlineData("deploy", "web", "--target", "", "--max-failures", "200%")]
    [InlineData("devices", "--status", "sleeping")]
    [InlineData("logs", "cabinet-1", "web", "--since", "10x")]
    [InlineData("token", "create", "--expires", "soon")]
    [InlineData("token", "create", "--labels", "site")]
    [InlineData("device", "label", "cabinet-1")]
    [InlineData("stack", "push", "web")]
    [InlineData("keys", "revoke", "-bad-", "--root", "root.json")]
    [InlineData("completion", "fish")]
    [InlineData("launch")]
    [InlineData]
    public async Task UsageMistakes_Exit2_WithTheReasonOnStderr_BeforeAnyCall(params string[] command)
    {
        var run = await CliRun.RunAsync([.. command, "--controller", CliRun.Unreachable()]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", run.Error, StringComparison.Ordinal);
        Assert.Contains("--help'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControllerThatIsNotAnHttpUrl_IsAUsageError()
    {
        var run = await CliRun.RunAsync("devices", "--controller", "ftp://controller");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --controller 'ftp://controller' is not an http:// or https:// URL\n", run.Error);
    }

    [Fact]
    public async Task Help_OfACommand_EndsWithItsExamples()
    {
        var run = await CliRun.RunAsync("deploy", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        var examples = run.Out[run.Out.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains("fleet deploy web --target site=berlin", examples, StringComparison.Ordinal);
        Assert.DoesNotContain("--target <SELECTOR>", examples, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_OfTheRoot_ListsEveryCommandOfTheIssue()
    {
        var run = await CliRun.RunAsync("--help");

        foreach (var command in new[] { "token", "devices", "device", "stack", "deploy", "rollout", "logs", "keys", "bundle", "completion" })
        {
            Assert.Contains("\n  " + command, run.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _fleet_complete fleet")]
    [InlineData("zsh", "compdef _fleet fleet")]
    public async Task Completion_PrintsAScriptThatAsksFleetForSuggestions(string shell, string registration)
    {
        var run = await CliRun.RunAsync("completion", shell);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(registration, run.Out, StringComparison.Ordinal);
        Assert.Contains("fleet \"[suggest:", run.Out, StringComparison.Ordinal);
    }
}
