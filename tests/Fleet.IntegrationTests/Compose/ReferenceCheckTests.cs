using System.Collections.Immutable;
using Fleet.Compose;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Compose;

/// <summary>
/// Fleet and the reference tool (docker-compose 1.29, <c>config</c>) agree on services, images, environment,
/// ports, volumes, networks and dependencies for our own stacks. The reference's output is itself a compose
/// file, so we read it back with Fleet's own YAML reader and compare the two models field by field.
/// The stack "spec-only" is left out on purpose: it holds what 1.29 lags the specification on
/// (${VAR:+alt}, host_ip in long port syntax, extra_hosts written name=ip); see docs/compose.md.
/// </summary>
public sealed class ReferenceCheckTests
{
    private static readonly string Stacks = Path.Combine(RepoPaths.Root, "tests", "Fleet.IntegrationTests", "Compose", "Stacks");

    public static TheoryData<string, string[], string[]> Cases => new()
    {
        { "basic", ["compose.yaml"], [] },
        { "anchors", ["compose.yaml"], [] },
        { "override", ["compose.yaml", "compose.override.yaml"], [] },
        { "iot", ["compose.yaml"], [] },
        { "profiles", ["compose.yaml"], [] },
        { "profiles", ["compose.yaml"], ["debug"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Config_AgreesWithDockerCompose(string stack, string[] files, string[] profiles)
    {
        var directory = Path.Combine(Stacks, stack);
        var project = "fleet-ref-" + stack + "-" + Guid.NewGuid().ToString("N")[..8];
        var variables = new Dictionary<string, string>
        {
            ["MODE"] = "prod",
            ["HOME"] = "/root",
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        };

        var fleet = Load(files.Select(f => new ComposeFile(Path.Combine(directory, f))), project, directory, variables, profiles);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var referenceYaml = await DockerComposeCli.ConfigAsync(directory, files, project, variables, profiles, timeout.Token);
        var reference = Load([new ComposeFile(Path.Combine(directory, "reference.yaml"), referenceYaml)], project, directory, variables, profiles);

        Assert.Equal(reference.Services.Keys, fleet.Services.Keys);
        foreach (var (name, expected) in reference.Services)
        {
            var actual = fleet.Services[name];
            Assert.Equal(expected.Image, actual.Image);
            Assert.Equal(expected.Environment, actual.Environment);
            Assert.Equal(Ports(expected), Ports(actual));
            Assert.Equal(Mounts(expected), Mounts(actual));
            Assert.Equal(Networks(expected), Networks(actual));
            Assert.Equal(expected.DependsOn.Select(d => d.Key + ":" + d.Value.Condition), actual.DependsOn.Select(d => d.Key + ":" + d.Value.Condition));
            Assert.Equal(expected.Restart, actual.Restart);
            Assert.Equal(expected.Healthcheck?.Test.ToArray(), actual.Healthcheck?.Test.ToArray());
            Assert.Equal(expected.Command?.ToArray(), actual.Command?.ToArray());
        }

        Assert.Equal(reference.Networks.Keys.Where(k => k != "default"), fleet.Networks.Keys.Where(k => k != "default"));
        Assert.Equal(reference.Volumes.Keys, fleet.Volumes.Keys);
    }

    [Fact]
    public void SpecOnly_FleetFollowsTheSpecificationWhereDockerCompose129Lags()
    {
        var directory = Path.Combine(Stacks, "spec-only");
        var app = Load([new ComposeFile(Path.Combine(directory, "compose.yaml"))], "fleet-spec-only", directory, new Dictionary<string, string> { ["SET_VAR"] = "x" }, []).Services["app"];

        Assert.Equal(("alternative", ""), (app.Environment["ALT"], app.Environment["NO_ALT"]));
        Assert.Equal("127.0.0.1", Assert.Single(app.Ports).HostIp);
        Assert.Equal(["gateway:10.0.0.1", "mirror:10.0.0.2"], app.ExtraHosts.ToArray());
    }

    private static ComposeProject Load(IEnumerable<ComposeFile> files, string project, string directory, IDictionary<string, string> variables, string[] profiles)
    {
        var result = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [.. files],
            ProjectName = project,
            WorkingDirectory = directory,
            Environment = variables.ToImmutableDictionary(),
            Profiles = [.. profiles],
        });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Project!;
    }

    private static string[] Ports(ServiceConfig service) =>
        [.. service.Ports.Select(p => $"{p.HostIp}:{p.Published}:{p.Target}/{p.Protocol}").Order(StringComparer.Ordinal)];

    private static string[] Mounts(ServiceConfig service) =>
        [.. service.Volumes.Select(v => $"{v.Type}:{v.Source}:{v.Target}:{(v.ReadOnly ? "ro" : "rw")}").Order(StringComparer.Ordinal)];

    private static string[] Networks(ServiceConfig service) =>
        [.. service.Networks.Select(n => n.Key + "=" + string.Join(",", n.Value.Aliases.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal)];
}
