using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Rollouts;

/// <summary>A wave's devices counted by <see cref="DevicePhase"/>, built in one pass over a rollout's devices.</summary>
public sealed class WaveTally
{
    private readonly int[] _counts = new int[Enum.GetValues<DevicePhase>().Length];

    public int Size { get; private set; }

    public int this[DevicePhase phase] => _counts[(int)phase];

    public int Failures => this[DevicePhase.Failed] + this[DevicePhase.RolledBack];

    /// <summary>Devices whose update has not ended: neither committed, failed nor rolled back.</summary>
    public int Unfinished => Size - this[DevicePhase.Committed] - Failures;

    /// <summary>Unfinished devices that are online, so still expected to finish.</summary>
    public int Updating => Unfinished - this[DevicePhase.Offline];

    public void Add(DevicePhase phase)
    {
        _counts[(int)phase]++;
        Size++;
    }

    public PhaseCounts ToCounts() => new()
    {
        Pending = this[DevicePhase.Pending],
        Downloading = this[DevicePhase.Downloading],
        Applying = this[DevicePhase.Applying],
        Verifying = this[DevicePhase.Verifying],
        Committed = this[DevicePhase.Committed],
        Failed = this[DevicePhase.Failed],
        RolledBack = this[DevicePhase.RolledBack],
        Offline = this[DevicePhase.Offline],
    };

    /// <summary>One tally per wave of <paramref name="rollout"/>, each device classified against what it was last assigned.</summary>
    public static WaveTally[] Count(Rollout rollout, Func<string, DeviceView?> device)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(device);
        var tallies = new WaveTally[rollout.Waves.Count];
        for (var i = 0; i < tallies.Length; i++)
        {
            tallies[i] = new WaveTally();
        }

        foreach (var target in rollout.Devices)
        {
            tallies[target.Wave - 1].Add(Classify(target, device(target.Id)));
        }

        return tallies;
    }

    /// <summary>
    /// How a device stands against the desired-state version it was last assigned: once its status names that
    /// version (or a later one) its phase counts, an ended update whether it is online or not; otherwise
    /// offline, or pending.
    /// </summary>
    public static DevicePhase Classify(RolloutDevice target, DeviceView? view)
    {
        ArgumentNullException.ThrowIfNull(target);
        var reported = target.Version is { } version && view?.DesiredVersion >= version;
        if (reported)
        {
            switch (view!.Phase)
            {
                case DeploymentPhases.Committed when view.AppliedVersion >= target.Version:
                    return DevicePhase.Committed;
                case DeploymentPhases.Failed or DeploymentPhases.Rejected:
                    return DevicePhase.Failed;
                case DeploymentPhases.RolledBack or DeploymentPhases.RollingBack:
                    return DevicePhase.RolledBack;
            }
        }

        if (view is not { Online: true })
        {
            return DevicePhase.Offline;
        }

        return !reported ? DevicePhase.Pending : view!.Phase switch
        {
            DeploymentPhases.Downloading => DevicePhase.Downloading,
            DeploymentPhases.Applying => DevicePhase.Applying,
            DeploymentPhases.Verifying => DevicePhase.Verifying,
            _ => DevicePhase.Pending,
        };
    }
}
