using Fleet.Protocol.Keys;

namespace Fleet.Protocol.Enrollment;

/// <summary>
/// Everything a device needs to run on its own afterwards: broker credentials, the root public key
/// to pin, and the trust documents (signing-key certificates, revocation list) valid right now.
/// </summary>
public sealed record EnrollmentResponse
{
    public required string DeviceId { get; init; }

    public required BrokerCredentials Broker { get; init; }

    public required PublicKeyDocument Root { get; init; }

    public TrustDocuments Trust { get; init; } = new();

    /// <summary>The device's labels after merging the token's and the request's.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
