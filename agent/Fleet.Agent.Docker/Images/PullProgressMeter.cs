using System.Globalization;

namespace Fleet.Agent.Docker.Images;

/// <summary>
/// Sums the engine's per-layer pull reports of one image into one line (bytes downloaded of the
/// bytes known, layers done), at most once per interval: a pull sends hundreds of reports, and
/// each line becomes a journaled event that must survive an offline spell.
/// </summary>
public sealed class PullProgressMeter(TimeProvider timeProvider, TimeSpan interval)
{
    private readonly Dictionary<string, Layer> _layers = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastReport;

    /// <summary>Takes one report; returns the summary line when one is due, else null.</summary>
    public string? Observe(PullProgress progress)
    {
        if (progress.Layer.Length == 0 || !TryTrack(progress))
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        if (_lastReport is { } last && now - last < interval)
        {
            return null;
        }

        _lastReport = now;
        return Summary();
    }

    /// <summary>The current totals as one line, e.g. "3.1 of 12.0 MB downloaded (26%), 1 of 4 layers done".</summary>
    public string Summary()
    {
        var done = _layers.Values.Count(l => l.Done);
        var downloaded = _layers.Values.Sum(l => l.Downloaded);
        var total = _layers.Values.Sum(l => l.Size);
        var bytes = total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Megabytes(downloaded):0.0} of {Megabytes(total):0.0} MB downloaded ({100 * downloaded / total}%)")
            : string.Create(CultureInfo.InvariantCulture, $"{Megabytes(downloaded):0.0} MB downloaded");
        return string.Create(CultureInfo.InvariantCulture, $"{bytes}, {done} of {_layers.Count} layers done");
    }

    private static double Megabytes(long bytes) => bytes / (1024.0 * 1024.0);

    /// <summary>Updates the layer's state from a report; false for image-wide messages that carry a layer-like id.</summary>
    private bool TryTrack(PullProgress progress)
    {
        if (!_layers.TryGetValue(progress.Layer, out var layer))
        {
            layer = new Layer();
        }

        switch (progress.Status)
        {
            case "Pulling fs layer" or "Waiting":
                break;
            case "Downloading":
                layer.Downloaded = Math.Max(layer.Downloaded, progress.Current ?? 0);
                layer.Size = Math.Max(layer.Size, progress.Total ?? 0);
                break;
            case "Verifying Checksum" or "Download complete" or "Extracting":
                layer.Downloaded = layer.Size = Math.Max(layer.Size, Math.Max(layer.Downloaded, progress.Status == "Extracting" ? progress.Total ?? 0 : 0));
                break;
            case "Pull complete" or "Already exists":
                layer.Downloaded = layer.Size;
                layer.Done = true;
                break;
            default:
                // "Pulling from library/x" names the tag as its id; digests and the final status are not layers.
                return false;
        }

        _layers[progress.Layer] = layer;
        return true;
    }

    private sealed class Layer
    {
        public long Downloaded { get; set; }

        public long Size { get; set; }

        public bool Done { get; set; }
    }
}
