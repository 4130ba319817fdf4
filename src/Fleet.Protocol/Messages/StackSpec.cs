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

    /// <summary>
    /// Null when <paramref name="name"/> can be a compose project name (<c>[a-z0-9][a-z0-9_-]{0,62}</c>),
    /// otherwise why not: the stack runs as <c>docker compose -p NAME</c>.
    /// </summary>
    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63)
        {
            return "stack name must be 1 to 63 characters";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (i > 0 && c is '_' or '-')))
            {
                return $"stack name '{name}' is not a compose project name ([a-z0-9][a-z0-9_-]*)";
            }
        }

        return null;
    }
}
