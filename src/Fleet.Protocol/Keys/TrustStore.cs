using System.Collections.Immutable;
using System.Text.Json.Serialization.Metadata;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Keys;

/// <summary>
/// Decides which kid may sign, from the pinned root public key, the root-signed certificates and
/// the newest root-signed revocation list. Immutable: adding a document returns a new store, so a
/// verification always sees one consistent set. The root itself may only sign certificates and
/// revocation lists, never desired states: it stays offline.
/// </summary>
public sealed class TrustStore
{
    // The signed envelopes are kept beside what they say, so the store can be exported and rebuilt.
    private readonly ImmutableDictionary<string, Signed<KeyCertificate>> _certificates;
    private readonly Signed<RevocationList>? _revocations;
    private readonly int _maxDocumentBytes;

    private TrustStore(
        PublicKeyDocument root, ImmutableDictionary<string, Signed<KeyCertificate>> certificates, Signed<RevocationList>? revocations, int maxDocumentBytes)
    {
        Root = root;
        _certificates = certificates;
        _revocations = revocations;
        _maxDocumentBytes = maxDocumentBytes;
    }

    public PublicKeyDocument Root { get; }

    /// <summary>The newest revocation list taken, or null before the first.</summary>
    public RevocationList? Revocations => _revocations?.Value;

    /// <summary>The newest certificate of each kid.</summary>
    public IReadOnlyCollection<KeyCertificate> Certificates => _certificates.Values.Select(signed => signed.Value).ToArray();

    /// <summary>A store that trusts nothing but the root. Throws for a root that is not a P-256 key: pin only checked keys.</summary>
    public static TrustStore Create(PublicKeyDocument root, int maxDocumentBytes = EnvelopeVerifierOptions.DefaultMaxEnvelopeBytes)
    {
        ArgumentNullException.ThrowIfNull(root);
        if ((KeyIds.Validate(root.Kid) ?? P256.ValidatePublicKey(root.PublicKey.Span)) is { } error)
        {
            throw new ArgumentException("root key: " + error, nameof(root));
        }

        return new TrustStore(root, ImmutableDictionary.Create<string, Signed<KeyCertificate>>(StringComparer.Ordinal), null, maxDocumentBytes);
    }

    /// <summary>
    /// The signed documents this store was built from, in kid order: persist them (with the pinned root)
    /// and <see cref="Apply"/> them to a new store at start to get this store back.
    /// </summary>
    public TrustDocuments ExportDocuments() => new()
    {
        Certificates = _certificates.Keys.Order(StringComparer.Ordinal).Select(kid => _certificates[kid].Envelope).ToArray(),
        RevocationList = _revocations?.Envelope,
    };

    /// <summary>
    /// Takes a root-signed certificate envelope. The result's value is the new store (or this one,
    /// when the same serial is presented again); an older serial for a known kid is refused as replayed.
    /// </summary>
    public VerificationResult<TrustStore> AddCertificate(ReadOnlySpan<byte> certificateEnvelope)
    {
        var envelope = EnvelopeCodec.Open(certificateEnvelope, _maxDocumentBytes);
        return envelope.IsAccepted ? AddCertificate(envelope.Value) : envelope.AsRefusal<TrustStore>();
    }

    /// <inheritdoc cref="AddCertificate(ReadOnlySpan{byte})"/>
    public VerificationResult<TrustStore> AddCertificate(SignedEnvelope certificateEnvelope)
    {
        var opened = VerifyRootSigned(certificateEnvelope, ProtocolJsonContext.Default.KeyCertificate);
        if (!opened.IsAccepted)
        {
            return opened.AsRefusal<TrustStore>();
        }

        var certificate = opened.Value;
        if (ValidateCertificate(certificate) is { } invalid)
        {
            return VerificationResult<TrustStore>.Refused(RefusalReason.MalformedPayload, invalid, Root.Kid);
        }

        if (_certificates.TryGetValue(certificate.Kid, out var signed))
        {
            var known = signed.Value;
            if (certificate.Serial < known.Serial)
            {
                return VerificationResult<TrustStore>.Refused(
                    RefusalReason.Replayed,
                    $"certificate serial {certificate.Serial} for '{certificate.Kid}' is older than the known {known.Serial}",
                    Root.Kid);
            }

            if (certificate.Serial == known.Serial)
            {
                return VerificationResult<TrustStore>.Accepted(this, Root.Kid);
            }
        }

        return VerificationResult<TrustStore>.Accepted(
            new TrustStore(Root, _certificates.SetItem(certificate.Kid, new(certificate, certificateEnvelope)), _revocations, _maxDocumentBytes),
            Root.Kid);
    }

    /// <summary>Takes a root-signed revocation list if its serial is above the current one; the same serial again changes nothing.</summary>
    public VerificationResult<TrustStore> ApplyRevocationList(ReadOnlySpan<byte> revocationListEnvelope)
    {
        var envelope = EnvelopeCodec.Open(revocationListEnvelope, _maxDocumentBytes);
        return envelope.IsAccepted ? ApplyRevocationList(envelope.Value) : envelope.AsRefusal<TrustStore>();
    }

    /// <inheritdoc cref="ApplyRevocationList(ReadOnlySpan{byte})"/>
    public VerificationResult<TrustStore> ApplyRevocationList(SignedEnvelope revocationListEnvelope)
    {
        var opened = VerifyRootSigned(revocationListEnvelope, ProtocolJsonContext.Default.RevocationList);
        if (!opened.IsAccepted)
        {
            return opened.AsRefusal<TrustStore>();
        }

        var list = opened.Value;
        var current = Revocations?.Serial ?? 0;
        if (list.Serial < current)
        {
            return VerificationResult<TrustStore>.Refused(
                RefusalReason.Replayed, $"revocation list serial {list.Serial} is older than the current {current}", Root.Kid);
        }

        return list.Serial == current
            ? VerificationResult<TrustStore>.Accepted(this, Root.Kid)
            : VerificationResult<TrustStore>.Accepted(
                new TrustStore(Root, _certificates, new(list, revocationListEnvelope), _maxDocumentBytes), Root.Kid);
    }

    /// <summary>Whether <paramref name="kid"/> may sign at <paramref name="now"/>; the value is its certificate.</summary>
    public VerificationResult<KeyCertificate> Lookup(string kid, DateTimeOffset now, TimeSpan clockSkew)
    {
        if (string.Equals(kid, Root.Kid, StringComparison.Ordinal))
        {
            return VerificationResult<KeyCertificate>.Refused(
                RefusalReason.UnknownKey, $"'{kid}' is the root key, which signs only certificates and revocation lists", kid);
        }

        if (!_certificates.TryGetValue(kid, out var signed))
        {
            return VerificationResult<KeyCertificate>.Refused(RefusalReason.UnknownKey, $"no certificate for key '{kid}'", kid);
        }

        var certificate = signed.Value;

        if (Revocations is { } revocations && revocations.RevokedKids.Contains(kid, StringComparer.Ordinal))
        {
            return VerificationResult<KeyCertificate>.Refused(
                RefusalReason.RevokedKey, $"key '{kid}' is revoked by revocation list {revocations.Serial}", kid);
        }

        if (now + clockSkew < certificate.NotBefore)
        {
            return VerificationResult<KeyCertificate>.Refused(
                RefusalReason.KeyNotYetValid, $"key '{kid}' is valid from {certificate.NotBefore:O}, now is {now:O}", kid);
        }

        if (now - clockSkew > certificate.NotAfter)
        {
            return VerificationResult<KeyCertificate>.Refused(
                RefusalReason.KeyExpired, $"key '{kid}' expired at {certificate.NotAfter:O}, now is {now:O}", kid);
        }

        return VerificationResult<KeyCertificate>.Accepted(certificate, kid);
    }

    /// <summary>Checks a document the root signed (size, shape, root kid, signature) and only then parses it.</summary>
    public VerificationResult<T> VerifyRootSigned<T>(ReadOnlySpan<byte> envelope, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var opened = EnvelopeCodec.Open(envelope, _maxDocumentBytes);
        return opened.IsAccepted ? VerifyRootSigned(opened.Value, typeInfo) : opened.AsRefusal<T>();
    }

    /// <summary>Checks an already-read envelope (e.g. one nested in <see cref="TrustDocuments"/>) against the root.</summary>
    public VerificationResult<T> VerifyRootSigned<T>(SignedEnvelope envelope, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!string.Equals(envelope.Kid, Root.Kid, StringComparison.Ordinal))
        {
            return VerificationResult<T>.Refused(
                RefusalReason.UnknownKey, $"signed by '{envelope.Kid}', not by the pinned root '{Root.Kid}'", envelope.Kid);
        }

        var signed = EnvelopeCodec.CheckSignature(envelope, Root.PublicKey.Span);
        return signed.IsAccepted ? EnvelopeCodec.ParsePayload(signed.Value, typeInfo) : signed.AsRefusal<T>();
    }

    /// <summary>
    /// Takes a whole set of trust documents (as published on the trust topic, returned at enrollment
    /// or shipped in a bundle), all or nothing: the first refused document refuses the set.
    /// </summary>
    public VerificationResult<TrustStore> Apply(TrustDocuments documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var store = this;
        foreach (var certificate in documents.Certificates)
        {
            var added = store.AddCertificate(certificate);
            if (!added.IsAccepted)
            {
                return added;
            }

            store = added.Value;
        }

        return documents.RevocationList is { } list ? store.ApplyRevocationList(list) : VerificationResult<TrustStore>.Accepted(store, Root.Kid);
    }

    private string? ValidateCertificate(KeyCertificate certificate)
    {
        if (KeyIds.Validate(certificate.Kid) is { } kidError)
        {
            return "certificate kid: " + kidError;
        }

        if (string.Equals(certificate.Kid, Root.Kid, StringComparison.Ordinal))
        {
            return "a certificate may not name the root's kid";
        }

        if (P256.ValidatePublicKey(certificate.PublicKey.Span) is { } keyError)
        {
            return "certificate " + keyError;
        }

        if (certificate.NotAfter <= certificate.NotBefore)
        {
            return "certificate notAfter is not after notBefore";
        }

        return certificate.Serial <= 0 ? "certificate serial must be positive" : null;
    }

    private sealed record Signed<T>(T Value, SignedEnvelope Envelope);
}
