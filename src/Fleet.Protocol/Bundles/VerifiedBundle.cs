using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Bundles;

/// <summary>A bundle whose manifest and desired state both passed every check; the archives still need their digests checked.</summary>
public sealed record VerifiedBundle(BundleManifest Manifest, DesiredState Desired);
