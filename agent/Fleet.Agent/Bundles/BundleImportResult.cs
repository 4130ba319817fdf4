namespace Fleet.Agent.Bundles;

/// <summary>What became of one bundle; <see cref="Message"/> is the one line for the console.</summary>
public sealed record BundleImportResult
{
    /// <summary>The code of a refusal that is not the bundle's fault: the engine did not answer; try the same file again later.</summary>
    public const string EngineUnavailable = "engine-unavailable";

    public required BundleImportOutcome Outcome { get; init; }

    /// <summary>The bundle's desired-state version, when the import got far enough to know it.</summary>
    public long? Version { get; init; }

    /// <summary>For a refusal: a <c>RefusalReason</c> code or one of the bundle's own (<c>bundle-unreadable</c>, <c>image-digest</c>, <c>image-load</c>, <c>image-id</c>).</summary>
    public string? Code { get; init; }

    public required string Message { get; init; }

    public bool IsRetryable => Code == EngineUnavailable;
}
