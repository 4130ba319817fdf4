using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Sim.Tests.Infrastructure;

/// <summary>A root key, a controller signing key the root certified, and helpers to sign with them.</summary>
internal sealed class TestKeys : IDisposable
{
    public SigningKey Root { get; } = SigningKey.Generate("root-1");

    public SigningKey Signer { get; } = SigningKey.Generate("ctl-1");

    public TestKeys()
    {
        Trust = TrustFor(Signer, serial: 1);
    }

    /// <summary>The trust documents enrollment returns to every device: the signer's certificate, signed once.</summary>
    public TrustDocuments Trust { get; }

    public TrustDocuments TrustFor(SigningKey key, long serial) => new()
    {
        Certificates = [Certify(key, serial)],
    };

    public SignedEnvelope Certify(SigningKey key, long serial) => EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
        new KeyCertificate
        {
            Kid = key.Kid,
            PublicKey = key.PublicKey.PublicKey,
            NotBefore = DateTimeOffset.UtcNow.AddDays(-1),
            NotAfter = DateTimeOffset.UtcNow.AddDays(30),
            Serial = serial,
        },
        ProtocolJsonContext.Default.KeyCertificate));

    public static DesiredState Desired(string deviceId, long version) => new()
    {
        DeviceId = deviceId,
        Version = version,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddHours(1),
        Stacks = [new StackSpec { Name = "web", Digest = "sha256:" + new string('b', 64), Compose = "services:\n  web:\n    image: nginx\n" }],
        Rollout = new RolloutRef("r-1", 1),
    };

    public byte[] Sign(DesiredState desired, SigningKey? key = null) =>
        EnvelopeSigner.Sign(key ?? Signer, desired, ProtocolJsonContext.Default.DesiredState);

    public void Dispose()
    {
        Root.Dispose();
        Signer.Dispose();
    }
}
