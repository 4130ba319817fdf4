using System.Security.Cryptography;
using System.Text;
using Fleet.Agent.Updates;

namespace Fleet.Agent.Tests.Updates;

public sealed class RegistrySizesTests
{
    private const string A = "sha256:aaaa";
    private const string B = "sha256:bbbb";
    private const string C = "sha256:cccc";

    [Fact]
    public void ChainIds_AreTheFirstDiffId_ThenTheHashOfTheChainSoFarAndTheNextDiffId()
    {
        var chain = RegistrySizes.ChainIds([A, B, C]);

        var second = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{A} {B}")));
        var third = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{second} {C}")));
        Assert.Equal([A, second, third], chain);
    }

    [Fact]
    public void MissingBytes_CountsOnlyLayersWhoseChainTheEngineLacks_AndEachSharedLayerOnce()
    {
        var present = RegistrySizes.ChainIds([A]).ToHashSet(StringComparer.Ordinal);

        var first = RegistrySizes.MissingBytes([100, 20, 3], [A, B, C], present);
        var sharingTwo = RegistrySizes.MissingBytes([100, 20, 4000], [A, B, "sha256:dddd"], present);

        Assert.Equal(23, first);
        Assert.Equal(4000, sharingTwo);
    }

    [Fact]
    public void MissingBytes_OfALayerWithTheSameDiffIdOnADifferentBase_CountsIt()
    {
        var present = RegistrySizes.ChainIds([A, B]).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(27, RegistrySizes.MissingBytes([7, 20], [C, B], present));
    }

    [Fact]
    public void MissingBytes_WhenTheManifestAndConfigDisagree_IsRefusedAsUnknown()
    {
        Assert.Throws<InvalidOperationException>(() => RegistrySizes.MissingBytes([1, 2], [A], new HashSet<string>()));
    }

    [Theory]
    [InlineData("x86_64", "amd64")]
    [InlineData("aarch64", "arm64")]
    [InlineData("armv7l", "arm")]
    [InlineData("riscv64", "riscv64")]
    public void Architecture_IsTheEnginesAsManifestsNameIt(string engine, string manifest)
    {
        Assert.Equal(manifest, RegistrySizes.Architecture(engine));
    }
}
