using Fleet.Protocol.Keys;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Api;

/// <summary>What goes into the bundle besides the images: the signed manifest and the trust documents.</summary>
public sealed record BundleResponse
{
    public required SignedEnvelope Manifest { get; init; }

    public required TrustDocuments Trust { get; init; }
}
