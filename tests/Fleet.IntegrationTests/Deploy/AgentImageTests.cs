using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Deploy;

/// <summary>
/// deploy/docker/agent.Dockerfile, built for real. No registry is reachable here, so its base image is
/// made locally the way runtime-deps would provide it: the native agent's shared libraries (ldd) and
/// OpenSSL, taken from this machine, imported with `docker import`, and passed as BASE.
/// </summary>
public sealed class AgentImageTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-image-it-").FullName;
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    private string BaseImage => $"fleet-test/agent-base:{_suffix}";

    private string AgentImage => $"fleet-test/agent:{_suffix}";

    public async Task InitializeAsync()
    {
        var rootfs = Directory.CreateDirectory(Path.Combine(_directory, "rootfs")).FullName;
        var libraries = await SharedLibrariesAsync(NativeAgent.Executable);
        var openSsl = await LibraryPathAsync("libssl.so.3");
        libraries.UnionWith([openSsl, .. await SharedLibrariesAsync(openSsl)]);
        foreach (var file in libraries.Append("/etc/ssl/certs/ca-certificates.crt"))
        {
            await RunAsync("cp", "-L", "--parents", file, rootfs);
        }

        Directory.CreateDirectory(Path.Combine(rootfs, "tmp"));
        var tar = Path.Combine(_directory, "rootfs.tar");
        await RunAsync("tar", "-C", rootfs, "-cf", tar, ".");
        await RunAsync("docker", "import", "--change", $"LABEL {TestImages.TestLabel}=agent-image", tar, BaseImage);
        await RunAsync("docker", "build", "-q", "--build-arg", $"BASE={BaseImage}", "--label", $"{TestImages.TestLabel}=agent-image",
            "-f", Path.Combine(RepoPaths.Root, "deploy", "docker", "agent.Dockerfile"), "-t", AgentImage, Path.GetDirectoryName(NativeAgent.Executable)!);
    }

    public async Task DisposeAsync()
    {
        await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(60), "rmi", "-f", AgentImage, BaseImage);
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AgentImage_AnswersVersion_LikeTheNativeBinary()
    {
        var (_, native) = await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(30), "--version");

        var (code, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(60), "run", "--rm", "--network", "none", AgentImage, "--version");

        Assert.True(code == 0, output);
        Assert.Equal(native.Trim(), output.Trim());
    }

    /// <summary>The container has no network at all: the mounted socket is its only way to the engine.</summary>
    [Fact]
    public async Task AgentImage_AppliesAStackOnTheHostEngine_ThroughTheMountedSocket()
    {
        var project = $"it-image-{_suffix}";
        var stack = Directory.CreateDirectory(Path.Combine(_directory, "stack")).FullName;
        await File.WriteAllTextAsync(Path.Combine(stack, "compose.yaml"), $"""
            services:
              web:
                image: {TestImages.Busybox}
                command: ["sleep", "3600"]
                stop_grace_period: 1s
                labels:
                  {TestImages.TestLabel}: agent-image
            """);
        try
        {
            var (code, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(120),
                "run", "--rm", "--network", "none", "-v", "/var/run/docker.sock:/var/run/docker.sock", "-v", $"{stack}:/stack:ro",
                AgentImage, "apply", "-f", "/stack/compose.yaml", "-p", project);
            Assert.True(code == 0, output);

            var (_, running) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30),
                "ps", "--filter", $"label=com.docker.compose.project={project}", "--format", "{{.Label \"com.docker.compose.service\"}} {{.State}}");
            Assert.Equal("web running", running.Trim());

            var (withoutSocket, refused) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(60), "run", "--rm", "--network", "none", AgentImage, "ps", "-p", project);
            Assert.True(withoutSocket != 0, $"without the socket the agent in the container should reach no engine:\n{refused}");
        }
        finally
        {
            await ExternalProcess.RunAsync(NativeAgent.Executable, TimeSpan.FromSeconds(60), "down", "-p", project);
        }
    }

    /// <summary>Every shared library ldd resolves for a binary, with the dynamic loader itself.</summary>
    private static async Task<HashSet<string>> SharedLibrariesAsync(string binary)
    {
        var (_, output) = await RunAsync("ldd", binary);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Select(words => words.Length >= 3 && words[1] == "=>" ? words[2] : words[0])
            .Where(path => path.StartsWith('/'))];
    }

    private static async Task<string> LibraryPathAsync(string soname)
    {
        var (_, cache) = await RunAsync("ldconfig", "-p");
        var line = cache.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(soname + " ", StringComparison.Ordinal) && l.Contains("x86-64", StringComparison.Ordinal));
        Assert.True(line is not null, $"{soname} is not installed (Debian package libssl3)");
        return line.Split("=>")[1].Trim();
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        var (code, output) = await ExternalProcess.RunAsync(command, TimeSpan.FromSeconds(180), arguments);
        Assert.True(code == 0, $"{command} {string.Join(' ', arguments)} exited {code}:\n{output}");
        return (code, output);
    }
}
