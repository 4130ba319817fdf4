using System.Text.Json;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Cli;

/// <summary>
/// The real <c>fleet keys</c> and <c>fleet bundle create</c> against a real controller of their own (keys
/// are the controller's global state), with the root key in a file of the operator's.
/// </summary>
public sealed class CliKeysAndBundleTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-keys-");
    private readonly ControllerFixture _controller = new();

    private ControllerFixture Controller => _controller;

    private string RootFile => Path.Combine(_dir.FullName, "root.json");

    public Task InitializeAsync() => _controller.InitializeAsync();

    [Fact]
    public async Task Init_Rotate_Revoke_KeepTheRootInTheOperatorsFile()
    {
        var (initExit, init) = await FleetCli.RunAsync(Controller.Environment, "keys", "init", "--out", RootFile);
        var (againExit, again) = await FleetCli.RunAsync(Controller.Environment, "keys", "init", "--out", Path.Combine(_dir.FullName, "other.json"));
        var afterInit = await KeysAsync();
        var (rotateExit, rotate) = await FleetCli.RunAsync(Controller.Environment, "keys", "rotate", "--root", RootFile);
        var afterRotate = await KeysAsync();
        var (revokeExit, revoke) = await FleetCli.RunAsync(Controller.Environment, "keys", "revoke", afterInit.Active!.Kid, "--root", RootFile);
        var afterRevoke = await KeysAsync();

        Assert.True(initExit == 0, init);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RootFile));
        using var root = SigningKey.ImportJson(await File.ReadAllBytesAsync(RootFile)).Value!;
        Assert.Contains($"root key {root.Kid} written to {RootFile} (mode 0600)", init, StringComparison.Ordinal);
        Assert.Equal(root.Kid, afterInit.Root!.Kid);
        Assert.NotNull(afterInit.Active);
        Assert.Equal(1, againExit);
        Assert.Contains($"already pinned the root key {root.Kid}", again, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "other.json")));
        Assert.True(rotateExit == 0, rotate);
        Assert.NotEqual(afterInit.Active.Kid, afterRotate.Active!.Kid);
        Assert.True(revokeExit == 0, revoke);
        Assert.Contains($"revoked {afterInit.Active.Kid}", revoke, StringComparison.Ordinal);
        var store = TrustStore.Create(root.PublicKey).Apply(afterRevoke.Trust);
        Assert.True(store.IsAccepted, store.Message);
        Assert.Contains(afterInit.Active.Kid, store.Value.Revocations!.RevokedKids);
    }

    [Fact]
    public async Task Rotate_WithAnotherRootFile_IsRefused()
    {
        await InitAsync();
        var otherRoot = Path.Combine(_dir.FullName, "stranger.json");
        using (var stranger = SigningKey.Generate())
        {
            await File.WriteAllBytesAsync(otherRoot, stranger.ExportJson());
            File.SetUnixFileMode(otherRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "keys", "rotate", "--root", otherRoot);

        Assert.Equal(1, exitCode);
        Assert.Contains("but the controller pinned", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BundleCreate_WritesTheLayout_WithASignedManifestOfTheSavedImages()
    {
        await InitAndPushAsync("shop", "services:\n  web:\n    image: fleet-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n");
        var bundle = Path.Combine(_dir.FullName, "shop.bundle");

        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "bundle", "create", "shop:1", "--out", bundle, "--target", "site=mine-7");

        Assert.True(exitCode == 0, output);
        Assert.Matches(@"(?m)^wrote .*shop\.bundle: shop:1 for 'site=mine-7', 1 image\(s\), \d+\.\d MiB$", output);
        await using var stream = File.OpenRead(bundle);
        var opened = await BundleReader.OpenAsync(stream, 1 << 20, CancellationToken.None);
        Assert.True(opened.Succeeded, opened.Error);
        await using var reader = opened.Value;
        var keys = await KeysAsync();
        var trust = TrustStore.Create(keys.Root!).Apply(ProtocolJson.Parse(reader.Trust.Span, ProtocolJsonContext.Default.TrustDocuments).Value!);
        Assert.True(trust.IsAccepted, trust.Message);
        var manifest = new EnvelopeVerifier(TimeProvider.System).Verify(reader.Manifest.Span, trust.Value, ProtocolJsonContext.Default.BundleManifest);
        Assert.True(manifest.IsAccepted, manifest.Message);
        var digests = new Dictionary<string, string>();
        Assert.Null(await reader.ReadArchivesAsync(
            async (name, data, cancellationToken) =>
            {
                digests[name] = Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(data, cancellationToken));
                return null;
            },
            CancellationToken.None));
        var image = Assert.Single(manifest.Value.Images);
        Assert.Equal("fleet-test/busybox:1", image.Reference);
        Assert.Equal("images/00-fleet-test_busybox_1.tar", image.File);
        Assert.Equal(image.Sha256, Assert.Single(digests, d => d.Key == image.File).Value);
    }

    [Fact]
    public async Task BundleCreate_OfAnImageTheEngineLacks_SaysToPullIt()
    {
        await InitAndPushAsync("ghost", "services:\n  web:\n    image: fleet-test/never-built:0\n");

        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "bundle", "create", "ghost", "--out", Path.Combine(_dir.FullName, "ghost.bundle"));

        Assert.Equal(1, exitCode);
        Assert.Contains("error: image fleet-test/never-built:0 is not in the local engine", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.FullName, "ghost.bundle")));
    }

    public async Task DisposeAsync()
    {
        await _controller.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private async Task InitAsync()
    {
        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "keys", "init", "--out", RootFile);
        Assert.True(exitCode == 0, output);
    }

    private async Task InitAndPushAsync(string stack, string compose)
    {
        await InitAsync();
        var path = Path.Combine(_dir.FullName, "compose.yaml");
        await File.WriteAllTextAsync(path, compose);
        var (exitCode, output) = await FleetCli.RunAsync(Controller.Environment, "stack", "push", stack, "-f", path);
        Assert.True(exitCode == 0, output);
    }

    private async Task<KeysInfo> KeysAsync()
    {
        var (exitCode, json) = await FleetCli.RunAsync(Controller.Environment, "keys", "show", "--json");
        Assert.True(exitCode == 0, json);
        return JsonSerializer.Deserialize(json, ApiJsonContext.Default.KeysInfo)!;
    }
}
