using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Agent.Tests.Enrollment;

/// <summary>An enrollment answer as a controller gives it: a real root, a signing key it certified.</summary>
internal sealed class EnrollmentTestData : IDisposable
{
    public SigningKey Root { get; } = SigningKey.Generate("root-1");

    public SigningKey Signer { get; } = SigningKey.Generate("ctl-1");

    public EnrollmentResponse Response(string? caPem = null) => new()
    {
        DeviceId = "dev-7",
        Broker = new BrokerCredentials { Uri = new Uri("mqtts://broker.local:8883"), Username = "dev-7", Password = "s3cret", CaCertificatePem = caPem },
        Root = Root.PublicKey,
        Trust = new TrustDocuments
        {
            Certificates =
            [
                EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
                    new KeyCertificate
                    {
                        Kid = Signer.Kid,
                        PublicKey = Signer.PublicKey.PublicKey,
                        NotBefore = DateTimeOffset.UtcNow.AddDays(-1),
                        NotAfter = DateTimeOffset.UtcNow.AddDays(30),
                        Serial = 1,
                    },
                    ProtocolJsonContext.Default.KeyCertificate)),
            ],
        },
        Labels = new Dictionary<string, string> { ["site"] = "berlin", ["tier"] = "edge" },
    };

    public void Dispose()
    {
        Root.Dispose();
        Signer.Dispose();
    }
}
