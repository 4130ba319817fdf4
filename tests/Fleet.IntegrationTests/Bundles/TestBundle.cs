using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Bundles;

/// <summary>
/// Bundles for a test, made as <c>fleet bundle create</c> makes them: the real <c>docker save</c> of an
/// image under a reference of the test's own (so its presence after an import proves the load), signed
/// with the test fleet's keys, written by the shared <see cref="BundleWriter"/>.
/// </summary>
internal sealed class TestBundle : IAsyncDisposable
{
    private readonly FleetKeys _keys;
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-bundle-it-").FullName;

    private TestBundle(FleetKeys keys, string reference, string imageId, string archive)
    {
        _keys = keys;
        Reference = reference;
        ImageId = imageId;
        Archive = archive;
    }

    /// <summary>The test's own reference to the image in the bundle; the engine does not have it until a bundle is imported.</summary>
    public string Reference { get; }

    public string ImageId { get; }

    private string Archive { get; }

    /// <summary>Saves <see cref="TestImages.Busybox"/> as a fresh reference, then drops that reference from the engine.</summary>
    public static async Task<TestBundle> CreateAsync(FleetKeys keys)
    {
        var reference = $"fleet-test/bundle-{Guid.NewGuid():N}"[..32] + ":1";
        await DockerAsync("tag", TestImages.Busybox, reference);
        var imageId = (await DockerAsync("image", "inspect", "--format", "{{.Id}}", reference)).Trim();
        var bundle = new TestBundle(keys, reference, imageId, Path.Combine(Path.GetTempPath(), $"fleet-bundle-it-{Guid.NewGuid():N}.tar"));
        await DockerAsync("save", "-o", bundle.Archive, reference);
        await DockerAsync("rmi", reference);
        return bundle;
    }

    /// <summary>A desired state for devices labelled <c>site=lab</c> (or <paramref name="selector"/>) running one service on the bundle's image.</summary>
    public DesiredState Desired(string stack, long version, string selector = "site=lab") => new()
    {
        Selector = selector,
        Version = version,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddDays(1),
        Stacks =
        [
            new StackSpec
            {
                Name = stack,
                Digest = "sha256:" + version,
                Compose = $"services:\n  app:\n    image: {Reference}\n    labels:\n      {TestImages.TestLabel}: \"1\"\n    stop_grace_period: 1s\n",
            },
        ],
    };

    /// <summary>Writes the bundle file for <paramref name="desired"/> and returns its path.</summary>
    public async Task<string> WriteAsync(DesiredState desired, string? directory = null, string? name = null)
    {
        var file = BundleWriter.ImageFile(0, Reference);
        var image = await BundleWriter.DescribeAsync(Archive, Reference, ImageId, file, CancellationToken.None);
        var manifest = new BundleManifest
        {
            CreatedAt = DateTimeOffset.UtcNow,
            Desired = EnvelopeSigner.Sign(_keys.Signer, ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState)),
            Images = [image],
        };
        var trust = ProtocolJson.Parse(_keys.TrustDocumentsJson(), ProtocolJsonContext.Default.TrustDocuments).Value!;
        var path = Path.Combine(directory ?? _directory, name ?? $"v{desired.Version}-{Guid.NewGuid():N}.bundle");
        // Written beside, then renamed: a watched directory never sees half a bundle under its final name.
        var partial = Path.Combine(_directory, Path.GetFileName(path) + ".partial");
        await using (var output = File.Create(partial))
        {
            await BundleWriter.WriteAsync(
                output,
                EnvelopeSigner.Sign(_keys.Signer, ProtocolJson.Serialize(manifest, ProtocolJsonContext.Default.BundleManifest)),
                trust,
                new Dictionary<string, string> { [file] = Archive },
                CancellationToken.None);
        }

        File.Move(partial, path);
        return path;
    }

    /// <summary>Whether the engine has <see cref="Reference"/> now.</summary>
    public async Task<bool> EngineHasReferenceAsync()
    {
        var (code, _) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "image", "inspect", Reference);
        return code == 0;
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "rmi", Reference);
        File.Delete(Archive);
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<string> DockerAsync(params string[] arguments)
    {
        var (code, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(60), arguments);
        Assert.True(code == 0, $"docker {string.Join(' ', arguments)}: {output}");
        return output;
    }
}
