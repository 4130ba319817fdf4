using System.Formats.Tar;
using Fleet.Cli.Bundles;
using Fleet.Protocol.Api;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Tests.Bundles;

public sealed class BundleWriterTests : IDisposable
{
    private static readonly string[] LookAlikes = ["a/b:1", "a_b:1", "a:b/1"];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-bundle-");

    [Theory]
    [InlineData("registry:5000/team/api:1.2", "images/registry_5000_team_api_1.2.tar")]
    [InlineData("busybox", "images/busybox.tar")]
    [InlineData("..hidden", "images/hidden.tar")]
    public void ArchiveName_IsAPlainNameTheLayoutAccepts(string reference, string expected)
    {
        var name = BundleWriter.ArchiveName(reference, new HashSet<string>());

        Assert.Equal(expected, name);
        Assert.Null(BundleLayout.ValidateImageFile(name));
    }

    [Fact]
    public void ArchiveName_OfReferencesThatLookAlike_StaysUnique()
    {
        var taken = new HashSet<string>();

        var names = LookAlikes.Select(r => BundleWriter.ArchiveName(r, taken)).ToArray();

        Assert.Equal(3, names.Distinct().Count());
        Assert.All(names, n => Assert.Null(BundleLayout.ValidateImageFile(n)));
    }

    [Fact]
    public async Task WriteAsync_LaysOutManifestTrustAndImages_AndLeavesNoPartialFile()
    {
        using var key = SigningKey.Generate();
        var archive = Path.Combine(_dir.FullName, "busybox.tar");
        await File.WriteAllBytesAsync(archive, [1, 2, 3, 4]);
        var image = new BundleImage { Reference = "busybox:1", ImageId = "sha256:00", File = "images/busybox_1.tar", Sha256 = new string('a', 64), SizeBytes = 4 };
        var signed = new BundleResponse { Manifest = EnvelopeSigner.Sign(key, "{}"u8.ToArray()), Trust = new TrustDocuments() };
        var path = Path.Combine(_dir.FullName, "web.bundle");

        await BundleWriter.WriteAsync(path, signed, [(image, archive)], CancellationToken.None);

        Assert.False(File.Exists(path + ".partial"));
        await using var reader = new TarReader(File.OpenRead(path));
        var entries = new Dictionary<string, byte[]>();
        var order = new List<string>();
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var data = new MemoryStream();
            await entry.DataStream!.CopyToAsync(data);
            entries[entry.Name] = data.ToArray();
            order.Add(entry.Name);
        }

        Assert.Equal([BundleLayout.ManifestFile, BundleLayout.TrustFile, "images/busybox_1.tar"], order);
        Assert.Equal(EnvelopeSigner.Encode(signed.Manifest), entries[BundleLayout.ManifestFile]);
        Assert.Equal([1, 2, 3, 4], entries["images/busybox_1.tar"]);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
