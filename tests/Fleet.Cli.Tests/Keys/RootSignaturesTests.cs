using Fleet.Cli.Keys;
using Fleet.Protocol.Api;
using Fleet.Protocol.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Cli.Tests.Keys;

public sealed class RootSignaturesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Certify_GivesACertificateTheDevicesTrustStoreTakes_ForItsValidity()
    {
        using var root = SigningKey.Generate();
        using var pending = SigningKey.Generate();

        var certificate = RootSignatures.Certify(root, pending.PublicKey, serial: 4, Now, TimeSpan.FromDays(365));

        var trust = TrustStore.Create(root.PublicKey).AddCertificate(certificate);
        Assert.True(trust.IsAccepted, trust.Message);
        var taken = Assert.Single(trust.Value.Certificates);
        Assert.Equal((pending.Kid, 4L, Now, Now.AddDays(365)), (taken.Kid, taken.Serial, taken.NotBefore, taken.NotAfter));
        Assert.True(trust.Value.Lookup(pending.Kid, Now.AddDays(100), TimeSpan.Zero).IsAccepted);
        Assert.False(trust.Value.Lookup(pending.Kid, Now.AddDays(366), TimeSpan.Zero).IsAccepted);
    }

    [Fact]
    public void Revoke_GivesAListThatStopsTheKey()
    {
        using var root = SigningKey.Generate();
        using var signer = SigningKey.Generate();
        var trust = TrustStore.Create(root.PublicKey).AddCertificate(RootSignatures.Certify(root, signer.PublicKey, 1, Now, TimeSpan.FromDays(1))).Value!;

        var revoked = trust.ApplyRevocationList(RootSignatures.Revoke(root, [signer.Kid, signer.Kid], serial: 2, Now));

        Assert.True(revoked.IsAccepted, revoked.Message);
        Assert.Equal([signer.Kid], revoked.Value.Revocations!.RevokedKids);
        Assert.False(revoked.Value.Lookup(signer.Kid, Now, TimeSpan.Zero).IsAccepted);
    }

    [Fact]
    public void CheckSameRoot_TakesTheControllersDocumentsUnderTheOperatorsRoot()
    {
        using var root = SigningKey.Generate();
        using var signer = SigningKey.Generate();
        var keys = new KeysInfo
        {
            Root = root.PublicKey,
            Active = signer.PublicKey,
            Trust = new TrustDocuments { Certificates = [RootSignatures.Certify(root, signer.PublicKey, 1, Now, TimeSpan.FromDays(1))] },
            LastSerial = 1,
        };

        Assert.Null(RootSignatures.CheckSameRoot(root, keys, out var trust));
        Assert.Single(trust!.Certificates);
    }

    [Fact]
    public void CheckSameRoot_RefusesAnotherRootFile()
    {
        using var root = SigningKey.Generate();
        using var other = SigningKey.Generate();

        var error = RootSignatures.CheckSameRoot(other, new KeysInfo { Root = root.PublicKey }, out _);

        Assert.Equal($"the root key file holds {other.Kid}, but the controller pinned {root.Kid}", error);
    }

    [Fact]
    public void CheckSameRoot_BeforeInit_SaysToRunInit()
    {
        using var root = SigningKey.Generate();

        Assert.Contains("fleet keys init", RootSignatures.CheckSameRoot(root, new KeysInfo(), out _), StringComparison.Ordinal);
    }

    [Fact]
    public void TimeProvider_IsNotNeeded_ForSigning()
    {
        // Certify and Revoke take "now" from the caller (the command passes its TimeProvider's), so they are
        // deterministic: the same inputs give the same payload.
        using var root = SigningKey.Generate();
        var time = new FakeTimeProvider(Now);
        var a = RootSignatures.Revoke(root, ["k-1"], 3, time.GetUtcNow());
        var b = RootSignatures.Revoke(root, ["k-1"], 3, time.GetUtcNow());

        Assert.Equal(a.Payload.ToArray(), b.Payload.ToArray());
    }
}
