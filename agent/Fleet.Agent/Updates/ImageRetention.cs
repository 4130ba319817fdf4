using Fleet.Agent.Storage;

namespace Fleet.Agent.Updates;

/// <summary>
/// Which images go after a commit. Only images some Fleet release ran or pulled are candidates (an image
/// pulled by hand is never Fleet's to remove); of those, every image ID a release among the newest
/// <c>keep</c> ran stays (by ID: a tag moved since changes nothing), and so does any image a container
/// uses, Fleet's or not.
/// </summary>
public static class ImageRetention
{
    /// <param name="committed">The committed releases kept, oldest first.</param>
    /// <param name="keep">Releases whose images stay; 0 removes nothing at all.</param>
    public static IReadOnlyList<string> Prunable(
        IReadOnlyCollection<string> fleetImages, IReadOnlyList<Release> committed, int keep, IReadOnlySet<string> usedByContainers)
    {
        ArgumentNullException.ThrowIfNull(fleetImages);
        ArgumentNullException.ThrowIfNull(committed);
        ArgumentNullException.ThrowIfNull(usedByContainers);
        if (keep <= 0 || committed.Count == 0)
        {
            return [];
        }

        var kept = committed.TakeLast(keep).SelectMany(r => r.Stacks).SelectMany(s => s.ImageIds.Values).ToHashSet(StringComparer.Ordinal);
        return [.. fleetImages.Where(id => !kept.Contains(id) && !usedByContainers.Contains(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
