// Docker.DotNet annotates optional engine fields as nullable; a null there fails the test anyway.
#nullable disable warnings
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Containers;
using Fleet.Compose.Model;
using ContainerSpec = Fleet.Agent.Docker.Containers.ContainerSpec;
using ServiceConfig = Fleet.Compose.Model.ServiceConfig;

namespace Fleet.Agent.Docker.Tests.Containers;

public sealed class ContainerSpecBuilderTests
{
    private static ServiceConfig Web => new()
    {
        Name = "web",
        Image = "app:1",
        ConfigHash = "abc",
        Networks = ComposeCollections.ToMap([
            KeyValuePair.Create("default", new ServiceNetwork()),
            KeyValuePair.Create("back", new ServiceNetwork { Aliases = ["www"], Priority = 10 })]),
    };

    private static ComposeProject Project(ServiceConfig service) => new()
    {
        Name = "shop",
        Services = ComposeCollections.ToMap([KeyValuePair.Create(service.Name, service)]),
        Networks = ComposeCollections.ToMap([
            KeyValuePair.Create("default", new NetworkConfig { Name = "shop_default" }),
            KeyValuePair.Create("back", new NetworkConfig { Name = "shop_back" })]),
        Volumes = ComposeCollections.ToMap([KeyValuePair.Create("data", new VolumeConfig { Name = "shop_data" })]),
    };

    private static ContainerSpec Build(ServiceConfig service, int number = 1) =>
        ContainerSpecBuilder.Build(Project(service), service, number, new ProjectContext("/srv/shop", ["/srv/shop/compose.yaml"]));

    [Fact]
    public void Build_NamesAndLabelsAsComposeV2()
    {
        var spec = Build(Web, 2);

        Assert.Equal("shop-web-2", spec.Create.Name);
        Assert.Equal("shop", spec.Create.Labels["com.docker.compose.project"]);
        Assert.Equal("web", spec.Create.Labels["com.docker.compose.service"]);
        Assert.Equal("2", spec.Create.Labels["com.docker.compose.container-number"]);
        Assert.Equal("False", spec.Create.Labels["com.docker.compose.oneoff"]);
        Assert.Equal("abc", spec.Create.Labels["com.docker.compose.config-hash"]);
        Assert.Equal("/srv/shop", spec.Create.Labels["com.docker.compose.project.working_dir"]);
        Assert.Equal("/srv/shop/compose.yaml", spec.Create.Labels["com.docker.compose.project.config_files"]);
    }

    [Fact]
    public void Build_GivesTheHighestPriorityNetworkAtCreateAndConnectsTheRestLater()
    {
        var spec = Build(Web);

        Assert.Equal("shop_back", spec.Create.HostConfig.NetworkMode);
        var primary = Assert.Single(spec.Create.NetworkingConfig.EndpointsConfig);
        Assert.Equal("shop_back", primary.Key);
        Assert.Equal(["shop-web-1", "web", "www"], primary.Value.Aliases);
        Assert.Equal(["shop_default"], spec.ExtraNetworks.Keys);
    }

    [Fact]
    public void Build_MapsPortsWithHostIpsAndExposedPorts()
    {
        var spec = Build(Web with
        {
            Ports = [new ServicePort { Target = 80, Published = "8080", HostIp = "127.0.0.1" }, new ServicePort { Target = 53, Protocol = "udp" }],
            Expose = ["9000-9001", "7000/udp"],
        });

        Assert.Equal("127.0.0.1", spec.Create.HostConfig.PortBindings["80/tcp"][0].HostIP);
        Assert.Equal("8080", spec.Create.HostConfig.PortBindings["80/tcp"][0].HostPort);
        Assert.Equal(string.Empty, spec.Create.HostConfig.PortBindings["53/udp"][0].HostPort);
        Assert.Equal(["53/udp", "7000/udp", "80/tcp", "9000/tcp", "9001/tcp"], spec.Create.ExposedPorts.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Build_MapsMountsOfAllThreeTypes()
    {
        var spec = Build(Web with
        {
            Volumes =
            [
                new ServiceVolume { Type = "volume", Source = "data", Target = "/data" },
                new ServiceVolume { Type = "bind", Source = "/etc/app", Target = "/config", ReadOnly = true },
                new ServiceVolume { Type = "tmpfs", Target = "/scratch", Tmpfs = new ServiceVolumeTmpfs { SizeBytes = 1024 } },
                new ServiceVolume { Type = "volume", Target = "/anonymous" },
            ],
            Tmpfs = ["/run:size=1m"],
        });

        Assert.Equal(["shop_data:/data:rw", "/etc/app:/config:ro"], spec.Create.HostConfig.Binds);
        Assert.Equal(1024, spec.Create.HostConfig.Mounts.Single(m => m.Type == "tmpfs").TmpfsOptions.SizeBytes);
        Assert.Null(spec.Create.HostConfig.Mounts.Single(m => m.Type == "volume").Source);
        Assert.Equal("size=1m", spec.Create.HostConfig.Tmpfs["/run"]);
    }

    [Theory]
    [InlineData("always", null, RestartPolicyKind.Always, 0)]
    [InlineData("on-failure:3", null, RestartPolicyKind.OnFailure, 3)]
    [InlineData("unless-stopped", null, RestartPolicyKind.UnlessStopped, 0)]
    [InlineData(null, "any", RestartPolicyKind.Always, 0)]
    [InlineData(null, "on-failure", RestartPolicyKind.OnFailure, 5)]
    [InlineData(null, "none", RestartPolicyKind.No, 0)]
    public void RestartPolicy_RestartWinsElseDeployRestartPolicy(string? restart, string? condition, RestartPolicyKind kind, long retries)
    {
        var service = Web with
        {
            Restart = restart,
            Deploy = condition is null ? null : new ServiceDeploy { RestartPolicy = new DeployRestartPolicy { Condition = condition, MaxAttempts = 5 } },
        };

        var policy = ContainerSpecBuilder.RestartPolicy(service);

        Assert.Equal((kind, retries), (policy!.Name, policy.MaximumRetryCount));
    }

    [Fact]
    public void Build_ServiceLevelLimitsWinOverDeployLimits()
    {
        var spec = Build(Web with
        {
            Cpus = 0.5m,
            Deploy = new ServiceDeploy { Resources = new DeployResources { Limits = new ResourceLimits { Cpus = 2, MemoryBytes = 1024, Pids = 10 } } },
        });

        Assert.Equal(500_000_000, spec.Create.HostConfig.NanoCPUs);
        Assert.Equal(1024, spec.Create.HostConfig.Memory);
        Assert.Equal(10, spec.Create.HostConfig.PidsLimit);
    }

    private static ContainerSpec WithFiles(string? tokenValue, string content = "level=1")
    {
        var service = Web with
        {
            Secrets = [new ServiceFileReference { Source = "token", Target = "/run/secrets/token" }, new ServiceFileReference { Source = "cert", Target = "/run/secrets/cert" }],
            Configs = [new ServiceFileReference { Source = "settings", Target = "/etc/app.conf", Mode = Convert.ToInt32("400", 8), Uid = "1000", Gid = "2000" }],
        };
        var project = Project(service) with
        {
            Secrets = ComposeCollections.ToMap([
                KeyValuePair.Create("token", new FileObjectConfig { Name = "shop_token", Environment = "TOKEN", EnvironmentValue = tokenValue }),
                KeyValuePair.Create("cert", new FileObjectConfig { Name = "shop_cert", File = "/srv/shop/cert.pem" })]),
            Configs = ComposeCollections.ToMap([KeyValuePair.Create("settings", new FileObjectConfig { Name = "shop_settings", Content = content })]),
        };
        return ContainerSpecBuilder.Build(project, service, 1, ProjectContext.None);
    }

    [Fact]
    public void Build_ConfigsAndSecretsFromContentOrEnvironment_AreFilesToCopyIn()
    {
        var spec = WithFiles("s3cret");

        Assert.Equal(
            [new InjectedFile("secret", "token", "/run/secrets/token", "s3cret", "TOKEN", Convert.ToInt32("444", 8), 0, 0), new InjectedFile("config", "settings", "/etc/app.conf", "level=1", null, Convert.ToInt32("400", 8), 1000, 2000)],
            spec.Files.ToArray());
        Assert.Equal(["/srv/shop/cert.pem:/run/secrets/cert:ro"], spec.Create.HostConfig.Binds);
    }

    [Fact]
    public void Build_FilesHashLabel_ChangesWithTheContentOnly()
    {
        var hash = WithFiles("one").Create.Labels["org.fleet.files-hash"];

        Assert.Equal(hash, WithFiles("one").Create.Labels["org.fleet.files-hash"]);
        Assert.NotEqual(hash, WithFiles("two").Create.Labels["org.fleet.files-hash"]);
        Assert.NotEqual(hash, WithFiles("one", content: "level=2").Create.Labels["org.fleet.files-hash"]);
        Assert.NotEqual(hash, WithFiles(null).Create.Labels["org.fleet.files-hash"]);
    }

    [Fact]
    public void Build_WithoutInlineConfigsOrSecrets_HasNoFilesHashLabel()
    {
        Assert.DoesNotContain("org.fleet.files-hash", Build(Web).Create.Labels.Keys);
    }

    [Fact]
    public void Build_DisabledHealthcheck_IsNone()
    {
        var spec = Build(Web with { Healthcheck = new ServiceHealthcheck { Disable = true } });

        Assert.Equal(["NONE"], spec.Create.Healthcheck.Test);
    }
}
