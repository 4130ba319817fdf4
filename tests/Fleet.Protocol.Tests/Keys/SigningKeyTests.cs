using System.Security.Cryptography;
using System.Text;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Tests;

namespace Fleet.Protocol.Tests.Keys;

public class SigningKeyTests
{
    [Fact]
    public void Generate_WithoutAKid_DerivesItFromThePublicKey()
    {
        using var key = SigningKey.Generate();

        Assert.Equal(KeyIds.FromPublicKey(key.PublicKey.PublicKey.Span), key.Kid);
        Assert.Matches("^k-[0-9a-f]{16}$", key.Kid);
    }

    [Fact]
    public void PrivateKeyPem_RoundTripsToAKeyThatSignsTheSame()
    {
        using var key = SigningKey.Generate("ctl-1");

        var imported = SigningKey.ImportPem(key.ExportPrivateKeyPem(), "ctl-1");

        Assert.True(imported.Succeeded, imported.Error);
        using var copy = imported.Value;
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", key.ExportPrivateKeyPem(), StringComparison.Ordinal);
        Assert.Equal(key.PublicKey.PublicKey.ToArray(), copy.PublicKey.PublicKey.ToArray());
    }

    [Fact]
    public void PrivateKeyJson_RoundTripsWithItsKid()
    {
        using var key = SigningKey.Generate("ctl-1");

        var imported = SigningKey.ImportJson(key.ExportJson());

        Assert.True(imported.Succeeded, imported.Error);
        using var copy = imported.Value;
        Assert.Equal("ctl-1", copy.Kid);
        Assert.Equal(key.PublicKey.PublicKey.ToArray(), copy.PublicKey.PublicKey.ToArray());
    }

    [Fact]
    public void PublicKeyPemAndJson_RoundTrip()
    {
        using var key = SigningKey.Generate("root-1");

        var fromPem = PublicKeys.ImportPem(key.ExportPublicKeyPem(), "root-1");
        var fromJson = PublicKeys.ImportJson(PublicKeys.ExportJson(key.PublicKey));

        Assert.True(fromPem.Succeeded, fromPem.Error);
        Assert.True(fromJson.Succeeded, fromJson.Error);
        Assert.Equal(key.PublicKey.PublicKey.ToArray(), fromPem.Value.PublicKey.ToArray());
        Assert.Equal(key.PublicKey.PublicKey.ToArray(), fromJson.Value.PublicKey.ToArray());
        Assert.Equal(key.ExportPublicKeyPem(), PublicKeys.ExportPem(key.PublicKey));
    }

    [Fact]
    public void ImportedRootKey_VerifiesWhatTheOriginalSigned()
    {
        using var pki = new TestPki();
        var pinned = PublicKeys.ImportJson(PublicKeys.ExportJson(pki.Root.PublicKey));
        using var signer = SigningKey.ImportJson(pki.Signer.ExportJson()).Value!;

        var trust = TrustStore.Create(pinned.Value!).AddCertificate(pki.Certify(signer, 1));

        Assert.True(trust.IsAccepted, trust.ToString());
        Assert.True(new EnvelopeVerifier(pki.Clock).Verify(pki.Sign(TestPki.Desired(1), signer), trust.Value).IsAccepted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")]
    public void ImportPem_WhenNotAnEcPrivateKey_FailsAsAValue(string pem) =>
        Assert.False(SigningKey.ImportPem(pem).Succeeded);

    [Fact]
    public void ImportPem_WhenTheKeyIsOnAnotherCurve_FailsAsAValue()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var imported = SigningKey.ImportPem(p384.ExportPkcs8PrivateKeyPem());

        Assert.False(imported.Succeeded);
        Assert.Contains("P-256", imported.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicKeysImportPem_WhenTheKeyIsOnAnotherCurve_FailsAsAValue()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.False(PublicKeys.ImportPem(p384.ExportSubjectPublicKeyInfoPem()).Succeeded);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"kid":"k","privateKey":"AAAA"}""")]
    [InlineData("""{"kid":"bad kid","privateKey":"AAAA"}""")]
    public void ImportJson_WhenNotAPrivateKeyDocument_FailsAsAValue(string json) =>
        Assert.False(SigningKey.ImportJson(Encoding.UTF8.GetBytes(json)).Succeeded);

    [Theory]
    [InlineData("ctl-1", true)]
    [InlineData("k-0123abcd", true)]
    [InlineData("A.b_c-d", true)]
    [InlineData("", false)]
    [InlineData("-k", false)]
    [InlineData("k/1", false)]
    [InlineData("k 1", false)]
    [InlineData("k+", false)]
    public void KeyIds_Validate(string kid, bool valid) => Assert.Equal(valid, KeyIds.IsValid(kid));
}
