using Fleet.Cli.Bundles;

namespace Fleet.Cli.Tests.Bundles;

/// <summary>Against the real engine, with the image ./test.sh builds (deploy/test/build-test-images.sh).</summary>
public sealed class DockerCliTests : IDisposable
{
    private const string Image = "fleet-test/busybox:1";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-docker-");

    [Fact]
    public async Task InspectIdAsync_GivesTheImageId_AndSaveAsync_WritesAnArchive()
    {
        var docker = new DockerCli();

        var (id, error) = await docker.InspectIdAsync(Image, CancellationToken.None);
        var archive = Path.Combine(_dir.FullName, "busybox.tar");
        var saveError = await docker.SaveAsync(Image, archive, CancellationToken.None);

        Assert.Null(error);
        Assert.Matches("^sha256:[0-9a-f]{64}$", id);
        Assert.Null(saveError);
        Assert.True(new FileInfo(archive).Length > 1024);
    }

    [Fact]
    public async Task InspectIdAsync_OfAnImageTheEngineLacks_SaysToPullIt()
    {
        var (id, error) = await new DockerCli().InspectIdAsync("fleet-test/never-built:0", CancellationToken.None);

        Assert.Null(id);
        Assert.StartsWith("image fleet-test/never-built:0 is not in the local engine", error, StringComparison.Ordinal);
        Assert.EndsWith("docker pull it first", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongDockerExecutable_IsAReasonNotACrash()
    {
        var (id, error) = await new DockerCli("/nonexistent/docker").InspectIdAsync(Image, CancellationToken.None);

        Assert.Null(id);
        Assert.Contains("cannot run /nonexistent/docker", error, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
