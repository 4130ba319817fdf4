namespace Fleet.Protocol.Api;

/// <summary><c>POST /api/v1/tokens</c>: an enrollment token for devices.</summary>
public sealed record TokenCreateRequest
{
    /// <summary>Labels every device enrolled with the token gets.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>How many enrollments the token allows.</summary>
    public int Uses { get; set; } = 1;

    /// <summary>Lifetime from now; null: the controller's default (24 h).</summary>
    public long? ExpiresInSeconds { get; init; }
}
