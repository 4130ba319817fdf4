using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>A fleet's keys for a test: an offline root, and an online signing key it certified.</summary>
internal sealed class FleetKeys : IDisposable
{
    public SigningKey Root { get; } = SigningKey.Generate();

    public SigningKey Signer { get; } = SigningKey.Generate("ctl-it");

    /// <summary>The root public key as a device pins it (PEM).</summary>
    public string RootPublicKeyPem => Root.ExportPublicKeyPem();

    /// <summary>The retained trust-topic payload: the signer's certificate, signed by the root.</summary>
    public byte[] TrustDocumentsJson() => TrustDocumentsJson([Signer], []);

    /// <summary>
    /// Trust documents certifying each of <paramref name="signers"/>, with a root-signed revocation list of
    /// <paramref name="revokedKids"/> when it is not empty.
    /// </summary>
    public byte[] TrustDocumentsJson(IReadOnlyList<SigningKey> signers, IReadOnlyList<string> revokedKids)
    {
        var now = DateTimeOffset.UtcNow;
        var certificates = signers.Select((signer, index) => EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
            new KeyCertificate
            {
                Kid = signer.Kid,
                PublicKey = signer.PublicKey.PublicKey,
                NotBefore = now.AddDays(-1),
                NotAfter = now.AddDays(30),
                Serial = index + 1,
            },
            ProtocolJsonContext.Default.KeyCertificate))).ToList();
        var revocations = revokedKids.Count == 0
            ? null
            : EnvelopeSigner.Sign(Root, ProtocolJson.Serialize(
                new RevocationList { Serial = 1, IssuedAt = now, RevokedKids = revokedKids },
                ProtocolJsonContext.Default.RevocationList));
        return ProtocolJson.Serialize(new TrustDocuments { Certificates = certificates, RevocationList = revocations }, ProtocolJsonContext.Default.TrustDocuments);
    }

    public byte[] Sign(DesiredState desired) => EnvelopeSigner.Sign(Signer, desired, ProtocolJsonContext.Default.DesiredState);

    /// <summary>A desired state for the device; by default one stack the tests never apply (see the engine tests for ones they do).</summary>
    public static DesiredState Desired(string deviceId, long version, params StackSpec[] stacks) => new()
    {
        DeviceId = deviceId,
        Version = version,
        IssuedAt = DateTimeOffset.UtcNow,
        AcceptUntil = DateTimeOffset.UtcNow.AddDays(1),
        Stacks = stacks.Length > 0
            ? stacks
            : [new StackSpec { Name = "web", Digest = "sha256:0", Compose = "services:\n  web:\n    image: fleet-test/busybox:1\n" }],
    };

    public void Dispose()
    {
        Root.Dispose();
        Signer.Dispose();
    }
}
