using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Fleet.Agent.Docker.Engine;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Bundles;

/// <summary>
/// Imports an air-gapped bundle (see docs/protocol.md, Bundles) in two passes over the file, so memory
/// stays bounded for archives of any size and nothing changes until everything is checked:
/// <list type="number">
/// <item>check: the trust documents against the pinned root, the manifest's signature, the desired state
/// inside (this device, above the high-water mark, not expired for accepting), and every archive's SHA-256
/// and size, with no archive missing and none extra;</item>
/// <item>load: each archive into the engine (hashed again as the engine reads it), then each image ID
/// against the manifest; a mismatch puts the tags back as they were.</item>
/// </list>
/// Only then are the trust documents kept and the desired state handed to the same
/// <see cref="DesiredStateIntake"/> as one from MQTT, so it takes the same phases, health gate and rollback.
/// Every refusal is journalled as a <c>rejected</c> event with its reason.
/// </summary>
public sealed partial class BundleImporter(
    string dataDirectory,
    DesiredStateStore store,
    EventJournal journal,
    TrustState trust,
    DesiredStateIntake intake,
    DeviceIdentity device,
    IImageStore images,
    TimeProvider timeProvider,
    ILogger<BundleImporter> logger) : IDisposable
{
    public const string Unreadable = "bundle-unreadable";
    public const string ImageDigest = "image-digest";
    public const string ImageLoad = "image-load";
    public const string ImageIdMismatch = "image-id";

    private const int MaxDocumentBytes = EnvelopeVerifierOptions.DefaultMaxEnvelopeBytes;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly BundleVerifier _verifier = new(timeProvider);

    /// <summary>Raised after a bundle's desired state was accepted (the agent wakes its reconcile loop).</summary>
    public Action? Accepted { get; set; }

    public void Dispose() => _one.Dispose();

    /// <summary>Imports the bundle at <paramref name="path"/>; one import at a time, whoever asks.</summary>
    public async Task<BundleImportResult> ImportAsync(string path, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var name = Path.GetFileName(path);
            var result = await ImportOneAsync(path, cancellationToken);
            if (result.Outcome == BundleImportOutcome.Rejected)
            {
                journal.Append(new DeviceEvent
                {
                    Seq = 0, Time = default, Kind = EventKinds.Rejected, Version = result.Version, Code = result.Code, Detail = $"bundle {name}: {result.Message}",
                });
                LogRejected(name, result.Code!, result.Message);
            }
            else
            {
                LogImported(name, result.Outcome, result.Version);
            }

            return result with { Message = $"{path}: {result.Message}" };
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<BundleImportResult> ImportOneAsync(string path, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Rejected(Unreadable, ex.Message);
        }

        await using (file)
        {
            var checkedBundle = await CheckAsync(file, cancellationToken);
            if (checkedBundle.Refusal is { } refusal)
            {
                return refusal;
            }

            var (bundle, trustStore) = (checkedBundle.Bundle!, checkedBundle.Trust!);
            try
            {
                file.Position = 0;
                if (await LoadAsync(file, bundle, cancellationToken) is { } failed)
                {
                    return failed;
                }
            }
            catch (EngineUnavailableException ex)
            {
                return Rejected(BundleImportResult.EngineUnavailable, ex.Message, bundle.Desired.Version);
            }

            // Root-signed and at least as new as what the device knew: keeping them cannot weaken anything.
            trust.Apply(ProtocolJson.Serialize(trustStore.ExportDocuments(), ProtocolJsonContext.Default.TrustDocuments));
            var outcome = intake.Handle(EnvelopeSigner.Encode(bundle.Manifest.Desired));
            switch (outcome)
            {
                case IntakeOutcome.Accepted:
                    Accepted?.Invoke();
                    return new BundleImportResult
                    {
                        Outcome = BundleImportOutcome.Accepted,
                        Version = bundle.Desired.Version,
                        Message = $"version {bundle.Desired.Version} accepted ({bundle.Manifest.Images.Count} image(s) loaded, {bundle.Desired.Stacks.Count} stack(s)); the agent applies it",
                    };
                case IntakeOutcome.Duplicate:
                    return Duplicate(bundle.Desired.Version);
                default:
                    // The intake journalled its own rejection (e.g. a newer state arrived over MQTT meanwhile).
                    return new BundleImportResult
                    {
                        Outcome = BundleImportOutcome.Rejected,
                        Version = bundle.Desired.Version,
                        Code = "intake",
                        Message = $"version {bundle.Desired.Version} was refused by the intake; see the journal (fleet-agent status)",
                    };
            }
        }
    }

    /// <summary>The first pass: everything that can be checked without touching the engine.</summary>
    private async Task<CheckedBundle> CheckAsync(FileStream file, CancellationToken cancellationToken)
    {
        var opened = await BundleReader.OpenAsync(file, MaxDocumentBytes, cancellationToken);
        if (!opened.Succeeded)
        {
            return new(Rejected(Unreadable, opened.Error));
        }

        await using var reader = opened.Value;
        var documents = ProtocolJson.Parse(reader.Trust.Span, ProtocolJsonContext.Default.TrustDocuments);
        if (!documents.Succeeded)
        {
            return new(Rejected(RefusalReason.Malformed.ToCode(), $"{BundleLayout.TrustFile}: {documents.Error}"));
        }

        var trustStore = Merge(trust.Current, documents.Value);
        if (!trustStore.IsAccepted)
        {
            return new(Rejected(trustStore.Code, $"{BundleLayout.TrustFile}: {trustStore.Message}"));
        }

        var current = store.Current?.Version;
        var mark = HighWaterMark.Read(dataDirectory).Version;
        var verified = _verifier.Verify(reader.Manifest.Span, trustStore.Value, device, AntiRollbackPolicy.FromMarks(current, mark > 0 ? mark : null));
        if (verified.Reason == RefusalReason.Duplicate)
        {
            return new(Duplicate(verified.RefusedValue?.Desired.Version));
        }

        if (!verified.IsAccepted)
        {
            return new(Rejected(verified.Code, $"{BundleLayout.ManifestFile}: {verified.Message}", verified.RefusedValue?.Desired.Version));
        }

        var bundle = verified.Value;
        var expected = bundle.Manifest.Images.ToDictionary(i => i.File, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var digestFailure = false;
        var failure = await reader.ReadArchivesAsync(
            async (name, data, ct) =>
            {
                if (!expected.TryGetValue(name, out var image) || !seen.Add(name))
                {
                    return $"{name} is not listed in the manifest (or appears twice)";
                }

                var mismatch = (await ArchiveDigest.ComputeAsync(data, null, ct)).Mismatch(image);
                digestFailure = mismatch is not null;
                return mismatch;
            },
            cancellationToken);
        failure ??= expected.Keys.FirstOrDefault(f => !seen.Contains(f)) is { } missing ? $"the bundle ends without {missing}" : null;
        return failure is null
            ? new(null, bundle, trustStore.Value)
            : new(Rejected(digestFailure ? ImageDigest : Unreadable, failure, bundle.Desired.Version));
    }

    /// <summary>The second pass: load each archive, then check every image ID; on any failure, put the tags back.</summary>
    private async Task<BundleImportResult?> LoadAsync(FileStream file, VerifiedBundle bundle, CancellationToken cancellationToken)
    {
        var version = bundle.Desired.Version;
        var before = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var image in bundle.Manifest.Images)
        {
            before[image.Reference] = await images.ImageIdAsync(image.Reference, cancellationToken);
        }

        var opened = await BundleReader.OpenAsync(file, MaxDocumentBytes, cancellationToken);
        if (!opened.Succeeded)
        {
            return Rejected(Unreadable, "changed while it was imported: " + opened.Error, version);
        }

        await using var reader = opened.Value;
        var byFile = bundle.Manifest.Images.ToDictionary(i => i.File, StringComparer.Ordinal);
        var code = ImageLoad;
        var failure = await reader.ReadArchivesAsync(
            async (name, data, ct) =>
            {
                if (!byFile.TryGetValue(name, out var image))
                {
                    code = Unreadable;
                    return $"changed while it was imported: {name} is not in the manifest";
                }

                await using var digesting = new DigestingReadStream(data);
                if (await images.LoadAsync(digesting, ct) is { } refused)
                {
                    return $"the engine refused {name} ({image.Reference}): {refused}";
                }

                if (digesting.Digest().Mismatch(image) is { } mismatch)
                {
                    code = ImageDigest;
                    return "changed while it was imported: " + mismatch;
                }

                return null;
            },
            cancellationToken);

        if (failure is null)
        {
            foreach (var image in bundle.Manifest.Images)
            {
                var loaded = await images.ImageIdAsync(image.Reference, cancellationToken);
                if (!string.Equals(loaded, image.ImageId, StringComparison.Ordinal))
                {
                    code = ImageIdMismatch;
                    failure = $"{image.Reference} loaded as {loaded ?? "nothing"}, the manifest says {image.ImageId}";
                    break;
                }
            }
        }

        if (failure is null)
        {
            foreach (var image in bundle.Manifest.Images)
            {
                journal.Append(new DeviceEvent
                {
                    Seq = 0, Time = default, Kind = EventKinds.Pulled, Version = version, Detail = $"{image.Reference} ({image.ImageId}) loaded from a bundle",
                });
            }

            return null;
        }

        foreach (var (reference, imageId) in before)
        {
            await images.RestoreTagAsync(reference, imageId, cancellationToken);
        }

        return Rejected(code, failure, version);
    }

    /// <summary>
    /// Takes the bundle's trust documents one by one: an older certificate or revocation list than the device
    /// knows (the bundle was made a while ago) keeps the newer one; anything not signed by the pinned root refuses.
    /// </summary>
    private static VerificationResult<TrustStore> Merge(TrustStore current, TrustDocuments documents)
    {
        var merged = current;
        foreach (var certificate in documents.Certificates)
        {
            var added = merged.AddCertificate(certificate);
            if (added.IsAccepted)
            {
                merged = added.Value;
            }
            else if (added.Reason != RefusalReason.Replayed)
            {
                return added;
            }
        }

        if (documents.RevocationList is { } list)
        {
            var applied = merged.ApplyRevocationList(list);
            if (applied.IsAccepted)
            {
                merged = applied.Value;
            }
            else if (applied.Reason != RefusalReason.Replayed)
            {
                return applied;
            }
        }

        return VerificationResult<TrustStore>.Accepted(merged, current.Root.Kid);
    }

    private static BundleImportResult Rejected(string code, string message, long? version = null) =>
        new() { Outcome = BundleImportOutcome.Rejected, Code = code, Message = $"refused ({code}): {message}", Version = version };

    private static BundleImportResult Duplicate(long? version) =>
        new() { Outcome = BundleImportOutcome.Duplicate, Version = version, Message = $"version {version} is already what this device has accepted; nothing to do" };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bundle {Name} refused ({Code}): {Reason}")]
    private partial void LogRejected(string name, string code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bundle {Name}: {Outcome}, version {Version}")]
    private partial void LogImported(string name, BundleImportOutcome outcome, long? version);

    private sealed record CheckedBundle(BundleImportResult? Refusal, VerifiedBundle? Bundle = null, TrustStore? Trust = null);
}
