using System.Collections.Immutable;
using System.Text;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Images;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

public sealed class AuthenticatedPullTests(DockerRegistryWithLogin registry) : IClassFixture<DockerRegistryWithLogin>
{
    [Fact]
    public async Task Pull_WithLoginFromDockerConfigFile_Succeeds()
    {
        var image = await registry.PushUniqueImageAsync($"auth/{Guid.NewGuid():N}", "v1");
        var directory = Directory.CreateTempSubdirectory("fleet-docker-config-").FullName;
        try
        {
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
            var path = Path.Combine(directory, "config.json");
            await File.WriteAllTextAsync(path, $$"""{ "auths": { "http://{{registry.Host}}": { "auth": "{{auth}}" } } }""");

            var result = await PullAsync(image, DockerConfigFile.Load(path));

            Assert.True(result.Succeeded, result.Error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            await registry.RemoveLocalAsync(image);
        }
    }

    [Fact]
    public async Task Pull_WithLoginFromCaller_OverridesConfigFile()
    {
        var image = await registry.PushUniqueImageAsync($"auth/{Guid.NewGuid():N}", "v1");
        var stale = new RegistryCredentials(registry.Host, "fleet", "stale-password");
        var fresh = new RegistryCredentials(registry.Host, registry.Username!, registry.Password!);
        try
        {
            var result = await PullAsync(image, ImagePuller.MergeCredentials([stale], [fresh]));

            Assert.True(result.Succeeded, result.Error);
        }
        finally
        {
            await registry.RemoveLocalAsync(image);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pull_WhenRegistryRefusesCredentials_FailsWithRegistryReason(bool sendWrongPassword)
    {
        var image = await registry.PushUniqueImageAsync($"auth/{Guid.NewGuid():N}", "v1");
        var credentials = sendWrongPassword
            ? ImagePuller.MergeCredentials([], [new RegistryCredentials(registry.Host, registry.Username!, "wrong")])
            : ImmutableDictionary<string, RegistryCredentials>.Empty;

        var result = await PullAsync(image, credentials);

        Assert.False(result.Succeeded);
        Assert.Contains("auth", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<PullResult> PullAsync(string image, ImmutableDictionary<string, RegistryCredentials> credentials)
    {
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
        return await new ImagePuller(engine.Client, credentials).PullAsync(image, null, CancellationToken.None);
    }
}
