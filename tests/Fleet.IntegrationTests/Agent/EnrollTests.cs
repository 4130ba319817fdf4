using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.Agent;

/// <summary>
/// <c>fleet-agent enroll</c> (the native agent) against the real controller: after it, <c>run --data DIR</c>
/// with no other setting connects to the controller's embedded broker and reports online; and the ways
/// enrolling fails, each one line with exit 1.
/// </summary>
public sealed class EnrollTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-agent-it-").FullName;
    private readonly string _deviceId = $"it-{Guid.NewGuid():N}"[..20];
    private RunningController _controller = null!;

    public async Task InitializeAsync()
    {
        _controller = await RunningController.StartAsync();
        await _controller.InitKeysAsync();
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Enroll_ThenRunWithOnlyTheDataDirectory_ConnectsToTheControllersBrokerAndReportsOnline()
    {
        var token = await _controller.CreateTokenAsync(1, ("site", "berlin"));

        var (code, output) = await EnrollAsync(token, "--device-id", _deviceId, "--labels", "tier=edge");

        Assert.True(code == 0, output);
        Assert.Contains($"enrolled as {_deviceId}", output, StringComparison.Ordinal);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(_data, Fleet.Agent.Hosting.EnrollmentFiles.FileName)));

        await using var agent = ExternalProcess.Start(NativeAgent.Executable, "run", "--data", _data);
        DeviceSummary? device = null;
        await Eventually.TrueAsync(
            () => (device = _controller.GetAsync("/api/v1/devices", ApiJsonContext.Default.IReadOnlyListDeviceSummary).GetAwaiter().GetResult()
                .SingleOrDefault(d => d.Id == _deviceId)) is { Online: true },
            TimeSpan.FromSeconds(30),
            () => $"the controller sees {_deviceId} online; agent output:\n{agent.Output}\ncontroller log:\n{_controller.Log}");

        Assert.Equal(new Dictionary<string, string> { ["site"] = "berlin", ["tier"] = "edge" }, device!.Labels);
    }

    [Fact]
    public async Task Enroll_WithATokenAlreadyUsed_FailsWithTheControllersMessage()
    {
        var token = await _controller.CreateTokenAsync(1);
        Assert.Equal(0, (await EnrollAsync(token, "--device-id", _deviceId)).ExitCode);

        var (code, output) = await EnrollAsync(token, "--device-id", _deviceId + "-b");

        Assert.Equal(1, code);
        Assert.StartsWith("fleet-agent: the controller refused the enrollment token (401 unauthorized: ", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Enroll_WhenTheControllerIsUnreachable_FailsInOneLine()
    {
        var (code, output) = await ExternalProcess.RunAsync(
            NativeAgent.Executable, TimeSpan.FromSeconds(60),
            "enroll", "--controller", $"http://127.0.0.1:{FreePort.Next()}", "--token", "t", "--device-id", _deviceId, "--data", _data);

        Assert.Equal(1, code);
        Assert.StartsWith("fleet-agent: cannot reach the controller at http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(_data, Fleet.Agent.Hosting.EnrollmentFiles.FileName)));
    }

    [Fact]
    public async Task Enroll_WithAnInvalidDeviceId_FailsNamingTheFlag()
    {
        var token = await _controller.CreateTokenAsync(1);

        var (code, output) = await EnrollAsync(token, "--device-id", "Not_Valid!");

        Assert.Equal(1, code);
        Assert.StartsWith("fleet-agent: --device-id: ", output, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output)> EnrollAsync(string token, params string[] more) =>
        ExternalProcess.RunAsync(
            NativeAgent.Executable, TimeSpan.FromSeconds(60),
            ["enroll", "--controller", _controller.Options.ApiUri.ToString(), "--token", token, "--data", _data, .. more]);
}
