using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Keys;

public sealed class TrustDocumentsTests : IDisposable
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Apply_AfterAJsonRoundTrip_TrustsTheCertifiedKeysAndTakesTheRevocations()
    {
        using var next = SigningKey.Generate("ctl-2");
        var documents = new TrustDocuments
        {
            Certificates = [Envelope(_pki.Certify(_pki.Signer, 1)), Envelope(_pki.Certify(next, 2))],
            RevocationList = Envelope(_pki.Revoke(1, "ctl-1")),
        };
        var json = ProtocolJson.Serialize(documents, ProtocolJsonContext.Default.TrustDocuments);
        var parsed = ProtocolJson.Parse(json, ProtocolJsonContext.Default.TrustDocuments);
        Assert.True(parsed.Succeeded, parsed.Error);

        var applied = TrustStore.Create(_pki.Root.PublicKey).Apply(parsed.Value);

        Assert.True(applied.IsAccepted, applied.ToString());
        Assert.Equal(RefusalReason.None, applied.Value.Lookup("ctl-2", TestPki.Now, Skew).Reason);
        Assert.Equal(RefusalReason.RevokedKey, applied.Value.Lookup("ctl-1", TestPki.Now, Skew).Reason);
    }

    [Fact]
    public void Apply_WhenOneCertificateIsTampered_RefusesTheWholeSet()
    {
        using var next = SigningKey.Generate("ctl-2");
        var good = Envelope(_pki.Certify(next, 2));
        var tampered = Envelope(_pki.Certify(next, 3));
        var payload = tampered.Payload.ToArray();
        payload[10] ^= 0x04;
        var store = TrustStore.Create(_pki.Root.PublicKey);

        var applied = store.Apply(new TrustDocuments { Certificates = [good, tampered with { Payload = payload }] });

        Assert.Equal(RefusalReason.BadSignature, applied.Reason);
        Assert.Equal(RefusalReason.UnknownKey, store.Lookup("ctl-2", TestPki.Now, Skew).Reason);
    }

    [Fact]
    public void ExportDocuments_RebuildsAnEqualStoreAfterARestart()
    {
        using var next = SigningKey.Generate("ctl-2");
        var before = _pki.Trust.AddCertificate(_pki.Certify(next, 2)).Value!.ApplyRevocationList(_pki.Revoke(3, "ctl-1")).Value!;
        var persisted = ProtocolJson.Serialize(before.ExportDocuments(), ProtocolJsonContext.Default.TrustDocuments);

        var after = TrustStore.Create(_pki.Root.PublicKey)
            .Apply(ProtocolJson.Parse(persisted, ProtocolJsonContext.Default.TrustDocuments).Value!);

        Assert.True(after.IsAccepted, after.ToString());
        Assert.Equal(["ctl-1", "ctl-2"], after.Value.Certificates.Select(c => c.Kid).Order(StringComparer.Ordinal));
        Assert.Equal(3, after.Value.Revocations!.Serial);
        Assert.Equal(RefusalReason.RevokedKey, after.Value.Lookup("ctl-1", TestPki.Now, Skew).Reason);
        Assert.Equal(RefusalReason.None, after.Value.Lookup("ctl-2", TestPki.Now, Skew).Reason);
        Assert.Equal(persisted, ProtocolJson.Serialize(after.Value.ExportDocuments(), ProtocolJsonContext.Default.TrustDocuments));
    }

    [Fact]
    public void Apply_WhenEmpty_KeepsTheStore()
    {
        var applied = _pki.Trust.Apply(new TrustDocuments());

        Assert.True(applied.IsAccepted);
        Assert.Same(_pki.Trust, applied.Value);
    }

    private static SignedEnvelope Envelope(byte[] json) =>
        ProtocolJson.Parse(json, ProtocolJsonContext.Default.SignedEnvelope).Value!;
}
