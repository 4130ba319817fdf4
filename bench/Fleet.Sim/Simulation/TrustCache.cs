using System.Collections.Concurrent;
using System.Security.Cryptography;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Sim.Simulation;

/// <summary>
/// One parsed trust store for the whole fleet. Every simulated device pins the same root and gets
/// the same trust documents, so applying them once and sharing the immutable result keeps 10,000
/// devices from holding 10,000 copies (and from verifying the same certificates 10,000 times).
/// The result is keyed by the store it was applied to and the document's bytes, so a device whose
/// store differs still gets exactly what <see cref="TrustStore.Apply"/> would give it.
/// </summary>
public sealed class TrustCache
{
    private readonly ConcurrentDictionary<PublicKeyDocumentKey, TrustStore> _roots = new();
    private readonly ConcurrentDictionary<(TrustStore Base, string Documents), VerificationResult<TrustStore>> _applied = new();

    /// <summary>The store for a root pinned at enrollment; the same instance for the same root.</summary>
    public TrustStore Root(PublicKeyDocument root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return _roots.GetOrAdd(new(root.Kid, Convert.ToBase64String(root.PublicKey.Span)), _ => TrustStore.Create(root));
    }

    /// <summary>Trust documents as received (on the trust topic), applied to <paramref name="current"/>: all or nothing.</summary>
    public VerificationResult<TrustStore> Apply(TrustStore current, ReadOnlySpan<byte> documentsJson)
    {
        ArgumentNullException.ThrowIfNull(current);
        var key = (current, Convert.ToHexString(SHA256.HashData(documentsJson)));
        if (_applied.TryGetValue(key, out var known))
        {
            return known;
        }

        var parsed = ProtocolJson.Parse(documentsJson, ProtocolJsonContext.Default.TrustDocuments);
        var result = parsed.Succeeded
            ? current.Apply(parsed.Value)
            : VerificationResult<TrustStore>.Refused(RefusalReason.Malformed, $"trust documents: {parsed.Error}");
        return _applied.GetOrAdd(key, result);
    }

    /// <summary>Trust documents as returned at enrollment, applied to the store of the pinned root.</summary>
    public VerificationResult<TrustStore> Apply(TrustStore current, TrustDocuments documents) =>
        Apply(current, ProtocolJson.Serialize(documents, ProtocolJsonContext.Default.TrustDocuments));

    private readonly record struct PublicKeyDocumentKey(string Kid, string PublicKey);
}
