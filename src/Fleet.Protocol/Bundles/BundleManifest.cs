using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Bundles;

/// <summary>
/// What an air-gapped bundle holds, as <see cref="BundleLayout.ManifestFile"/>: a signed envelope of this
/// record. Signing the manifest covers the image archives' digests; the desired state inside keeps its
/// own envelope so it goes through the same checks as one that came over MQTT.
/// </summary>
public sealed record BundleManifest
{
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The signed DesiredState (usually for a selector), exact bytes preserved.</summary>
    public required SignedEnvelope Desired { get; init; }

    public IReadOnlyList<BundleImage> Images { get; init; } = [];
}
