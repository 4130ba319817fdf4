using Fleet.Agent.Storage;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Agent.Updates;

/// <summary>
/// The device's current trust store: the root key pinned at enrollment plus the signing-key
/// certificates and revocation list taken from the retained trust topic, persisted so that a
/// device that boots offline still knows which keys may sign.
/// </summary>
public sealed class TrustState
{
    private readonly DesiredStateStore _store;
    private TrustStore _current;

    public TrustState(PublicKeyDocument root, DesiredStateStore store)
    {
        _store = store;
        _current = TrustStore.Create(root);
        if (store.TrustDocuments is { } saved && ProtocolJson.Parse(saved, ProtocolJsonContext.Default.TrustDocuments) is { Succeeded: true } parsed
            && _current.Apply(parsed.Value) is { IsAccepted: true } restored)
        {
            _current = restored.Value!;
        }
    }

    public TrustStore Current => Volatile.Read(ref _current);

    /// <summary>Takes trust documents from the broker: all or nothing, and only what the root signed.</summary>
    public VerificationResult<TrustStore> Apply(ReadOnlySpan<byte> documentsJson)
    {
        var parsed = ProtocolJson.Parse(documentsJson, ProtocolJsonContext.Default.TrustDocuments);
        if (!parsed.Succeeded)
        {
            return VerificationResult<TrustStore>.Refused(RefusalReason.Malformed, $"trust documents: {parsed.Error}");
        }

        var applied = Current.Apply(parsed.Value);
        if (applied.IsAccepted)
        {
            _store.TrustDocuments = ProtocolJson.Serialize(applied.Value!.ExportDocuments(), ProtocolJsonContext.Default.TrustDocuments);
            Volatile.Write(ref _current, applied.Value!);
        }

        return applied;
    }
}
