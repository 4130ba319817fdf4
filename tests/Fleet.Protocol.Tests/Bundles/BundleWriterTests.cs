using System.Formats.Tar;
using System.Security.Cryptography;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Bundles;

public sealed class BundleWriterTests : IDisposable
{
    private static readonly DeviceIdentity Device = new("dev-1", new Dictionary<string, string> { ["site"] = "berlin" });
    private readonly TestPki _pki = new();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-bundle-writer-");

    public void Dispose()
    {
        _pki.Dispose();
        _dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData(0, "registry:5000/api:1.2", "images/00-registry_5000_api_1.2.tar")]
    [InlineData(7, "fleet-test/busybox@sha256:ab", "images/07-fleet-test_busybox_sha256_ab.tar")]
    public void ImageFile_SanitizesTheReferenceIntoAPlainName(int index, string reference, string expected)
    {
        var file = BundleWriter.ImageFile(index, reference);

        Assert.Equal(expected, file);
        Assert.Null(BundleLayout.ValidateImageFile(file));
    }

    [Fact]
    public void ImageFile_WhenTheReferenceIsVeryLong_StaysWithinTheNameLimit() =>
        Assert.Null(BundleLayout.ValidateImageFile(BundleWriter.ImageFile(3, new string('a', 400))));

    [Fact]
    public async Task DescribeAsync_RecordsTheArchivesSha256AndSize()
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var path = WriteFile("api.tar", bytes);

        var image = await BundleWriter.DescribeAsync(path, "api:1", "sha256:feed", "images/00-api_1.tar", CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), image.Sha256);
        Assert.Equal(bytes.Length, image.SizeBytes);
    }

    [Fact]
    public async Task WriteThenRead_GivesBackTheManifestTrustAndArchivesInOrder_AndTheBundleVerifies()
    {
        var api = RandomNumberGenerator.GetBytes(100_000);
        var db = RandomNumberGenerator.GetBytes(3);
        var (manifest, archives) = await ManifestAsync(("api:1", api), ("db:2", db));
        var trust = new TrustDocuments { Certificates = [Envelope(_pki.Certify(_pki.Signer, serial: 1))] };
        var bundle = new MemoryStream();

        await BundleWriter.WriteAsync(bundle, manifest, trust, archives, CancellationToken.None);

        bundle.Position = 0;
        var opened = await BundleReader.OpenAsync(bundle, 1 << 20, CancellationToken.None);
        Assert.True(opened.Succeeded, opened.Error);
        await using var reader = opened.Value;
        Assert.Equal(EnvelopeSigner.Encode(manifest), reader.Manifest.ToArray());
        var readTrust = ProtocolJson.Parse(reader.Trust.Span, ProtocolJsonContext.Default.TrustDocuments);
        Assert.True(readTrust.Succeeded, readTrust.Error);
        var store = TrustStore.Create(_pki.Root.PublicKey).Apply(readTrust.Value);
        Assert.True(store.IsAccepted, store.ToString());
        var verified = new BundleVerifier(_pki.Clock).Verify(reader.Manifest.Span, store.Value, Device, AntiRollbackPolicy.None);
        Assert.True(verified.IsAccepted, verified.ToString());

        var seen = new List<(string Name, ArchiveDigest Digest)>();
        var end = await reader.ReadArchivesAsync(
            async (name, data, ct) =>
            {
                seen.Add((name, await ArchiveDigest.ComputeAsync(data, null, ct)));
                return null;
            },
            CancellationToken.None);

        Assert.Null(end);
        Assert.Equal(verified.Value.Manifest.Images.Select(i => i.File), seen.Select(s => s.Name));
        Assert.All(verified.Value.Manifest.Images.Zip(seen), pair => Assert.Null(pair.Second.Digest.Mismatch(pair.First)));
    }

    [Fact]
    public async Task WriteAsync_WhenAnArchiveChangedSizeSinceItWasDescribed_Throws()
    {
        var (manifest, archives) = await ManifestAsync(("api:1", new byte[] { 1, 2, 3 }));
        await File.AppendAllTextAsync(archives.Values.Single(), "more");

        await Assert.ThrowsAsync<ArgumentException>(() =>
            BundleWriter.WriteAsync(new MemoryStream(), manifest, new TrustDocuments(), archives, CancellationToken.None));
    }

    [Fact]
    public async Task ReadArchivesAsync_WhenTheBundleIsCutShort_ReturnsAReasonInsteadOfThrowing()
    {
        var (manifest, archives) = await ManifestAsync(("api:1", RandomNumberGenerator.GetBytes(50_000)));
        var whole = new MemoryStream();
        await BundleWriter.WriteAsync(whole, manifest, new TrustDocuments(), archives, CancellationToken.None);
        var cut = new MemoryStream(whole.ToArray()[..(int)(whole.Length / 2)]);

        var opened = await BundleReader.OpenAsync(cut, 1 << 20, CancellationToken.None);
        Assert.True(opened.Succeeded, opened.Error);
        await using var reader = opened.Value;
        var image = ProtocolJson.Parse(manifest.Payload.Span, ProtocolJsonContext.Default.BundleManifest).Value!.Images.Single();
        string? mismatch = null;

        var end = await reader.ReadArchivesAsync(
            async (_, data, ct) => mismatch = (await ArchiveDigest.ComputeAsync(data, null, ct)).Mismatch(image),
            CancellationToken.None);

        Assert.NotNull(end ?? mismatch);
    }

    [Fact]
    public async Task OpenAsync_WhenTheFirstEntryIsNotTheManifest_Fails()
    {
        var bundle = new MemoryStream();
        await using (var tar = new TarWriter(bundle, TarEntryFormat.Pax, leaveOpen: true))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "images/x.tar") { DataStream = new MemoryStream([1]) });
        }

        bundle.Position = 0;
        var opened = await BundleReader.OpenAsync(bundle, 1 << 20, CancellationToken.None);

        Assert.False(opened.Succeeded);
        Assert.Contains("manifest.json", opened.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_WhenTheBytesAreNotATar_Fails()
    {
        var opened = await BundleReader.OpenAsync(new MemoryStream(RandomNumberGenerator.GetBytes(2048)), 1 << 20, CancellationToken.None);

        Assert.False(opened.Succeeded);
    }

    private async Task<(SignedEnvelope Manifest, Dictionary<string, string> Archives)> ManifestAsync(params (string Reference, byte[] Bytes)[] images)
    {
        var archives = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<BundleImage>();
        for (var i = 0; i < images.Length; i++)
        {
            var file = BundleWriter.ImageFile(i, images[i].Reference);
            var path = WriteFile($"{i}.tar", images[i].Bytes);
            archives[file] = path;
            entries.Add(await BundleWriter.DescribeAsync(path, images[i].Reference, "sha256:" + i, file, CancellationToken.None));
        }

        var desired = TestPki.Desired(5) with { DeviceId = null, Selector = "site=berlin" };
        var manifest = new BundleManifest
        {
            CreatedAt = TestPki.Now,
            Desired = EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState)),
            Images = entries,
        };
        return (EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(manifest, ProtocolJsonContext.Default.BundleManifest)), archives);
    }

    private static SignedEnvelope Envelope(byte[] encoded) =>
        ProtocolJson.Parse(encoded, ProtocolJsonContext.Default.SignedEnvelope).Value!;

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
