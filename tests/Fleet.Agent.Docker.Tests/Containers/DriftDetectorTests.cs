// Docker.DotNet annotates optional engine fields as nullable; a null there fails the test anyway.
#nullable disable warnings
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Compose.Model;
using ContainerSpec = Fleet.Agent.Docker.Containers.ContainerSpec;
using ServiceConfig = Fleet.Compose.Model.ServiceConfig;

namespace Fleet.Agent.Docker.Tests.Containers;

public sealed class DriftDetectorTests
{
    private static readonly ServiceConfig Service = new()
    {
        Name = "web",
        Image = "app:1",
        Environment = ComposeCollections.ToMap([KeyValuePair.Create<string, string?>("MODE", "a")]),
        MemLimitBytes = 1024 * 1024 * 64,
        Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new ServiceNetwork())]),
        Labels = ComposeCollections.ToMap([KeyValuePair.Create("tier", "front")]),
    };

    private static ContainerSpec Spec(ServiceConfig service) => ContainerSpecBuilder.Build(
        new ComposeProject
        {
            Name = "shop",
            Services = ComposeCollections.ToMap([KeyValuePair.Create(service.Name, service)]),
            Networks = ComposeCollections.ToMap([KeyValuePair.Create("default", new NetworkConfig { Name = "shop_default" })]),
        },
        service,
        1,
        ProjectContext.None);

    /// <summary>What the engine would report for a container created from the spec, with the image's own additions.</summary>
    private static ContainerInspectResponse Inspected(ContainerSpec spec) => new()
    {
        Config = new ContainerConfig
        {
            Image = spec.Create.Image,
            Env = [.. spec.Create.Env, "PATH=/bin"],
            Cmd = ["sleep", "1"],
            Labels = new Dictionary<string, string>(spec.Create.Labels) { ["from.image"] = "x", ["com.docker.compose.config-hash"] = "compose-own" },
        },
        HostConfig = new HostConfig { Memory = spec.Create.HostConfig.Memory, NetworkMode = "shop_default", PortBindings = new Dictionary<string, IList<PortBinding>>() },
        Mounts = [],
        NetworkSettings = new NetworkSettings { Networks = new Dictionary<string, EndpointSettings> { ["shop_default"] = new() } },
    };

    [Fact]
    public void Describe_WhenContainerIsWhatTheSpecAsks_IsNull()
    {
        var spec = Spec(Service);

        Assert.Null(DriftDetector.Describe(spec, Inspected(spec)));
    }

    [Fact]
    public void Describe_WhenMemoryWasUpdatedByHand_SaysSo()
    {
        var spec = Spec(Service);
        var actual = Inspected(spec);
        actual.HostConfig.Memory = 1;

        Assert.StartsWith("memory limit is 1", DriftDetector.Describe(spec, actual), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WhenEnvironmentChanged_NamesTheVariable()
    {
        var spec = Spec(Service with { Environment = ComposeCollections.ToMap([KeyValuePair.Create<string, string?>("MODE", "b")]) });

        Assert.Equal("environment lacks MODE", DriftDetector.Describe(spec, Inspected(Spec(Service))));
    }

    [Fact]
    public void Describe_WhenOnNoLongerWantedNetwork_SaysWhichNetworks()
    {
        var spec = Spec(Service);
        var actual = Inspected(spec);
        actual.NetworkSettings.Networks["other"] = new EndpointSettings();

        Assert.StartsWith("networks are", DriftDetector.Describe(spec, actual), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WhenUserLabelChanged_NamesTheLabel()
    {
        var spec = Spec(Service with { Labels = ComposeCollections.ToMap([KeyValuePair.Create("tier", "back")]) });

        Assert.Equal("label tier differs", DriftDetector.Describe(spec, Inspected(Spec(Service))));
    }
}
