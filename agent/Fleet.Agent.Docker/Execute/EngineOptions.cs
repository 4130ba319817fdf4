using System.Collections.Immutable;
using Fleet.Agent.Docker.Images;
using Fleet.Reconcile.Planning;

namespace Fleet.Agent.Docker.Execute;

/// <summary>How an apply waits, whom it tells, and which logins it pulls with. Tests shorten the waits.</summary>
public sealed record EngineOptions
{
    /// <summary>How long <c>service_healthy</c> waits for a dependency's healthcheck to pass.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long <c>service_completed_successfully</c> waits for a dependency to exit.</summary>
    public TimeSpan CompletionTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Grace before a stop kills, for services without <c>stop_grace_period</c> (docker compose's 10 s).</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often waits look at the engine again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Registry logins by registry host (see <see cref="ImagePuller.MergeCredentials"/>).</summary>
    public ImmutableDictionary<string, RegistryCredentials> Credentials { get; init; } = ImmutableDictionary<string, RegistryCredentials>.Empty;

    /// <summary>Called with each layer's progress while images download.</summary>
    public Action<PullProgress>? PullProgress { get; init; }

    /// <summary>Called as each step ends (succeeded, failed or skipped).</summary>
    public Action<StepOutcome>? StepCompleted { get; init; }

    public static EngineOptions Default { get; } = new();
}
