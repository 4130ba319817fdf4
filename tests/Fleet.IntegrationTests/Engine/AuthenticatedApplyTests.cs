using Fleet.Agent.Docker.Images;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

public sealed class AuthenticatedApplyTests(DockerRegistryWithLogin registry) : IClassFixture<DockerRegistryWithLogin>
{
    [Fact]
    public async Task Apply_WhenRegistryRefusesCredentials_KeepsOldContainerRunning()
    {
        var image = await registry.PushAsync(TestImages.BusyboxV2, $"apply/{Guid.NewGuid():N}", "v2");
        await registry.RemoveLocalAsync(image);
        await using var project = await CreateAsync();
        Assert.True((await project.ApplyAsync(project.Project(Service("web")))).Converged);
        var before = (await project.InspectAsync($"{project.Name}-web-1")).ID;
        var wrong = project.Options with
        {
            Credentials = ImagePuller.MergeCredentials([], [new RegistryCredentials(registry.Host, registry.Username!, "wrong")]),
        };

        var result = await project.ApplyAsync(project.Project(Service("web", hash: "v2", image: image)), wrong);

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("web", "pull:web"), (failure.Service, failure.StepId));
        Assert.Contains("auth", failure.Reason, StringComparison.OrdinalIgnoreCase);
        var web = await project.InspectAsync($"{project.Name}-web-1");
        Assert.Equal(before, web.ID);
        Assert.True(web.State?.Running);
    }

    [Fact]
    public async Task Apply_WithLogin_PullsReportingProgressAndRecordsImageId()
    {
        var image = await registry.PushUniqueImageAsync($"apply/{Guid.NewGuid():N}", "v1");
        await using var project = await CreateAsync();
        var options = project.Options with
        {
            Credentials = ImagePuller.MergeCredentials([], [new RegistryCredentials(registry.Host, registry.Username!, registry.Password!)]),
        };
        try
        {
            // The unique image has no command of its own: give it one that exits 0, as a one-shot job.
            var job = Service("job", image: image) with { Command = ["/bin/true"], Volumes = [] };
            var result = await project.ApplyAsync(project.Project(job), options);

            var pulled = await project.Engine.Client.Images.InspectImageAsync(image);
            Assert.Equal(pulled.ID, result.ImageIds["job"]);
            Assert.Contains(project.Progress, p => p.Image == image && p.Current > 0 && p.Total > 0);
            Assert.Equal("pull:job", result.Plan.Steps[0].Id);
        }
        finally
        {
            await project.DisposeAsync();
            await registry.RemoveLocalAsync(image);
        }
    }
}
