using System.Text.Json;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.Cli;

/// <summary>The real <c>fleet</c> against a real controller: tokens, devices, and the error cases.</summary>
public sealed class CliDeviceAndTokenTests(ControllerFixture fixture) : IClassFixture<ControllerFixture>
{
    private ControllerFixture Controller => fixture;

    [Fact]
    public async Task TokenCreate_PrintsTheTokenOnce_AndJsonIsTheTokenInfo()
    {
        var (exitCode, text) = await FleetCli.RunAsync(Controller.Environment, "token", "create", "--labels", "site=berlin", "--uses", "3", "--expires", "2h");
        var (jsonExit, json) = await FleetCli.RunAsync(Controller.Environment, "token", "create", "--json");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"(?m)^token    \S{16,}$", text);
        Assert.Matches(@"(?m)^labels   site=berlin$", text);
        Assert.Matches(@"(?m)^uses     3 of 3$", text);
        Assert.Equal(0, jsonExit);
        var token = JsonSerializer.Deserialize(json, ApiJsonContext.Default.TokenInfo)!;
        Assert.False(string.IsNullOrEmpty(token.Token));
        Assert.Equal(1, token.Uses);
    }

    [Fact]
    public async Task EnrolledDevice_IsListed_Labelled_Selected_Shown_AndRemoved()
    {
        var deviceId = "cli-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Controller.InitKeysAsync(); // the controller enrolls devices only once it can sign for them
        await fixture.Controller.EnrollAsync(deviceId, ("site", "paris"));

        var (listExit, list) = await FleetCli.RunAsync(Controller.Environment, "devices");
        var (labelExit, labelled) = await FleetCli.RunAsync(Controller.Environment, "device", "label", deviceId, "tier=canary", "site-");
        var (selectExit, selected) = await FleetCli.RunAsync(Controller.Environment, "devices", "--selector", "tier=canary", "--json");
        var (otherExit, other) = await FleetCli.RunAsync(Controller.Environment, "devices", "--selector", "tier=stable", "--json");
        var (showExit, show) = await FleetCli.RunAsync(Controller.Environment, "device", "show", deviceId);
        var (showJsonExit, showJson) = await FleetCli.RunAsync(Controller.Environment, "device", "show", deviceId, "--json");
        var (rmExit, rm) = await FleetCli.RunAsync(Controller.Environment, "device", "rm", deviceId);
        var (goneExit, gone) = await FleetCli.RunAsync(Controller.Environment, "device", "show", deviceId);

        Assert.Equal(0, listExit);
        var header = list.Split('\n')[0];
        Assert.Matches(@"^\s*DEVICE\s+LABELS\s+ONLINE\s+STACKS\s+PHASE\s+LAST SEEN\s*$", header);
        Assert.Matches($@"(?m)^\s*{deviceId}\s+site=paris\s+no\b", list);
        Assert.All(list.Split('\n'), line => Assert.True(line.Length <= 80, line));
        Assert.Equal(0, labelExit);
        Assert.Matches($@"(?m)^\s*{deviceId}\s+tier=canary\s+no\b", labelled);
        Assert.Equal((0, 0), (selectExit, otherExit));
        Assert.Equal(deviceId, Assert.Single(JsonSerializer.Deserialize(selected, ApiJsonContext.Default.IReadOnlyListDeviceSummary)!).Id);
        Assert.DoesNotContain(JsonSerializer.Deserialize(other, ApiJsonContext.Default.IReadOnlyListDeviceSummary)!, d => d.Id == deviceId);
        Assert.Equal(0, showExit);
        Assert.Contains($"device     {deviceId}", show, StringComparison.Ordinal);
        Assert.Contains("labels     tier=canary", show, StringComparison.Ordinal);
        Assert.Equal(0, showJsonExit);
        Assert.Equal(deviceId, JsonSerializer.Deserialize(showJson, ApiJsonContext.Default.DeviceDetail)!.Device.Id);
        Assert.Equal((0, $"removed device {deviceId}\n"), (rmExit, rm));
        Assert.Equal(1, goneExit);
        Assert.Single(gone.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", gone, StringComparison.Ordinal);
        Assert.Contains(deviceId, gone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_Json_IsTheContractsArray_AndNothingElse()
    {
        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "devices", "--json");

        Assert.Equal(0, exitCode);
        Assert.StartsWith("[", output, StringComparison.Ordinal);
        Assert.NotNull(JsonSerializer.Deserialize(output, ApiJsonContext.Default.IReadOnlyListDeviceSummary));
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("device", "show", "no-such-device")]
    [InlineData("device", "label", "no-such-device", "a=b")]
    [InlineData("device", "rm", "no-such-device")]
    [InlineData("logs", "no-such-device", "web")]
    [InlineData("stack", "show", "no-such-stack")]
    [InlineData("rollout", "show", "no-such-rollout")]
    public async Task UnknownThings_AreOneLineAndExit1(params string[] command)
    {
        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, command);

        Assert.Equal(1, exitCode);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadToken_IsRefusedInOneLine_WithWhatToDo()
    {
        var (exitCode, output) = await FleetCli.RunAsync(
            new Dictionary<string, string> { ["FLEET_CONTROLLER"] = Controller.Url }, "devices", "--token", "not-the-token");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: the controller refused the operator token (", output, StringComparison.Ordinal);
        Assert.EndsWith("pass --token, set FLEET_TOKEN, or run on the controller's machine\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoToken_SaysThereIsNone()
    {
        var (exitCode, output) = await FleetCli.RunAsync(new Dictionary<string, string> { ["FLEET_CONTROLLER"] = Controller.Url }, "devices");

        Assert.Equal(1, exitCode);
        Assert.Equal("error: no operator token: pass --token, set FLEET_TOKEN, or run on the controller's machine\n", output);
    }

    [Fact]
    public async Task TheTokenOfALocalController_IsReadFromItsDataDirectory()
    {
        var (exitCode, output) = await FleetCli.RunAsync(
            new Dictionary<string, string> { ["FLEET_CONTROLLER"] = Controller.Url, ["FLEET_CONTROLLER_DATA"] = Controller.DataDirectory }, "devices", "--json");

        Assert.Equal(0, exitCode);
        Assert.NotNull(JsonSerializer.Deserialize(output, ApiJsonContext.Default.IReadOnlyListDeviceSummary));
    }
}
