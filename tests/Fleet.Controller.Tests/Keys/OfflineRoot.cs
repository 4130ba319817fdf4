using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Controller.Tests.Keys;

/// <summary>What <c>fleet keys init</c> does with the operator's offline root: certify a key, sign a revocation list.</summary>
internal sealed class OfflineRoot(string kid = "root-1") : IDisposable
{
    public SigningKey Key { get; } = SigningKey.Generate(kid);

    public PublicKeyDocument PublicKey => Key.PublicKey;

    public SignedEnvelope Certify(PublicKeyDocument key, long serial, DateTimeOffset now) =>
        EnvelopeSigner.Sign(Key, ProtocolJson.Serialize(
            new KeyCertificate { Kid = key.Kid, PublicKey = key.PublicKey, NotBefore = now.AddDays(-1), NotAfter = now.AddDays(365), Serial = serial },
            ProtocolJsonContext.Default.KeyCertificate));

    public SignedEnvelope Revoke(long serial, DateTimeOffset now, params string[] kids) =>
        EnvelopeSigner.Sign(Key, ProtocolJson.Serialize(
            new RevocationList { Serial = serial, IssuedAt = now, RevokedKids = kids },
            ProtocolJsonContext.Default.RevocationList));

    public void Dispose() => Key.Dispose();
}
