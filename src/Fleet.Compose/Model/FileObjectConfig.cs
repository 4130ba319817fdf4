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

    /// <summary>
    /// The value of the <see cref="Environment"/> variable when the stack was loaded (the environment, then .env,
    /// then the caller's variables), or null when it is unset. Left out of the canonical form and the digest: it is
    /// usually a secret, and a stack's identity is its text.
    /// </summary>
    public string? EnvironmentValue { get; init; }

    /// <summary>Inline content.</summary>
    public string? Content { get; init; }

    public bool External { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ComposeCollections.EmptyMap<string>();
}
