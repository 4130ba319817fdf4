using Fleet.Protocol.Keys;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Api;

/// <summary>
/// <c>POST /api/v1/keys/certificates</c>: a root-signed <see cref="KeyCertificate"/> for the controller's
/// pending key, which becomes the active signing key. <see cref="Root"/> is required the first time
/// (<c>fleet keys init</c>) and must equal the pinned root afterwards.
/// Key rotation: <c>POST /api/v1/keys/pending</c> (answers KeysInfo with a new pending key), then this.
/// </summary>
public sealed record KeyInstallRequest
{
    public PublicKeyDocument? Root { get; init; }

    public required SignedEnvelope Certificate { get; init; }
}
