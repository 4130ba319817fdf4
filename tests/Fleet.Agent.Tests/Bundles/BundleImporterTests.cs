using System.Security.Cryptography;
using Fleet.Agent.Bundles;
using Fleet.Agent.Storage;
using Fleet.Agent.Tests.Enrollment;
using Fleet.Agent.Updates;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fleet.Agent.Tests.Bundles;

/// <summary>
/// The checks an import makes before it touches the engine: every refusal here must leave the store, the
/// high-water mark and the trust documents as they were, and journal one <c>rejected</c> event. The engine
/// is the real one's address, never reached (what reaches it is in the integration tests).
/// </summary>
public sealed class BundleImporterTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly EnrollmentTestData _keys = new();
    private readonly AgentDatabase _database;
    private readonly DesiredStateStore _store;
    private readonly EventJournal _journal;
    private readonly TrustState _trust;
    private readonly BundleImporter _importer;
    private readonly byte[] _archive = RandomNumberGenerator.GetBytes(64 * 1024);

    public BundleImporterTests()
    {
        _database = AgentDatabase.Open(_dir.Path, TimeProvider.System).Database!;
        _store = new DesiredStateStore(_database, TimeProvider.System);
        _journal = new EventJournal(_database, TimeProvider.System);
        _trust = new TrustState(_keys.Root.PublicKey, _store);
        var device = new DeviceIdentity("dev-7", new Dictionary<string, string> { ["site"] = "lab" });
        var intake = new DesiredStateIntake(
            _dir.Path, _store, _journal, _trust, new DesiredStateVerifier(TimeProvider.System), device, NullLogger<DesiredStateIntake>.Instance);
        _importer = new BundleImporter(
            _dir.Path, _store, _journal, _trust, intake, device, new EngineImageStore(null), TimeProvider.System, NullLogger<BundleImporter>.Instance);
    }

    public void Dispose()
    {
        _importer.Dispose();
        _database.Dispose();
        _keys.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Import_WhenAByteOfAnImageArchiveIsFlipped_RefusesWithImageDigest()
    {
        var bundle = await WriteAsync(Desired(5), tamperArchive: true);

        var result = await _importer.ImportAsync(bundle, CancellationToken.None);

        AssertRefusedAndNothingChanged(result, BundleImporter.ImageDigest);
    }

    [Fact]
    public async Task Import_WhenTheBundleIsCutShortAnywhere_Refuses()
    {
        var whole = File.ReadAllBytes(await WriteAsync(Desired(5)));

        foreach (var length in new[] { 0, 100, 700, whole.Length / 3, whole.Length - 1024 - 1 })
        {
            var cut = Path.Combine(_dir.Path, $"cut-{length}.bundle");
            File.WriteAllBytes(cut, whole[..length]);

            var result = await _importer.ImportAsync(cut, CancellationToken.None);

            Assert.True(result.Outcome == BundleImportOutcome.Rejected, $"cut at {length}: {result.Message}");
        }

        Assert.Null(_store.Current);
    }

    [Fact]
    public async Task Import_WhenTheManifestPayloadIsTampered_RefusesWithBadSignature()
    {
        var bundle = await WriteAsync(Desired(5), tamperManifest: true);

        var result = await _importer.ImportAsync(bundle, CancellationToken.None);

        AssertRefusedAndNothingChanged(result, RefusalReason.BadSignature.ToCode());
    }

    [Fact]
    public async Task Import_WhenTheVersionIsNotAboveTheHighWaterMark_RefusesAsReplayed()
    {
        HighWaterMark.Raise(_dir.Path, 8, "sha256:8");

        var result = await _importer.ImportAsync(await WriteAsync(Desired(5)), CancellationToken.None);

        AssertRefusedAndNothingChanged(result, RefusalReason.Replayed.ToCode());
        Assert.Equal(5, result.Version);
        Assert.Equal(8, HighWaterMark.Read(_dir.Path).Version);
    }

    [Fact]
    public async Task Import_WhenTheSelectorDoesNotMatchThisDevice_RefusesAsWrongDevice()
    {
        var result = await _importer.ImportAsync(await WriteAsync(Desired(5) with { Selector = "site=elsewhere" }), CancellationToken.None);

        AssertRefusedAndNothingChanged(result, RefusalReason.WrongDevice.ToCode());
    }

    [Fact]
    public async Task Import_WhenTheDesiredStateIsPastItsAcceptUntil_RefusesAsExpired()
    {
        var expired = Desired(5) with { IssuedAt = DateTimeOffset.UtcNow.AddDays(-3), AcceptUntil = DateTimeOffset.UtcNow.AddDays(-1) };

        var result = await _importer.ImportAsync(await WriteAsync(expired), CancellationToken.None);

        AssertRefusedAndNothingChanged(result, RefusalReason.Expired.ToCode());
    }

    [Fact]
    public async Task Import_WhenTheTrustFileIsNotSignedByThePinnedRoot_Refuses()
    {
        using var stranger = new EnrollmentTestData();

        var result = await _importer.ImportAsync(await WriteAsync(Desired(5), trust: stranger.Response().Trust), CancellationToken.None);

        AssertRefusedAndNothingChanged(result, RefusalReason.BadSignature.ToCode());
        Assert.Contains("trust.json", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_WhenTheFileIsNotABundle_RefusesAsUnreadable()
    {
        var path = Path.Combine(_dir.Path, "notes.bundle");
        await File.WriteAllTextAsync(path, "not a tar at all");

        AssertRefusedAndNothingChanged(await _importer.ImportAsync(path, CancellationToken.None), BundleImporter.Unreadable);
    }

    [Fact]
    public async Task Import_WhenTheFileDoesNotExist_RefusesNamingIt()
    {
        var path = Path.Combine(_dir.Path, "missing.bundle");

        var result = await _importer.ImportAsync(path, CancellationToken.None);

        AssertRefusedAndNothingChanged(result, BundleImporter.Unreadable);
        Assert.StartsWith(path, result.Message, StringComparison.Ordinal);
    }

    private void AssertRefusedAndNothingChanged(BundleImportResult result, string code)
    {
        Assert.Equal(BundleImportOutcome.Rejected, result.Outcome);
        Assert.Equal(code, result.Code);
        Assert.Null(_store.Current);
        Assert.Null(_store.TrustDocuments);
        Assert.Empty(_trust.Current.Certificates);
        var rejected = Assert.Single(_journal.Recent(10), e => e.Kind == EventKinds.Rejected);
        Assert.Equal(code, rejected.Code);
        Assert.DoesNotContain(_journal.Recent(10), e => e.Kind is EventKinds.Stored or EventKinds.Pulled);
    }

    private static DesiredState Desired(long version) => new()
    {
        Selector = "site=lab",
        Version = version,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddDays(1),
        Stacks = [new StackSpec { Name = "web", Digest = "sha256:1", Compose = "services:\n  web:\n    image: bundle-test/web:1\n" }],
    };

    private async Task<string> WriteAsync(DesiredState desired, bool tamperArchive = false, bool tamperManifest = false, TrustDocuments? trust = null)
    {
        var archivePath = Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.tar");
        await File.WriteAllBytesAsync(archivePath, _archive);
        var file = BundleWriter.ImageFile(0, "bundle-test/web:1");
        var image = await BundleWriter.DescribeAsync(archivePath, "bundle-test/web:1", "sha256:feed", file, CancellationToken.None);
        if (tamperArchive)
        {
            var bytes = await File.ReadAllBytesAsync(archivePath);
            bytes[bytes.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(archivePath, bytes);
        }

        var manifest = EnvelopeSigner.Sign(_keys.Signer, ProtocolJson.Serialize(
            new BundleManifest
            {
                CreatedAt = DateTimeOffset.UtcNow,
                Desired = EnvelopeSigner.Sign(_keys.Signer, ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState)),
                Images = [image],
            },
            ProtocolJsonContext.Default.BundleManifest));
        if (tamperManifest)
        {
            var payload = manifest.Payload.ToArray();
            payload[payload.Length / 2] ^= 0x01;
            manifest = manifest with { Payload = payload };
        }

        var path = Path.Combine(_dir.Path, $"{Guid.NewGuid():N}.bundle");
        await using var output = File.Create(path);
        await BundleWriter.WriteAsync(output, manifest, trust ?? _keys.Response().Trust, new Dictionary<string, string> { [file] = archivePath }, CancellationToken.None);
        return path;
    }
}
