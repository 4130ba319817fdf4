using Fleet.Protocol.Keys;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Bundles;

/// <summary>
/// Checks a bundle's manifest envelope (size, shape, key, signature, then parse), its image entries,
/// and the desired state inside through the same <see cref="DesiredStateVerifier"/> as MQTT uses.
/// The caller applies the bundle's trust file to its trust store first and checks each archive's
/// SHA-256 against <see cref="BundleImage.Sha256"/> before loading it.
/// </summary>
public sealed class BundleVerifier
{
    private readonly EnvelopeVerifier _envelopes;
    private readonly DesiredStateVerifier _desired;

    public BundleVerifier(TimeProvider timeProvider, EnvelopeVerifierOptions? options = null)
    {
        _envelopes = new EnvelopeVerifier(timeProvider, options);
        _desired = new DesiredStateVerifier(timeProvider, options);
    }

    public VerificationResult<VerifiedBundle> Verify(
        ReadOnlySpan<byte> manifestEnvelope, TrustStore trust, DeviceIdentity device, AntiRollbackPolicy rollback)
    {
        var manifest = _envelopes.Verify(manifestEnvelope, trust, ProtocolJsonContext.Default.BundleManifest);
        if (!manifest.IsAccepted)
        {
            return manifest.AsRefusal<VerifiedBundle>();
        }

        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in manifest.Value.Images)
        {
            var invalid = BundleLayout.ValidateImageFile(image.File)
                ?? (IsSha256Hex(image.Sha256) ? null : $"image '{image.Reference}' has no lowercase hex SHA-256")
                ?? (image.SizeBytes >= 0 ? null : $"image '{image.Reference}' has a negative size")
                ?? (files.Add(image.File) ? null : $"image file '{image.File}' appears twice");
            if (invalid is not null)
            {
                return VerificationResult<VerifiedBundle>.Refused(RefusalReason.MalformedPayload, invalid, manifest.Kid);
            }
        }

        var desired = _desired.Verify(EnvelopeSigner.Encode(manifest.Value.Desired), trust, device, rollback);
        return desired.IsAccepted
            ? VerificationResult<VerifiedBundle>.Accepted(new VerifiedBundle(manifest.Value, desired.Value), manifest.Kid!)
            : VerificationResult<VerifiedBundle>.Refused(
                desired.Reason,
                "desired state: " + desired.Message,
                desired.Kid,
                desired.RefusedValue is { } refused ? new VerifiedBundle(manifest.Value, refused) : null);
    }

    private static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
