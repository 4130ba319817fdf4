namespace Fleet.Protocol.Api;

/// <summary>An enrollment token. <see cref="Token"/> is only filled in the answer that created it.</summary>
public sealed record TokenInfo
{
    public required string Id { get; init; }

    public string? Token { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public required int Uses { get; init; }

    public required int UsesLeft { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }
}
