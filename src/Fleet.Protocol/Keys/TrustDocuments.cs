using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Keys;

/// <summary>
/// The root-signed documents a device needs besides the pinned root key: the certificates of the
/// current signing keys and the newest revocation list. Published retained on
/// <c>fleet/v1/dev/{id}/trust</c>, returned at enrollment and shipped inside bundles, so rotating or
/// revoking a signing key needs no re-enrollment. The nested envelopes keep their exact signed bytes.
/// </summary>
public sealed record TrustDocuments
{
    public IReadOnlyList<SignedEnvelope> Certificates { get; init; } = [];

    public SignedEnvelope? RevocationList { get; init; }
}
