using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Updates;

/// <summary>
/// The phases of an update as a pure function of what the database holds, so that an agent that
/// restarts takes exactly the step a running one would have taken: the phase is written before its
/// work starts, and the work of every phase can be done again.
/// </summary>
public static class UpdatePhaseMachine
{
    /// <summary>
    /// The update to go on with for <paramref name="desiredVersion"/>: the stored one when it is for that
    /// version, else a new one (in <c>stored</c>, or <c>committed</c> when that version is the last committed release).
    /// </summary>
    public static UpdateRecord Start(UpdateRecord? stored, long desiredVersion, long? committedVersion, DateTimeOffset now) =>
        stored is not null && stored.Version == desiredVersion
            ? stored
            : new UpdateRecord
            {
                Version = desiredVersion,
                Phase = committedVersion == desiredVersion ? DeploymentPhases.Committed : DeploymentPhases.Stored,
                Since = now,
            };

    /// <param name="retryAt">When a failed download or rollback is due again; null (e.g. after a restart): at once.</param>
    public static UpdateStep Next(UpdateRecord update, DateTimeOffset now, DateTimeOffset? retryAt)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.Phase switch
        {
            DeploymentPhases.Committed or DeploymentPhases.RolledBack => UpdateStep.RepairCommitted,
            DeploymentPhases.Failed when update.RetryPhase is not null && now >= (retryAt ?? DateTimeOffset.MinValue) => UpdateStep.Retry,
            DeploymentPhases.Failed when update.RetryPhase == DeploymentPhases.RollingBack => UpdateStep.WaitForRetry,
            // A download that failed never stopped the old release.
            DeploymentPhases.Failed when update.RetryPhase == DeploymentPhases.Downloading => UpdateStep.RepairCommitted,
            DeploymentPhases.Failed => UpdateStep.RepairDesired,
            DeploymentPhases.Applying or DeploymentPhases.WaitingForLock => UpdateStep.Apply,
            DeploymentPhases.Verifying => UpdateStep.Verify,
            DeploymentPhases.RollingBack => UpdateStep.RollBack,
            _ => UpdateStep.Download, // received, verified, stored, downloading
        };
    }
}
