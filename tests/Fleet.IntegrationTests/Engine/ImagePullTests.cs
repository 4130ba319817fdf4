using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Images;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

public sealed class ImagePullTests(DockerRegistry registry) : IClassFixture<DockerRegistry>
{
    [Fact]
    public async Task Pull_FromRegistry_ReportsLayerBytesAndImageId()
    {
        var image = await registry.PushUniqueImageAsync($"pull/{Guid.NewGuid():N}", "v1");
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
        var reports = new ConcurrentQueue<PullProgress>();
        try
        {
            var result = await new ImagePuller(engine.Client, ImmutableDictionary<string, RegistryCredentials>.Empty)
                .PullAsync(image, reports.Enqueue, CancellationToken.None);

            Assert.True(result.Succeeded, result.Error);
            var inspected = await engine.Client.Images.InspectImageAsync(image);
            Assert.Equal(inspected.ID, result.ImageId);
            Assert.Contains(reports, r => r.Layer.Length > 0 && r.Current > 0 && r.Total > 0);
            Assert.All(reports, r => Assert.Equal(image, r.Image));
        }
        finally
        {
            await registry.RemoveLocalAsync(image);
        }
    }

    [Fact]
    public async Task Pull_WhenTagDoesNotExist_FailsNamingTheImage()
    {
        var image = $"{registry.Host}/pull/{Guid.NewGuid():N}:missing";
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);

        var result = await new ImagePuller(engine.Client, ImmutableDictionary<string, RegistryCredentials>.Empty)
            .PullAsync(image, null, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal(image, result.Image);
        Assert.Contains("not found", result.Error, StringComparison.OrdinalIgnoreCase);
    }
}
