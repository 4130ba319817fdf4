using System.Collections.Immutable;

namespace Fleet.Compose.Model;

/// <summary>A top-level config or secret. Fleet supports the file-based ones (and external/environment/content as the spec allows).</summary>
public sealed record FileObjectConfig
{
    public required string Name { get; init; }

    /// <summary>Absolute path of the file on the device.</summary>
    public string? File { get; init; }

    /// <summary>Name of an environment variable whose value is the content.</summary>
    public string? Environment { get; init; }

    /// <summary>Inline content (configs only).</summary>
    public string? Content { get; init; }

    public bool External { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ComposeCollections.EmptyMap<string>();
}
