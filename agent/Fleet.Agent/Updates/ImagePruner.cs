using Docker.DotNet;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Updates;

/// <summary>
/// Removes from the engine, after a commit, the images <see cref="ImageRetention"/> says no kept release
/// needs, and reports them as one <c>pruned</c> event. A removal that fails (the engine refuses it) is
/// reported and tried again after the next commit; it never fails the update.
/// </summary>
public sealed partial class ImagePruner(IDockerClient client, ReleaseStore releases, EventJournal journal, ILogger logger)
{
    public async Task PruneAsync(long version, int keep, CancellationToken cancellationToken)
    {
        if (keep <= 0)
        {
            return;
        }

        var containers = await client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, cancellationToken);
        var prunable = ImageRetention.Prunable(
            releases.FleetImages, releases.Committed, keep, containers.Select(c => c.ImageID).ToHashSet(StringComparer.Ordinal));
        var removed = new List<string>();
        var gone = new List<string>();
        var refused = new List<string>();
        foreach (var imageId in prunable)
        {
            try
            {
                // Force: an image with several tags is removed by ID only so. No container uses it (checked above).
                var answer = await client.Images.DeleteImageAsync(imageId, new ImageDeleteParameters { Force = true }, cancellationToken);
                var tags = answer.SelectMany(a => a).Where(e => e.Key == "Untagged").Select(e => e.Value).ToList();
                removed.Add(tags.Count == 0 ? imageId : $"{imageId} ({string.Join(", ", tags)})");
                gone.Add(imageId);
            }
            catch (DockerImageNotFoundException)
            {
                gone.Add(imageId); // Removed by someone else: nothing left to do.
            }
            catch (DockerApiException ex)
            {
                var reason = EngineErrors.Describe(ex);
                refused.Add($"{imageId}: {reason}");
                LogRefused(imageId, reason);
            }
        }

        releases.ForgetImages(gone);
        if (removed.Count == 0 && refused.Count == 0)
        {
            return;
        }

        var detail = $"removed {removed.Count} image(s) no release among the newest {keep} uses: {string.Join("; ", removed)}";
        if (refused.Count > 0)
        {
            detail += $"; the engine refused {refused.Count}: {string.Join("; ", refused)}";
        }

        journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.Pruned, Version = version, Detail = detail });
        LogPruned(version, removed.Count, refused.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "After version {Version}: {Removed} image(s) of older releases removed, {Refused} refused by the engine")]
    private partial void LogPruned(long version, int removed, int refused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The engine refused to remove image {ImageId}: {Reason}")]
    private partial void LogRefused(string imageId, string reason);
}
