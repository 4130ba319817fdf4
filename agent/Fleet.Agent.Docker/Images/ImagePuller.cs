using System.Collections.Immutable;
using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;

namespace Fleet.Agent.Docker.Images;

/// <summary>
/// Pulls images through the engine, with the credentials for each image's registry, and reports
/// per-layer byte progress. A failed pull is a value naming the image and the engine's reason.
/// </summary>
public sealed class ImagePuller(IDockerClient client, ImmutableDictionary<string, RegistryCredentials> credentials)
{
    /// <summary>Credentials from the Docker config file, overridden per registry by those the caller hands over.</summary>
    public static ImmutableDictionary<string, RegistryCredentials> MergeCredentials(
        IEnumerable<RegistryCredentials> fromConfigFile,
        IEnumerable<RegistryCredentials> fromCaller)
    {
        var merged = ImmutableDictionary.CreateBuilder<string, RegistryCredentials>(StringComparer.OrdinalIgnoreCase);
        foreach (var credential in fromConfigFile.Concat(fromCaller))
        {
            var registry = DockerConfigFile.NormalizeRegistry(credential.Registry);
            merged[registry] = credential with { Registry = registry };
        }

        return merged.ToImmutable();
    }

    public async Task<PullResult> PullAsync(string image, Action<PullProgress>? progress, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(image);
        var auth = credentials.TryGetValue(reference.Registry, out var login)
            ? new AuthConfig { Username = login.Username, Password = login.Password, ServerAddress = reference.Registry }
            : new AuthConfig();
        var reporter = new StreamReporter(image, progress);
        try
        {
            await client.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = reference.Repository, Tag = reference.Tag },
                auth,
                reporter,
                cancellationToken);
        }
        catch (DockerApiException ex)
        {
            return PullResult.Failed(image, EngineErrors.Describe(ex));
        }

        if (reporter.Error is { } streamError)
        {
            return PullResult.Failed(image, streamError);
        }

        try
        {
            var inspected = await client.Images.InspectImageAsync(image, cancellationToken);
            return PullResult.Pulled(image, inspected.ID);
        }
        catch (DockerImageNotFoundException)
        {
            return PullResult.Failed(image, "the engine reported the pull done but has no such image");
        }
    }

    /// <summary>
    /// Calls back on the engine's stream thread, in order: <see cref="Progress{T}"/> would post
    /// to the thread pool and could deliver reports after the pull has returned.
    /// </summary>
    private sealed class StreamReporter(string image, Action<PullProgress>? progress) : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { Message: { Length: > 0 } message })
            {
                Error ??= message;
                return;
            }

            progress?.Invoke(new PullProgress(image, value.ID ?? string.Empty, value.Status ?? string.Empty, value.Progress?.Current, value.Progress?.Total));
        }
    }
}
