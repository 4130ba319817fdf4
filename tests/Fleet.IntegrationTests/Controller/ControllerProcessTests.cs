using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Controller;

/// <summary>The fleet-controller executable itself: settings validated at start, one line per problem, no trace.</summary>
public sealed class ControllerProcessTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-controller-proc-").FullName;

    private static string Dll => ControllerProcess.Dll;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Run_WithBadSettings_ExitsOneWithOneLinePerProblem()
    {
        var (code, output) = await ExternalProcess.RunAsync("dotnet", TimeSpan.FromSeconds(60), Dll, "run", "--data", _data, "--urls", "ftp://nowhere");

        Assert.Equal(1, code);
        Assert.Equal("fleet-controller: Urls: 'ftp://nowhere' must be an http:// or https:// URL", output.Trim());
    }

    [Fact]
    public async Task Run_WithANonNumberPort_ExitsOneWithoutAStackTrace()
    {
        var (code, output) = await ExternalProcess.RunAsync("dotnet", TimeSpan.FromSeconds(60), Dll, "run", "--data", _data, "--mqtt-port", "lots");

        Assert.Equal(1, code);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains("MqttPort", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnADataDirectoryInUse_RefusesToStart()
    {
        await using var first = ExternalProcess.Start("dotnet", Dll, "run", "--data", _data, "--urls", $"http://127.0.0.1:{FreePort.Next()}", "--mqtt-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(_data, "operator-token")) || first.HasExited, TimeSpan.FromSeconds(60), () => first.Output);

        var (code, output) = await ExternalProcess.RunAsync("dotnet", TimeSpan.FromSeconds(60), Dll, "run", "--data", _data, "--urls", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.False(first.HasExited, first.Output);
        Assert.Equal(1, code);
        Assert.Contains("is in use by another fleet-controller", output, StringComparison.Ordinal);
    }
}
