using System.Text.Json;
using Fleet.Compose;
using Fleet.IntegrationTests.Executables;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Compose;

/// <summary><c>fleet-agent config</c> run as a real process, the way an operator checks a file on a device.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fleet-config-");

    [Fact]
    public async Task Config_Digest_IsTheLoadersDigest()
    {
        var file = Write("compose.yaml", "services:\n  web:\n    image: fleet-test/busybox:1\n    ports: [\"8080:80\"]\n");
        var expected = ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile(file)], ProjectName = "p" }).Project!.Digest;

        var (exitCode, output) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file, "-p", "p", "--digest");

        Assert.Equal(0, exitCode);
        Assert.Equal(expected, output.Trim());
    }

    [Fact]
    public async Task NativeAgent_Config_GivesTheSameDigestAsTheLibrary()
    {
        var stack = Path.Combine(RepoPaths.Root, "tests", "Fleet.IntegrationTests", "Compose", "Stacks", "basic");
        var expected = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(Path.Combine(stack, "compose.yaml"))],
            ProjectName = "p",
            Environment = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("MODE", "prod").Add("HOME", "/root"),
        }).Project!.Digest;
        var native = RepoPaths.NativeAgent;
        Assert.True(File.Exists(native), $"{native} is missing: ./test.sh publishes the NativeAOT agent there");

        var (exitCode, output) = await ExternalProcess.RunAsync("env", TimeSpan.FromSeconds(30), "-i", "MODE=prod", "HOME=/root", native, "config", "-f", Path.Combine(stack, "compose.yaml"), "-p", "p", "--digest");

        Assert.Equal((0, expected), (exitCode, output.Trim()));
    }

    [Fact]
    public async Task Config_Json_HasComposeShape_AndYamlLoadsBackToTheSameDigest()
    {
        var file = Write("compose.yaml", "services:\n  web:\n    image: fleet-test/busybox:1\n    environment: [A=1]\n    healthcheck: {test: true, interval: 1m30s}\n");

        var (jsonExit, json) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file, "-p", "p", "--format", "json");
        var (yamlExit, yaml) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file, "-p", "p");
        var (_, digest) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file, "-p", "p", "--digest");
        var reloaded = Write("reloaded.yaml", yaml);
        var (_, reloadedDigest) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", reloaded, "-p", "p", "--digest");

        Assert.Equal((0, 0), (jsonExit, yamlExit));
        using var document = JsonDocument.Parse(json);
        Assert.Equal("1", document.RootElement.GetProperty("services").GetProperty("web").GetProperty("environment").GetProperty("A").GetString());
        Assert.Equal(digest.Trim(), reloadedDigest.Trim());
    }

    [Fact]
    public async Task Config_MergesFilesAndReadsEnvFile()
    {
        var first = Write("a.yaml", "services:\n  web:\n    image: fleet-test/busybox:${TAG}\n");
        var second = Write("b.yaml", "services:\n  web:\n    environment: {B: 2}\n");
        var env = Write("device.env", "TAG=2\n");

        var (exitCode, output) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", first, "-f", second, "--env-file", env, "-p", "p", "--format", "json");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var web = document.RootElement.GetProperty("services").GetProperty("web");
        Assert.Equal(("fleet-test/busybox:2", "2"), (web.GetProperty("image").GetString(), web.GetProperty("environment").GetProperty("B").GetString()));
    }

    [Fact]
    public async Task Config_WithErrors_PrintsOneLineEachAndExitsOne_NeverAStackTrace()
    {
        var file = Write("compose.yaml", "services:\n  web:\n    imagee: nginx\n    ports: [\"80800:80\"]\n  api:\n    build: .\n");

        var (exitCode, output) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file);

        Assert.Equal(1, exitCode);
        var lines = output.Trim().Split('\n');
        Assert.Contains("compose.yaml:3:5: service web: unknown key \"imagee\" (did you mean \"image\"?)", lines);
        Assert.Contains("compose.yaml:4:13: service web: ports[0]: invalid port \"80800\": must be 1-65535", lines);
        Assert.Contains("compose.yaml:6:5: service api has no image: build the image, push it to a registry and set image:", lines);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0")]
    [InlineData("a: &a [*a]")]
    [InlineData("services: {web: {image: [")]
    public async Task Config_WithHostileOrBrokenFile_ExitsOneWithAMessage(string content)
    {
        var file = Write("compose.yaml", content);

        var (exitCode, output) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", file);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("compose.yaml", output.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithMissingFile_SaysSo()
    {
        var (exitCode, output) = await ExecutableTests.RunAsync("fleet-agent", "config", "-f", Path.Combine(_directory.FullName, "nope.yaml"));

        Assert.Equal((1, "nope.yaml: file not found"), (exitCode, output.Trim()));
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
