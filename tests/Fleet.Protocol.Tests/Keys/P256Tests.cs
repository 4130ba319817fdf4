using System.Security.Cryptography;
using Fleet.Protocol.Keys;

namespace Fleet.Protocol.Tests.Keys;

public sealed class P256Tests
{
    private static readonly byte[] Data = "desired state"u8.ToArray();

    [Fact]
    public void Verify_AKeySeenBefore_StillTellsRightFromWrong_AlsoAfterMoreKeysThanItKeeps()
    {
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var firstKey = first.ExportSubjectPublicKeyInfo();
        var firstSignature = first.SignData(Data, HashAlgorithmName.SHA256);
        Assert.True(P256.Verify(firstKey, Data, firstSignature));

        for (var i = 0; i < 40; i++)
        {
            using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var signature = other.SignData(Data, HashAlgorithmName.SHA256);
            Assert.True(P256.Verify(other.ExportSubjectPublicKeyInfo(), Data, signature));
            Assert.False(P256.Verify(firstKey, Data, signature));
            Assert.False(P256.Verify(other.ExportSubjectPublicKeyInfo(), Data, firstSignature));
        }

        Assert.True(P256.Verify(firstKey, Data, firstSignature));
        Assert.False(P256.Verify(firstKey, "another state"u8, firstSignature));
    }

    [Fact]
    public void Verify_AKeyOnAnotherCurve_OrNoKeyAtAll_IsFalse_EveryTime()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p384Key = p384.ExportSubjectPublicKeyInfo();
        var signature = p384.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)[..P256.SignatureLength];
        byte[] garbage = [0x30, 0x03, 0x01, 0x02, 0x03];

        for (var i = 0; i < 2; i++)
        {
            Assert.False(P256.Verify(p384Key, Data, signature));
            Assert.False(P256.Verify(garbage, Data, signature));
        }
    }

    [Fact]
    public void Verify_OnManyThreadsAtOnce_GivesEachTheRightAnswer()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = signer.ExportSubjectPublicKeyInfo();
        var signature = signer.SignData(Data, HashAlgorithmName.SHA256);
        var wrong = (byte[])signature.Clone();
        wrong[^1] ^= 1;

        var answers = new System.Collections.Concurrent.ConcurrentBag<(bool Good, bool Bad)>();
        Parallel.For(0, 64, _ => answers.Add((P256.Verify(key, Data, signature), P256.Verify(key, Data, wrong))));

        Assert.All(answers, a => Assert.Equal((true, false), a));
    }
}
