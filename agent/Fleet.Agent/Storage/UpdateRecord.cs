using Fleet.Protocol.Messages;

namespace Fleet.Agent.Storage;

/// <summary>
/// Where the update to one desired-state version stands, written before each step so that an agent
/// that restarts (also after kill -9 or a power cut) resumes it: a download or an apply is run again
/// (both are idempotent), a health window goes on from when it started, a rollback is tried again.
/// </summary>
public sealed record UpdateRecord
{
    public required long Version { get; init; }

    /// <summary>One of <see cref="DeploymentPhases"/>.</summary>
    public required string Phase { get; init; }

    /// <summary>When the current phase began.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>When the health window began; kept so a restart does not start it again.</summary>
    public DateTimeOffset? VerifyStartedAt { get; init; }

    /// <summary>Each container's restart count when the health window began, by container id: a count that grows is a crash loop.</summary>
    public IReadOnlyDictionary<string, long> RestartBaselines { get; init; } = new Dictionary<string, long>();

    /// <summary>Why the update failed (download, apply or health), or null.</summary>
    public ErrorDetail? Error { get; init; }

    /// <summary>Why the rollback after it failed too, or null.</summary>
    public ErrorDetail? RollbackError { get; init; }

    /// <summary>The phase a failed update is tried again from (downloading or rolling-back), or null when nothing is retried.</summary>
    public string? RetryPhase { get; init; }

    /// <summary>Failed attempts of <see cref="RetryPhase"/> so far: the backoff grows with them.</summary>
    public int Attempts { get; init; }
}
