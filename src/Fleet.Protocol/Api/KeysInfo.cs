using Fleet.Protocol.Keys;

namespace Fleet.Protocol.Api;

/// <summary>
/// <c>GET /api/v1/keys</c>: the pinned root (null until <c>fleet keys init</c>), the signing key in use, a
/// pending one waiting for the root's certificate, and the trust documents devices receive.
/// </summary>
public sealed record KeysInfo
{
    public PublicKeyDocument? Root { get; init; }

    /// <summary>The key that signs desired states; null before the first certificate is installed.</summary>
    public PublicKeyDocument? Active { get; init; }

    /// <summary>A key the controller generated and that waits for a root-signed certificate.</summary>
    public PublicKeyDocument? Pending { get; init; }

    public TrustDocuments Trust { get; init; } = new();

    /// <summary>Highest certificate serial issued so far; the next certificate takes a higher one.</summary>
    public long LastSerial { get; init; }
}
