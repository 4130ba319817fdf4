using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>
/// A real docker-registry (distribution) on a free 127.0.0.1 port, storing in a temporary folder.
/// The engine treats 127.0.0.0/8 as insecure, so it pulls over plain HTTP. Images pushed here are
/// untagged locally when the fixture goes away.
/// </summary>
public class DockerRegistry : IAsyncLifetime
{
    private static readonly string[] BusyboxPaths = ["/bin/busybox", "/usr/bin/busybox"];
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-registry-").FullName;
    private readonly List<string> _localTags = [];
    private ExternalProcess? _process;
    private EngineConnection? _engine;

    public DockerRegistry()
        : this(null, null)
    {
    }

    protected DockerRegistry(string? username, string? password)
    {
        Username = username;
        Password = password;
    }

    public int Port { get; } = FreePort.Next();

    /// <summary>The registry's host as image references name it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string? Username { get; }

    public string? Password { get; }

    private AuthConfig Auth => Username is null
        ? new AuthConfig()
        : new AuthConfig { Username = Username, Password = Password, ServerAddress = Host };

    public async Task InitializeAsync()
    {
        var auth = string.Empty;
        if (Username is not null)
        {
            var htpasswd = Path.Combine(_directory, "htpasswd");
            var (exitCode, output) = await ExternalProcess.RunAsync("htpasswd", TimeSpan.FromSeconds(30), "-Bbc", htpasswd, Username, Password ?? string.Empty);
            Assert.True(exitCode == 0, $"htpasswd failed: {output}");
            auth = $"""
                auth:
                  htpasswd:
                    realm: fleet-test
                    path: {htpasswd}
                """;
        }

        var config = Path.Combine(_directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(_directory, "data")}
            http:
              addr: 127.0.0.1:{Port}
            {auth}
            """);
        _process = ExternalProcess.Start("docker-registry", "serve", config);
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(15), () => _process.Output);
        _engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
    }

    /// <summary>Tags a local image into this registry and pushes it; returns the reference to pull.</summary>
    public async Task<string> PushAsync(string localImage, string repository, string tag)
    {
        var engine = _engine ?? throw new InvalidOperationException("the registry is not started");
        var target = $"{Host}/{repository}";
        await engine.Client.Images.TagImageAsync(localImage, new ImageTagParameters { RepositoryName = target, Tag = tag });
        lock (_localTags)
        {
            _localTags.Add($"{target}:{tag}");
        }

        string? error = null;
        await engine.Client.Images.PushImageAsync(
            target,
            new ImagePushParameters { Tag = tag },
            Auth,
            new InlineProgress(message => error ??= message.Error?.Message));
        Assert.True(error is null, $"push of {target}:{tag} failed: {error}");
        return $"{target}:{tag}";
    }

    /// <summary>
    /// Imports an image whose only layer holds random bytes, pushes it, and deletes it locally: pulling
    /// it must then really download that layer (the engine skips layers it already has).
    /// </summary>
    /// <param name="withBusybox">
    /// Also puts the host's static busybox in the layer as <c>/bin/busybox</c>, so that a service can run
    /// it (<c>command: [/bin/busybox, sleep, "3600"]</c>); the image has no CMD of its own.
    /// </param>
    public async Task<string> PushUniqueImageAsync(string repository, string tag, int bytes = 256 * 1024, bool withBusybox = false)
    {
        var engine = _engine ?? throw new InvalidOperationException("the registry is not started");
        var payload = new byte[bytes];
        Random.Shared.NextBytes(payload);
        using var tar = new MemoryStream();
        await using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "random.bin")
            {
                DataStream = new MemoryStream(payload),
            };
            await writer.WriteEntryAsync(entry);
            if (withBusybox)
            {
                await writer.WriteEntryAsync(BusyboxPath, "bin/busybox");
            }
        }

        tar.Position = 0;
        var local = $"fleet-test/unique-{Guid.NewGuid():N}";
        await engine.Client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = local, Tag = tag },
            tar,
            new AuthConfig(),
            new InlineProgress(_ => { }));
        var reference = await PushAsync($"{local}:{tag}", repository, tag);
        await RemoveLocalAsync(reference);
        await RemoveLocalAsync($"{local}:{tag}");
        return reference;
    }

    /// <summary>
    /// Builds an image on the test busybox with one more layer of <paramref name="bytes"/> random bytes,
    /// pushes it and deletes it locally: it runs like busybox, and pulling it downloads that layer.
    /// </summary>
    public async Task<string> PushRunnableUniqueImageAsync(string repository, string tag, int bytes)
    {
        var context = Directory.CreateTempSubdirectory("fleet-it-build-").FullName;
        try
        {
            var payload = new byte[bytes];
            Random.Shared.NextBytes(payload);
            await File.WriteAllBytesAsync(Path.Combine(context, "random.bin"), payload);
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), $"FROM {TestImages.Busybox}\nCOPY random.bin /random.bin\n");
            var local = $"fleet-test/unique-{Guid.NewGuid():N}:{tag}";
            var (code, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromMinutes(2), "build", "-q", "-t", local, context);
            Assert.True(code == 0, $"docker build failed: {output}");
            var reference = await PushAsync(local, repository, tag);
            await RemoveLocalAsync(reference);
            await RemoveLocalAsync(local);
            return reference;
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    /// <summary>Removes a local copy of an image a test pulled from here (ignores one already gone).</summary>
    public async Task RemoveLocalAsync(string reference)
    {
        var engine = _engine ?? throw new InvalidOperationException("the registry is not started");
        try
        {
            await engine.Client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
            // Already gone: what the caller wanted.
        }
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            foreach (var tag in _localTags)
            {
                await RemoveLocalAsync(tag);
            }

            _engine.Dispose();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static string BusyboxPath =>
        BusyboxPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("busybox is missing: ./test.sh installs busybox-static");

    private sealed class InlineProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => report(value);
    }
}
