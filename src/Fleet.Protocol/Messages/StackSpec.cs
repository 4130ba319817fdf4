using System.Text.Json.Serialization;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Messages;

/// <summary>One compose stack of a desired state; it runs as the compose project <see cref="Name"/>.</summary>
public sealed record StackSpec
{
    public required string Name { get; init; }

    /// <summary>Digest of the stack's canonical compose form (from Fleet.Compose), e.g. <c>sha256:...</c>.</summary>
    public required string Digest { get; init; }

    /// <summary>The compose file, YAML text.</summary>
    public required string Compose { get; init; }

    /// <summary>Interpolation variables; written in ordinal key order so equal maps give equal bytes.</summary>
    [JsonConverter(typeof(SortedStringMapConverter))]
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>How long every service must stay healthy before the update commits; null: the agent's default (30 s).</summary>
    public TimeSpan? HealthWindow { get; init; }

    public IReadOnlyList<RegistryAuth> RegistryAuth { get; init; } = [];
}
