using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Cli;

/// <summary>The real <c>fleet</c> process against a controller address where nothing listens.</summary>
public sealed class CliUnreachableControllerTests
{
    [Theory]
    [InlineData("devices")]
    [InlineData("devices", "--json")]
    [InlineData("device", "show", "cabinet-1")]
    [InlineData("stack", "ls")]
    [InlineData("stack", "show", "web:1")]
    [InlineData("deploy", "web", "--target", "site=berlin", "--wait")]
    [InlineData("rollout", "watch", "r-1")]
    [InlineData("logs", "cabinet-1", "web", "--tail", "10")]
    [InlineData("token", "create")]
    [InlineData("keys", "show")]
    public async Task Command_PrintsOneLineWithTheAddress_AndExits1(params string[] command)
    {
        var controller = $"http://127.0.0.1:{FreePort.Next()}";

        var (exitCode, output) = await FleetCli.RunAsync([.. command, "--controller", controller]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"error: cannot reach the controller at {controller}: Connection refused", output.TrimEnd('\n'));
    }

    [Fact]
    public async Task ControllerFromFleetController_IsTheOneReported()
    {
        var controller = $"http://127.0.0.1:{FreePort.Next()}";

        var (exitCode, output) = await FleetCli.RunAsync(new Dictionary<string, string> { ["FLEET_CONTROLLER"] = controller }, "rollout", "ls");

        Assert.Equal(1, exitCode);
        Assert.Contains($"cannot reach the controller at {controller}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageError_Exits2_BeforeTryingTheController()
    {
        var (exitCode, output) = await FleetCli.RunAsync("deploy", "web", "--target", "site=berlin", "--waves", "50%,10%", "--controller", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.Equal(2, exitCode);
        Assert.Contains("the sizes are cumulative and must grow", output, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", output, StringComparison.Ordinal);
    }
}
