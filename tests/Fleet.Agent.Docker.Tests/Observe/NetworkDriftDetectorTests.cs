// Docker.DotNet annotates optional engine fields as nullable; a null there fails the test anyway.
#nullable disable warnings
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Observe;

namespace Fleet.Agent.Docker.Tests.Observe;

public sealed class NetworkDriftDetectorTests
{
    private static NetworksCreateParameters Wanted() => new()
    {
        Name = "shop_back",
        Driver = null,
        Options = new Dictionary<string, string> { ["com.docker.network.bridge.enable_icc"] = "true" },
        Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = "shop", ["tier"] = "back" },
        Internal = false,
        Attachable = false,
        IPAM = new IPAM { Config = [new IPAMConfig { Subnet = "10.99.0.0/24" }] },
    };

    /// <summary>What the engine reports for a network created from the settings, with what it fills in itself.</summary>
    private static NetworkResponse Created(NetworksCreateParameters want) => new()
    {
        Name = want.Name,
        Driver = want.Driver ?? "bridge",
        Options = new Dictionary<string, string>(want.Options),
        Labels = new Dictionary<string, string>(want.Labels) { ["com.docker.compose.network"] = "back" },
        Internal = want.Internal,
        Attachable = want.Attachable,
        EnableIPv6 = want.EnableIPv6 ?? false,
        IPAM = new IPAM { Driver = "default", Options = new Dictionary<string, string>(), Config = [new IPAMConfig { Subnet = "10.99.0.0/24", Gateway = "10.99.0.1" }] },
    };

    [Fact]
    public void Describe_NetworkAsCreated_HasNoDrift()
    {
        Assert.Null(NetworkDriftDetector.Describe(Wanted(), Created(Wanted())));
    }

    [Fact]
    public void Describe_WithoutIpamInTheFile_IgnoresThePoolTheEngineChose()
    {
        var want = Wanted();
        want.IPAM = null;

        Assert.Null(NetworkDriftDetector.Describe(want, Created(Wanted())));
    }

    public static TheoryData<string, Action<NetworksCreateParameters>> Changes => new()
    {
        { "driver", w => w.Driver = "macvlan" },
        { "driver_opts", w => w.Options["com.docker.network.bridge.enable_icc"] = "false" },
        { "internal", w => w.Internal = true },
        { "attachable", w => w.Attachable = true },
        { "enable_ipv6", w => w.EnableIPv6 = true },
        { "labels", w => w.Labels["tier"] = "front" },
        { "labels", w => w.Labels.Remove("tier") },
        { "ipam driver", w => w.IPAM.Driver = "other" },
        { "ipam has no pool 10.98.0.0/24", w => w.IPAM.Config[0].Subnet = "10.98.0.0/24" },
        { "gateway", w => w.IPAM.Config[0].Gateway = "10.99.0.254" },
        { "ip_range", w => w.IPAM.Config[0].IPRange = "10.99.0.128/25" },
        { "aux_addresses", w => w.IPAM.Config[0].AuxAddress = new Dictionary<string, string> { ["host"] = "10.99.0.5" } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Describe_SettingChangedInTheFile_NamesIt(string expected, Action<NetworksCreateParameters> change)
    {
        var want = Wanted();
        var have = Created(want);
        change(want);

        var drift = NetworkDriftDetector.Describe(want, have);

        Assert.NotNull(drift);
        Assert.Contains(expected, drift, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_AttachableNetworkTheFileDoesNotAskToBeAttachable_HasNoDrift()
    {
        var have = Created(Wanted());
        have.Attachable = true;

        Assert.Null(NetworkDriftDetector.Describe(Wanted(), have));
    }

    [Fact]
    public void Describe_PoolNoLongerDeclared_IsDrift()
    {
        var have = Created(Wanted());
        have.IPAM.Config.Add(new IPAMConfig { Subnet = "10.97.0.0/24" });

        Assert.Contains("10.97.0.0/24", NetworkDriftDetector.Describe(Wanted(), have), StringComparison.Ordinal);
    }
}
