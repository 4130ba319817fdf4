using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Agent.Docker.Containers;
using Fleet.Compose;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>
/// The same stack applied with <c>docker-compose up -d</c> (1.29, the Debian package) and with Fleet
/// must give containers whose <c>docker inspect</c> agrees field by field. Known, deliberate differences
/// are left out of the comparison and listed in docs/engine.md.
/// </summary>
public sealed class ComposeParityTests
{
    /// <summary>HostConfig fields not compared: how mounts are expressed (compared through the resulting Mounts instead).</summary>
    private static readonly string[] HostConfigNotCompared = ["Binds", "Mounts", "VolumesFrom"];

    private static readonly string[] ConfigCompared =
        ["Image", "Cmd", "Entrypoint", "Env", "User", "WorkingDir", "Domainname", "Tty", "OpenStdin", "StdinOnce", "StopSignal", "Healthcheck", "ExposedPorts", "Labels"];

    [Theory]
    [InlineData("web.yaml")]
    [InlineData("process.yaml")]
    [InlineData("pair.yaml")]
    [InlineData("secrets.yaml")]
    public async Task Apply_GivesContainersThatInspectLikeDockerCompose(string stack)
    {
        var directory = Directory.CreateTempSubdirectory("fleet-parity-").FullName;
        var file = Path.Combine(directory, "compose.yaml");
        File.Copy(Path.Combine(RepoPaths.Root, "tests", "Fleet.IntegrationTests", "Engine", "Parity", stack), file);
        var environment = new Dictionary<string, string>
        {
            ["PORT_A"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["PORT_B"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["SUBNET"] = Random.Shared.Next(16, 250).ToString(CultureInfo.InvariantCulture),
        };
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var reference = $"fleetparc{suffix}";
        var fleet = $"fleetparf{suffix}";
        try
        {
            // One after the other: both publish the same host ports and use the same subnet.
            var compose = await ComposeUpAndInspectAsync(file, reference, environment);
            var applied = await FleetApplyAndInspectAsync(file, fleet, environment);

            Assert.Equal(compose.Keys.Order(), applied.Keys.Order());
            var differences = compose.Keys.SelectMany(service => Compare(service, compose[service], reference, applied[service], fleet)).ToList();
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
        finally
        {
            await ComposeAsync(file, reference, environment, "down -v -t 1");
            await using (var project = await TestProject.CreateAsync())
            {
                await project.ComposeEngine().DownAsync(fleet, removeVolumes: true, CancellationToken.None);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<Dictionary<string, JsonObject>> ComposeUpAndInspectAsync(string file, string project, Dictionary<string, string> environment)
    {
        var (exitCode, output) = await ComposeAsync(file, project, environment, "up -d");
        Assert.True(exitCode == 0, $"docker-compose up failed: {output}");
        var result = await InspectProjectAsync(project);
        (exitCode, output) = await ComposeAsync(file, project, environment, "down -v -t 1");
        Assert.True(exitCode == 0, $"docker-compose down failed: {output}");
        return result;
    }

    private static Task<(int ExitCode, string Output)> ComposeAsync(string file, string project, Dictionary<string, string> environment, string command)
    {
        var exports = string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}"));
        return ExternalProcess.RunAsync("sh", TimeSpan.FromSeconds(120), "-c", $"env {exports} docker-compose -p {project} -f {file} {command}");
    }

    private static async Task<Dictionary<string, JsonObject>> FleetApplyAndInspectAsync(string file, string project, Dictionary<string, string> environment)
    {
        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(file)],
            ProjectName = project,
            Environment = environment.ToImmutableDictionary(),
        });
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        await using var test = await TestProject.CreateAsync();
        var result = await test.ComposeEngine().ApplyAsync(loaded.Project!, new ProjectContext(Path.GetDirectoryName(file)!, [file]), CancellationToken.None);
        Assert.True(result.Converged, result.Summary);
        return await InspectProjectAsync(project);
    }

    private static async Task<Dictionary<string, JsonObject>> InspectProjectAsync(string project)
    {
        var (_, ids) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "ps", "-aq", "--filter", $"label=com.docker.compose.project={project}");
        var result = new Dictionary<string, JsonObject>();
        foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (exitCode, json) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "inspect", id);
            Assert.True(exitCode == 0, json);
            var container = (JsonObject)JsonNode.Parse(json)!.AsArray()[0]!;
            result[container["Config"]!["Labels"]!["com.docker.compose.service"]!.GetValue<string>()] = container;
        }

        return result;
    }

    private static IEnumerable<string> Compare(string service, JsonObject compose, string composeProject, JsonObject fleet, string fleetProject)
    {
        var left = Normalize(compose, composeProject);
        var right = Normalize(fleet, fleetProject);
        foreach (var (key, value) in left)
        {
            var other = right.GetValueOrDefault(key);
            if (!JsonNode.DeepEquals(value, other))
            {
                yield return $"{service}: {key}: docker-compose {value?.ToJsonString() ?? "null"}, fleet {other?.ToJsonString() ?? "null"}";
            }
        }
    }

    /// <summary>The compared fields, with project names, container ids and container names taken out.</summary>
    private static Dictionary<string, JsonNode?> Normalize(JsonObject container, string project)
    {
        var text = container.ToJsonString().Replace(project, "PROJECT", StringComparison.Ordinal);
        var root = JsonNode.Parse(text)!.AsObject();
        var id = container["Id"]!.GetValue<string>();
        var name = root["Name"]!.GetValue<string>().TrimStart('/');
        var fields = new Dictionary<string, JsonNode?>();
        var config = root["Config"]!.AsObject();
        foreach (var key in ConfigCompared)
        {
            fields[$"Config.{key}"] = config[key]?.DeepClone();
        }

        if (fields["Config.Env"] is JsonArray env)
        {
            fields["Config.Env"] = new JsonArray([.. env.Select(e => e!.GetValue<string>()).Order(StringComparer.Ordinal).Select(e => (JsonNode)e)]);
        }

        if (fields["Config.Labels"] is JsonObject labels)
        {
            fields["Config.Labels"] = new JsonObject(labels
                .Where(l => !l.Key.StartsWith("com.docker.compose.", StringComparison.Ordinal) && l.Key != "org.fleet.managed")
                .OrderBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => KeyValuePair.Create(l.Key, l.Value?.DeepClone())));
        }

        var hostname = config["Hostname"]!.GetValue<string>();
        fields["Config.Hostname"] = id.StartsWith(hostname, StringComparison.Ordinal) ? "(container id)" : hostname;
        foreach (var (key, value) in root["HostConfig"]!.AsObject())
        {
            if (!HostConfigNotCompared.Contains(key))
            {
                fields[$"HostConfig.{key}"] = value?.DeepClone();
            }
        }

        fields["Mounts"] = new JsonArray([.. root["Mounts"]!.AsArray()
            .Select(m => m!.AsObject())
            .OrderBy(m => m["Destination"]!.GetValue<string>(), StringComparer.Ordinal)
            .Select(m => (JsonNode)new JsonObject
            {
                ["Type"] = m["Type"]?.DeepClone(),
                ["Source"] = m["Type"]!.GetValue<string>() == "volume" ? m["Name"]?.DeepClone() : m["Source"]?.DeepClone(),
                ["Destination"] = m["Destination"]?.DeepClone(),
                ["RW"] = m["RW"]?.DeepClone(),
                ["Propagation"] = m["Propagation"]?.DeepClone(),
            })]);
        foreach (var (network, endpoint) in root["NetworkSettings"]!["Networks"]!.AsObject())
        {
            // docker compose v2 (which Fleet follows) adds the container's name as an alias; 1.29 does not.
            var aliases = (endpoint!["Aliases"]?.AsArray() ?? [])
                .Select(a => a!.GetValue<string>())
                .Where(a => a != name && !id.StartsWith(a, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal);
            fields[$"Networks.{network}.Aliases"] = new JsonArray([.. aliases.Select(a => (JsonNode)a)]);
            fields[$"Networks.{network}.IPAMConfig"] = endpoint["IPAMConfig"]?.DeepClone();
        }

        return fields;
    }
}
