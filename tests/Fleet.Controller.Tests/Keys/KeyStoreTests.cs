using Fleet.Controller.Keys;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Keys;

public sealed class KeyStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly OfflineRoot _root = new();

    public void Dispose()
    {
        _root.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void FirstStart_HasOnlyAPendingKey_AndCannotSign()
    {
        using var keys = new KeyStore(_temp.Database, _time);

        var info = keys.Info();

        Assert.NotNull(info.Pending);
        Assert.Null(info.Active);
        Assert.Null(info.Root);
        Assert.Equal("not-ready", keys.Sign(new byte[] { 1 }).Failure!.Code);
    }

    [Fact]
    public void Install_CertificateForThePendingKey_MakesItActive_AndItsSignaturesVerifyUnderTheRoot()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        var pending = keys.Info().Pending!;

        var installed = keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(pending, 1, _time.GetUtcNow()) });

        Assert.True(installed.Succeeded, installed.Failure?.Message);
        Assert.Equal(pending.Kid, installed.Value!.Active!.Kid);
        Assert.Null(installed.Value.Pending);
        Assert.Equal(1, installed.Value.LastSerial);
        var trust = TrustStore.Create(_root.PublicKey).Apply(installed.Value.Trust).Value!;
        var signed = EnvelopeSigner.Encode(keys.Sign("{}"u8.ToArray()).Value!);
        Assert.True(new EnvelopeVerifier(_time).Verify(signed, trust).IsAccepted);
    }

    [Fact]
    public void Install_SignedByAnotherRootThanTheOneOffered_IsRefusedAsBadSignature()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        using var impostor = new OfflineRoot();

        var refused = keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = impostor.Certify(keys.Info().Pending!, 1, _time.GetUtcNow()) });

        Assert.Equal(400, refused.Failure!.Status);
        Assert.StartsWith("certificate: bad-signature", refused.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_ForAKeyThatIsNotThisControllers_IsRefused()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        using var stranger = SigningKey.Generate();

        var refused = keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(stranger.PublicKey, 1, _time.GetUtcNow()) });

        Assert.Contains("is not this controller's pending key", refused.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_WithADifferentRootOnceOneIsPinned_IsAConflict()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(keys.Info().Pending!, 1, _time.GetUtcNow()) });
        using var other = new OfflineRoot("root-2");
        var pending = keys.CreatePending().Pending!;

        var refused = keys.Install(new KeyInstallRequest { Root = other.PublicKey, Certificate = other.Certify(pending, 2, _time.GetUtcNow()) });

        Assert.Equal(409, refused.Failure!.Status);
    }

    [Fact]
    public void Install_WithoutRootTheFirstTime_NamesTheField()
    {
        using var keys = new KeyStore(_temp.Database, _time);

        var refused = keys.Install(new KeyInstallRequest { Certificate = _root.Certify(keys.Info().Pending!, 1, _time.GetUtcNow()) });

        Assert.StartsWith("root: required", refused.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_KeepsTheOldCertificate_AndRevokingTheOldKeyIsAllowedButNotTheActiveOne()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        var first = keys.Info().Pending!;
        keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(first, 1, _time.GetUtcNow()) });
        var second = keys.CreatePending().Pending!;
        keys.Install(new KeyInstallRequest { Certificate = _root.Certify(second, 2, _time.GetUtcNow()) });

        var activeRevoked = keys.Revoke(new RevocationRequest { RevocationList = _root.Revoke(3, _time.GetUtcNow(), second.Kid) });
        var oldRevoked = keys.Revoke(new RevocationRequest { RevocationList = _root.Revoke(3, _time.GetUtcNow(), first.Kid) });

        Assert.Equal(409, activeRevoked.Failure!.Status);
        Assert.True(oldRevoked.Succeeded, oldRevoked.Failure?.Message);
        Assert.Equal(second.Kid, oldRevoked.Value!.Active!.Kid);
        Assert.Equal(2, oldRevoked.Value.Trust.Certificates.Count);
        Assert.Equal(3, oldRevoked.Value.LastSerial);
        var trust = TrustStore.Create(_root.PublicKey).Apply(oldRevoked.Value.Trust).Value!;
        Assert.Equal(RefusalReason.RevokedKey, trust.Lookup(first.Kid, _time.GetUtcNow(), TimeSpan.Zero).Reason);
    }

    [Fact]
    public void Sign_FromManyThreadsAtOnce_EverySignatureVerifies_AndAfterARotationWithTheNewKey()
    {
        using var keys = new KeyStore(_temp.Database, _time);
        var first = keys.Info().Pending!;
        keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(first, 1, _time.GetUtcNow()) });
        var verifier = new EnvelopeVerifier(_time);
        var trust = TrustStore.Create(_root.PublicKey).Apply(keys.Info().Trust).Value!;

        var signed = new byte[200][];
        Parallel.For(0, signed.Length, i => signed[i] = EnvelopeSigner.Encode(keys.Sign(System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{i}}}")).Value!));
        var second = keys.CreatePending().Pending!;
        keys.Install(new KeyInstallRequest { Certificate = _root.Certify(second, 2, _time.GetUtcNow()) });
        var afterRotation = keys.Sign("{}"u8.ToArray()).Value!;

        Assert.All(signed, envelope => Assert.True(verifier.Verify(envelope, trust).IsAccepted));
        Assert.Equal(second.Kid, afterRotation.Kid);
        var rotatedTrust = TrustStore.Create(_root.PublicKey).Apply(keys.Info().Trust).Value!;
        Assert.True(verifier.Verify(EnvelopeSigner.Encode(afterRotation), rotatedTrust).IsAccepted);
    }

    [Fact]
    public void Reopen_KeepsRootActiveKeyAndTrust()
    {
        string kid;
        using (var keys = new KeyStore(_temp.Database, _time))
        {
            kid = keys.Info().Pending!.Kid;
            keys.Install(new KeyInstallRequest { Root = _root.PublicKey, Certificate = _root.Certify(keys.Info().Pending!, 1, _time.GetUtcNow()) });
        }

        using var reopened = new KeyStore(_temp.Reopen(), _time);

        var info = reopened.Info();
        Assert.Equal(kid, info.Active!.Kid);
        Assert.Equal(_root.PublicKey.Kid, info.Root!.Kid);
        Assert.Single(info.Trust.Certificates);
        Assert.True(reopened.Sign("{}"u8.ToArray()).Succeeded);
        Assert.Null(info.Pending);
        Assert.Equal(kid, ProtocolJson.Parse(info.Trust.Certificates[0].Payload.Span, ProtocolJsonContext.Default.KeyCertificate).Value!.Kid);
    }
}
