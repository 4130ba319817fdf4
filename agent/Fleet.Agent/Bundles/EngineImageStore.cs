using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Images;

namespace Fleet.Agent.Bundles;

/// <summary>
/// <see cref="IImageStore"/> over the Docker engine. Connects per call: an import is rare, and a
/// dockerd restarted between two imports must not leave a dead client behind.
/// </summary>
public sealed class EngineImageStore(Uri? endpoint) : IImageStore
{
    public async Task<string?> ImageIdAsync(string reference, CancellationToken cancellationToken)
    {
        using var engine = await DockerEngine.ConnectAsync(endpoint, cancellationToken);
        try
        {
            return (await engine.Client.Images.InspectImageAsync(reference, cancellationToken)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    public async Task<string?> LoadAsync(Stream archive, CancellationToken cancellationToken)
    {
        using var engine = await DockerEngine.ConnectAsync(endpoint, cancellationToken);
        var errors = new ErrorCollector();
        try
        {
            await engine.Client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = true }, archive, errors, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            return EngineErrors.Describe(ex);
        }

        return errors.Error;
    }

    public async Task RestoreTagAsync(string reference, string? imageId, CancellationToken cancellationToken)
    {
        using var engine = await DockerEngine.ConnectAsync(endpoint, cancellationToken);
        if (imageId is null)
        {
            try
            {
                await engine.Client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { NoPrune = true }, cancellationToken);
            }
            catch (DockerApiException)
            {
                // In use or already gone: what the tag pointed at never ran under this reference.
            }

            return;
        }

        var parsed = ImageReference.Parse(reference);
        await engine.Client.Images.TagImageAsync(
            imageId, new ImageTagParameters { RepositoryName = parsed.Repository, Tag = parsed.Tag }, cancellationToken);
    }

    /// <summary>Keeps the first error of the engine's load stream; called on the stream's thread, in order.</summary>
    private sealed class ErrorCollector : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message: { Length: > 0 } message })
            {
                Error ??= message;
            }
        }
    }
}
