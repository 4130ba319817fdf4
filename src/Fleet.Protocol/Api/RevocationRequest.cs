using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Api;

/// <summary><c>POST /api/v1/keys/revocations</c>: a root-signed RevocationList with a higher serial; published to every device.</summary>
public sealed record RevocationRequest
{
    public required SignedEnvelope RevocationList { get; init; }
}
