using System.Text;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Bundles;

public sealed class BundleVerifierTests : IDisposable
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly DeviceIdentity Device = new("dev-1", new Dictionary<string, string> { ["site"] = "berlin" });
    private readonly TestPki _pki = new();
    private readonly BundleVerifier _verifier;

    public BundleVerifierTests() => _verifier = new BundleVerifier(_pki.Clock);

    public void Dispose() => _pki.Dispose();

    [Fact]
    public void Verify_WhenManifestAndDesiredStateHold_AcceptsBoth()
    {
        var result = Verify(Manifest(ForBerlin(5)), new AntiRollbackPolicy(4));

        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(5, result.Value.Desired.Version);
        Assert.Equal("images/api.tar", Assert.Single(result.Value.Manifest.Images).File);
    }

    [Fact]
    public void Verify_WhenAnyManifestPayloadByteIsFlipped_RefusesWithBadSignature()
    {
        var signed = EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(Manifest(ForBerlin(5)), ProtocolJsonContext.Default.BundleManifest));

        for (var i = 0; i < signed.Payload.Length; i += 7)
        {
            var tampered = signed.Payload.ToArray();
            tampered[i] ^= 0x01;

            var result = _verifier.Verify(EnvelopeSigner.Encode(signed with { Payload = tampered }), _pki.Trust, Device, AntiRollbackPolicy.None);

            Assert.Equal(RefusalReason.BadSignature, result.Reason);
        }
    }

    [Fact]
    public void Verify_WhenTheNestedDesiredStateIsTamperedAndTheManifestResigned_RefusesWithBadSignature()
    {
        var manifest = Manifest(ForBerlin(5));
        var payload = manifest.Desired.Payload.ToArray();
        payload[5] ^= 0x01;

        var result = Verify(manifest with { Desired = manifest.Desired with { Payload = payload } }, AntiRollbackPolicy.None);

        Assert.Equal(RefusalReason.BadSignature, result.Reason);
        Assert.StartsWith("desired state: ", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, RefusalReason.Duplicate)]
    [InlineData(9, RefusalReason.Replayed)]
    public void Verify_WhenTheBundleIsNotNewerThanWhatRuns_Refuses(long highest, RefusalReason expected)
    {
        var result = Verify(Manifest(ForBerlin(5)), new AntiRollbackPolicy(highest));

        Assert.Equal(expected, result.Reason);
        Assert.Equal(5, result.RefusedValue?.Desired.Version);
    }

    [Fact]
    public void Verify_WhenTheSelectorDoesNotMatchThisDevice_RefusesWithWrongDevice() =>
        Assert.Equal(
            RefusalReason.WrongDevice,
            Verify(Manifest(ForBerlin(5) with { Selector = "site=paris" }), AntiRollbackPolicy.None).Reason);

    [Theory]
    [InlineData("images/../../etc/passwd", Sha)]
    [InlineData("/images/api.tar", Sha)]
    [InlineData("images/", Sha)]
    [InlineData("images/.hidden", Sha)]
    [InlineData("images/sub/api.tar", Sha)]
    [InlineData("api.tar", Sha)]
    [InlineData("images/api.tar", "ABCDEF")]
    [InlineData("images/api.tar", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Verify_WhenAnImageEntryIsUnsafeOrMalformed_RefusesWithMalformedPayload(string file, string sha)
    {
        var manifest = Manifest(ForBerlin(5)) with { Images = [Image() with { File = file, Sha256 = sha }] };

        Assert.Equal(RefusalReason.MalformedPayload, Verify(manifest, AntiRollbackPolicy.None).Reason);
    }

    [Fact]
    public void Verify_WhenTwoImagesShareAFile_RefusesWithMalformedPayload() =>
        Assert.Equal(
            RefusalReason.MalformedPayload,
            Verify(Manifest(ForBerlin(5)) with { Images = [Image(), Image() with { Reference = "other:1" }] }, AntiRollbackPolicy.None).Reason);

    [Fact]
    public void Manifest_SerializesToThePinnedShape()
    {
        var manifest = new BundleManifest
        {
            CreatedAt = TestPki.Now,
            Desired = new SignedEnvelope { Kid = "ctl-1", Payload = "{}"u8.ToArray(), Sig = new byte[] { 1 } },
            Images = [Image()],
        };

        Assert.Equal(
            """{"createdAt":"2026-11-28T12:00:00+00:00","desired":{"kid":"ctl-1","payload":"e30=","sig":"AQ=="},""" +
            $$"""
            "images":[{"reference":"registry:5000/api:1.2","imageId":"sha256:feed","file":"images/api.tar","sha256":"{{Sha}}","sizeBytes":1024}]}
            """,
            Encoding.UTF8.GetString(ProtocolJson.Serialize(manifest, ProtocolJsonContext.Default.BundleManifest)));
    }

    private static DesiredState ForBerlin(long version) => TestPki.Desired(version) with { DeviceId = null, Selector = "site=berlin" };

    private static BundleImage Image() => new()
    {
        Reference = "registry:5000/api:1.2", ImageId = "sha256:feed", File = "images/api.tar", Sha256 = Sha, SizeBytes = 1024,
    };

    private BundleManifest Manifest(DesiredState desired) => new()
    {
        CreatedAt = TestPki.Now,
        Desired = EnvelopeSigner.Sign(_pki.Signer, ProtocolJson.Serialize(desired, ProtocolJsonContext.Default.DesiredState)),
        Images = [Image()],
    };

    private VerificationResult<VerifiedBundle> Verify(BundleManifest manifest, AntiRollbackPolicy rollback) =>
        _verifier.Verify(EnvelopeSigner.Sign(_pki.Signer, manifest, ProtocolJsonContext.Default.BundleManifest), _pki.Trust, Device, rollback);
}
