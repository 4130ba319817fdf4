using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Bundles;

/// <summary>
/// Air-gapped bundles through the native agent and the real engine, on a device whose broker never
/// answers: a good bundle is loaded and applied; a bad one is refused with its reason and the running
/// stack is left exactly as it was.
/// </summary>
public sealed class BundleImportTests : IAsyncLifetime
{
    private readonly FleetKeys _keys = new();
    private readonly string _deviceId = $"it-{Guid.NewGuid():N}"[..20];
    private readonly string _data = Directory.CreateTempSubdirectory("fleet-agent-it-").FullName;
    private readonly string _stick = Directory.CreateTempSubdirectory("fleet-usb-it-").FullName;
    private TestProject? _stack;
    private TestBundle? _bundle;

    public async Task InitializeAsync()
    {
        _stack = await TestProject.CreateAsync("fleet-it-bdl");
        _bundle = await TestBundle.CreateAsync(_keys);
    }

    public async Task DisposeAsync()
    {
        await _stack!.DisposeAsync();
        await _bundle!.DisposeAsync();
        _keys.Dispose();
        Directory.Delete(_data, recursive: true);
        Directory.Delete(_stick, recursive: true);
    }

    [Fact]
    public async Task Import_OnADeviceWhoseBrokerIsUnreachable_LoadsTheImageAndRunsTheStack()
    {
        await using var agent = StartAgent();
        var bundle = await _bundle!.WriteAsync(_bundle.Desired(_stack!.Name, 5));
        Assert.False(await _bundle.EngineHasReferenceAsync());

        var (code, output) = await ImportAsync(bundle);

        Assert.True(code == 0, output);
        Assert.Contains("version 5 accepted", output, StringComparison.Ordinal);
        await WaitForRunningAsync(agent);
        Assert.True(await _bundle.EngineHasReferenceAsync());
        Assert.Equal(_bundle.ImageId, (await _stack.ContainersAsync()).Single().ImageID);
        await WaitForStatusAsync(agent, "desired:  5   applied: 5");
    }

    [Fact]
    public async Task BundleDroppedIntoTheWatchedDirectory_IsImportedOnce_AndMarkedImported()
    {
        await using var agent = StartAgent();

        var bundle = await _bundle!.WriteAsync(_bundle.Desired(_stack!.Name, 5), _stick, "release.bundle");

        await WaitForRunningAsync(agent);
        await Eventually.TrueAsync(
            () => File.Exists(bundle + ".imported") && !File.Exists(bundle),
            TimeSpan.FromSeconds(30),
            () => $"the bundle is renamed .imported; agent output:\n{agent.Output}");
    }

    public enum Damage
    {
        ImageArchiveByteFlipped,
        ManifestByteFlipped,
        Truncated,
        OlderVersion,
        OtherDevices,
    }

    [Theory]
    [InlineData(Damage.ImageArchiveByteFlipped, "image-digest")]
    [InlineData(Damage.ManifestByteFlipped, "manifest.json")]
    [InlineData(Damage.Truncated, "refused")]
    [InlineData(Damage.OlderVersion, "replayed")]
    [InlineData(Damage.OtherDevices, "wrong-device")]
    public async Task BadBundle_IsRefusedWithItsReason_AndTheRunningStackIsUntouched(Damage damage, string reason)
    {
        await using var agent = StartAgent();
        var (installed, installOutput) = await ImportAsync(await _bundle!.WriteAsync(_bundle.Desired(_stack!.Name, 5)));
        Assert.True(installed == 0, installOutput);
        await WaitForRunningAsync(agent);
        await WaitForStatusAsync(agent, "applied: 5");
        var before = (await _stack.ContainersAsync()).Single();

        var bad = damage switch
        {
            Damage.OlderVersion => await _bundle.WriteAsync(_bundle.Desired(_stack.Name, 3) with { Stacks = [] }),
            Damage.OtherDevices => await _bundle.WriteAsync(_bundle.Desired(_stack.Name, 9, selector: "site=elsewhere") with { Stacks = [] }),
            _ => Spoil(await _bundle.WriteAsync(_bundle.Desired(_stack.Name, 9) with { Stacks = [] }), damage),
        };
        var (code, output) = await ImportAsync(bad);

        Assert.True(code == 1, $"exit {code}: {output}");
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var status = await WaitForStatusAsync(agent, "rejected");
        Assert.Contains("desired:  5   applied: 5", status, StringComparison.Ordinal);
        var after = (await _stack.ContainersAsync()).Single();
        Assert.Equal(before.ID, after.ID);
        Assert.Equal("running", after.State);
    }

    /// <summary>Flips one byte where <paramref name="damage"/> says, or cuts the file short.</summary>
    private static string Spoil(string bundle, Damage damage)
    {
        var bytes = File.ReadAllBytes(bundle);
        switch (damage)
        {
            case Damage.ImageArchiveByteFlipped:
                // The image archive is nearly all of the file; its middle is image bytes, not a tar header.
                bytes[bytes.Length / 2] ^= 0x01;
                break;
            case Damage.ManifestByteFlipped:
                var payload = System.Text.Encoding.ASCII.GetBytes("\"payload\":\"");
                bytes[bytes.AsSpan().IndexOf(payload) + payload.Length + 40] ^= 0x01;
                break;
            case Damage.Truncated:
                bytes = bytes[..(bytes.Length * 3 / 5)];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }

        File.WriteAllBytes(bundle, bytes);
        return bundle;
    }

    /// <summary>The agent with its broker on a port nothing listens on, labelled site=lab, watching the stick.</summary>
    private ExternalProcess StartAgent() => NativeAgent.Start(
        _data, _deviceId, FreePort.Next(), _keys.RootPublicKeyPem, useEngine: true,
        new Dictionary<string, string>
        {
            ["Labels__site"] = "lab",
            ["BundleDirectory"] = _stick,
            ["BundleScanSeconds"] = "1",
        });

    private async Task<(int Code, string Output)> ImportAsync(string bundle)
    {
        await Eventually.TrueAsync(
            () => File.Exists(Path.Combine(_data, "bundle.sock")), TimeSpan.FromSeconds(20), "the agent listens on bundle.sock");
        return await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(120), "bundle", "import", bundle, "--data", _data);
    }

    private Task WaitForRunningAsync(ExternalProcess agent) =>
        Eventually.TrueAsync(
            () => _stack!.ContainersAsync().GetAwaiter().GetResult() is [{ State: "running" }],
            TimeSpan.FromSeconds(60),
            () => $"the stack runs one container; agent output:\n{agent.Output}");

    private async Task<string> WaitForStatusAsync(ExternalProcess agent, string expected)
    {
        var status = "";
        await Eventually.TrueAsync(
            () => (status = ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "status", "--data", _data).GetAwaiter().GetResult().Output)
                .Contains(expected, StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            () => $"status shows '{expected}':\n{status}\nagent output:\n{agent.Output}");
        return status;
    }
}
