namespace Fleet.Protocol.Messages;

/// <summary>An expected failure as data: a stable kebab-case code, a one-line message, and where.</summary>
public sealed record ErrorDetail
{
    public required string Code { get; init; }

    public required string Message { get; init; }

    public string? Stack { get; init; }

    public string? Service { get; init; }
}
