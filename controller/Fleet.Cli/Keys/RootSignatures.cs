using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Cli.Keys;

/// <summary>What the offline root signs: a certificate for the controller's pending key, a revocation list.</summary>
internal static class RootSignatures
{
    public static SignedEnvelope Certify(SigningKey root, PublicKeyDocument pending, long serial, DateTimeOffset now, TimeSpan validFor)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var certificate = new KeyCertificate
        {
            Kid = pending.Kid,
            PublicKey = pending.PublicKey,
            NotBefore = now,
            NotAfter = now + validFor,
            Serial = serial,
        };
        return EnvelopeSigner.Sign(root, ProtocolJson.Serialize(certificate, ProtocolJsonContext.Default.KeyCertificate));
    }

    public static SignedEnvelope Revoke(SigningKey root, IEnumerable<string> kids, long serial, DateTimeOffset now)
    {
        var list = new RevocationList { Serial = serial, IssuedAt = now, RevokedKids = [.. kids.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };
        return EnvelopeSigner.Sign(root, ProtocolJson.Serialize(list, ProtocolJsonContext.Default.RevocationList));
    }

    /// <summary>
    /// The controller's trust documents checked against the operator's root: null and the store when they
    /// were signed by this root (so the file matches what the controller pinned), otherwise why not.
    /// </summary>
    public static string? CheckSameRoot(SigningKey root, KeysInfo keys, out TrustStore? trust)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(keys);
        trust = null;
        if (keys.Root is null)
        {
            return "the controller has no root key yet: run 'fleet keys init' first";
        }

        if (!string.Equals(keys.Root.Kid, root.Kid, StringComparison.Ordinal) || !keys.Root.PublicKey.Span.SequenceEqual(root.PublicKey.PublicKey.Span))
        {
            return $"the root key file holds {root.Kid}, but the controller pinned {keys.Root.Kid}";
        }

        var applied = TrustStore.Create(root.PublicKey).Apply(keys.Trust);
        if (!applied.IsAccepted)
        {
            return "the controller's trust documents do not check out under this root: " + applied.Message;
        }

        trust = applied.Value;
        return null;
    }
}
