using Fleet.Cli.Bundles;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Tests.Bundles;

public sealed class BundleFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-bundle-");

    [Fact]
    public async Task WriteAsync_GivesABundleTheSharedReaderOpens_AndLeavesNoPartialFile()
    {
        using var key = SigningKey.Generate();
        var archive = Path.Combine(_dir.FullName, "busybox.tar");
        await File.WriteAllBytesAsync(archive, [1, 2, 3, 4]);
        var file = BundleWriter.ImageFile(0, "busybox:1");
        var image = await BundleWriter.DescribeAsync(archive, "busybox:1", "sha256:00", file, CancellationToken.None);
        var signed = Signed(key, image);
        var path = Path.Combine(_dir.FullName, "web.bundle");

        await BundleFile.WriteAsync(path, signed, new Dictionary<string, string> { [file] = archive }, CancellationToken.None);

        Assert.False(File.Exists(path + ".partial"));
        await using var stream = File.OpenRead(path);
        var opened = await BundleReader.OpenAsync(stream, 1 << 20, CancellationToken.None);
        Assert.True(opened.Succeeded, opened.Error);
        await using var reader = opened.Value;
        Assert.Equal(EnvelopeSigner.Encode(signed.Manifest), reader.Manifest.ToArray());
        var archives = new Dictionary<string, byte[]>();
        Assert.Null(await reader.ReadArchivesAsync(
            async (name, data, cancellationToken) =>
            {
                using var copy = new MemoryStream();
                await data.CopyToAsync(copy, cancellationToken);
                archives[name] = copy.ToArray();
                return null;
            },
            CancellationToken.None));
        Assert.Equal([1, 2, 3, 4], archives[file]);
    }

    [Fact]
    public async Task WriteAsync_WhenTheArchiveIsMissing_LeavesNoFileBehind()
    {
        using var key = SigningKey.Generate();
        var image = new BundleImage { Reference = "busybox:1", ImageId = "sha256:00", File = BundleWriter.ImageFile(0, "busybox:1"), Sha256 = new string('a', 64), SizeBytes = 4 };
        var path = Path.Combine(_dir.FullName, "web.bundle");

        await Assert.ThrowsAsync<ArgumentException>(() => BundleFile.WriteAsync(path, Signed(key, image), new Dictionary<string, string>(), CancellationToken.None));

        Assert.Empty(_dir.GetFiles());
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private static BundleResponse Signed(SigningKey key, BundleImage image)
    {
        var desired = EnvelopeSigner.Sign(key, "{}"u8.ToArray());
        var manifest = new BundleManifest { CreatedAt = DateTimeOffset.UnixEpoch, Desired = desired, Images = [image] };
        return new BundleResponse
        {
            Manifest = EnvelopeSigner.Sign(key, ProtocolJson.Serialize(manifest, ProtocolJsonContext.Default.BundleManifest)),
            Trust = new TrustDocuments(),
        };
    }
}
