using System.Globalization;
using Fleet.Protocol.Api;

namespace Fleet.Controller.Rollouts;

/// <summary>
/// The rollout state machine, pure: each function takes a rollout and what was observed and answers the
/// next rollout. Assignments it decides appear as <see cref="RolloutDevice.Pending"/>; the caller stores
/// the rollout, publishes them, and reports back with <see cref="Confirm"/>.
/// </summary>
public static class RolloutMachine
{
    public const string PausedByOperator = "paused by operator";
    public const string AbortedByOperator = "aborted by operator";
    public const string RolledBackByOperator = "rolled back by operator";

    /// <summary>
    /// A new running rollout over <paramref name="targets"/>, online devices first (so an offline device
    /// is not the first wave's canary), then by id; nothing assigned yet.
    /// </summary>
    public static Rollout Create(
        string id,
        long sequence,
        RolloutSpec spec,
        StackVersionInfo stack,
        IReadOnlyList<DeviceView> targets,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(targets);
        var ordered = targets
            .OrderBy(d => d.Online ? 0 : 1)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        var sizes = RolloutSpec.CumulativeSizes(spec.Waves, ordered.Count);
        var devices = new RolloutDevice[ordered.Count];
        var wave = 0;
        for (var i = 0; i < devices.Length; i++)
        {
            while (i >= sizes[wave])
            {
                wave++;
            }

            devices[i] = new RolloutDevice(ordered[i].Id, wave + 1);
        }

        return new Rollout
        {
            Id = id,
            Sequence = sequence,
            Stack = stack.Name,
            Version = stack.Version,
            Digest = stack.Digest,
            Target = spec.Selector.ToString(),
            WavePlan = spec.Waves.Select(w => w.ToString()).ToList(),
            MaxFailures = spec.MaxFailures.ToString(),
            WaveTimeout = spec.WaveTimeout,
            HealthWindow = spec.HealthWindow,
            OverrideLocks = spec.OverrideLocks,
            State = RolloutStates.Running,
            CreatedAt = now,
            UpdatedAt = now,
            Waves = Enumerable.Range(1, spec.Waves.Count)
                .Select(n => new RolloutWave(n, WaveStates.Pending, null, null, 0))
                .ToList(),
            Devices = devices,
        };
    }

    /// <summary>
    /// One step of a running rollout: starts the first wave; pauses when a started wave's failures cross the
    /// threshold, or when the current wave's time limit passed with online devices still updating; otherwise
    /// completes the current wave once none of its devices is updating (offline ones stop blocking it at its
    /// time limit) and starts the next, or completes the rollout after the last.
    /// </summary>
    public static Rollout Evaluate(Rollout rollout, RolloutInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(inputs);
        if (rollout.State != RolloutStates.Running)
        {
            return rollout;
        }

        var limit = CountOrPercent.Parse(rollout.MaxFailures);
        var current = rollout;
        while (true)
        {
            var active = ActiveWave(current);
            if (active < 0)
            {
                current = StartWave(current, 0, inputs);
                continue;
            }

            var tallies = WaveTally.Count(current, inputs.Device);
            for (var k = 0; k <= active; k++)
            {
                var allowed = limit.AtMost(tallies[k].Size);
                if (tallies[k].Failures > Math.Max(allowed, current.Waves[k].FailuresAccepted))
                {
                    var reason = $"wave {k + 1}: {tallies[k].Failures} of {tallies[k].Size} devices failed (max {allowed})";
                    return WithWave(current, k, current.Waves[k] with { State = WaveStates.Failed }) with
                    {
                        State = RolloutStates.Paused,
                        Reason = reason,
                        UpdatedAt = inputs.Now,
                    };
                }
            }

            var wave = current.Waves[active];
            var tally = tallies[active];
            var pastDeadline = inputs.Now >= wave.Deadline;
            if (tally.Updating == 0 && (tally.Unfinished == 0 || pastDeadline))
            {
                current = WithWave(current, active, wave with { State = WaveStates.Completed }) with { UpdatedAt = inputs.Now };
                if (active == current.Waves.Count - 1)
                {
                    return current with { State = RolloutStates.Completed, Reason = null };
                }

                current = StartWave(current, active + 1, inputs);
                continue;
            }

            if (pastDeadline)
            {
                var seconds = ((long)current.WaveTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return current with
                {
                    State = RolloutStates.Paused,
                    Reason = $"wave {active + 1}: {tally.Updating} of {tally.Size} devices still updating after {seconds} s",
                    UpdatedAt = inputs.Now,
                };
            }

            return current;
        }
    }

    public static RolloutChange Pause(Rollout rollout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return rollout.State != RolloutStates.Running
            ? RolloutChange.Refused($"rollout {rollout.Id} is {rollout.State}; only a running rollout can be paused")
            : RolloutChange.Done(rollout with { State = RolloutStates.Paused, Reason = PausedByOperator, UpdatedAt = now });
    }

    /// <summary>
    /// Running again. The failures seen so far are accepted (only new ones count against the threshold)
    /// and the current wave gets a fresh time limit; <see cref="Evaluate"/> then goes on.
    /// </summary>
    public static RolloutChange Resume(Rollout rollout, RolloutInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(inputs);
        if (rollout.State != RolloutStates.Paused)
        {
            return RolloutChange.Refused($"rollout {rollout.Id} is {rollout.State}; only a paused rollout can be resumed");
        }

        var active = ActiveWave(rollout);
        var tallies = WaveTally.Count(rollout, inputs.Device);
        var waves = rollout.Waves
            .Select((wave, k) => k > active ? wave : wave with
            {
                State = k == active ? WaveStates.Running : WaveStates.Completed,
                Deadline = k == active ? inputs.Now + rollout.WaveTimeout : wave.Deadline,
                FailuresAccepted = Math.Max(wave.FailuresAccepted, tallies[k].Failures),
            })
            .ToList();
        return RolloutChange.Done(rollout with
        {
            State = RolloutStates.Running,
            Reason = null,
            UpdatedAt = inputs.Now,
            Waves = waves,
        });
    }

    /// <summary>No further waves; devices keep what they got.</summary>
    public static RolloutChange Abort(Rollout rollout, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return RolloutStates.IsFinal(rollout.State)
            ? RolloutChange.Refused($"rollout {rollout.Id} is {rollout.State} already")
            : RolloutChange.Done(rollout with { State = RolloutStates.Aborted, Reason = AbortedByOperator, UpdatedAt = now });
    }

    /// <summary>
    /// Every device the rollout reached is assigned the stack version it had before (or none); its progress
    /// from then on counts against that assignment.
    /// </summary>
    public static RolloutChange Rollback(Rollout rollout, RolloutInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(inputs);
        if (rollout.State == RolloutStates.RolledBack)
        {
            return RolloutChange.Refused($"rollout {rollout.Id} is {rollout.State} already");
        }

        var devices = rollout.Devices
            .Select(d => d.Reached ? Assign(rollout, d, d.Previous, inputs) : d)
            .ToArray();
        return RolloutChange.Done(rollout with
        {
            State = RolloutStates.RolledBack,
            Reason = RolledBackByOperator,
            UpdatedAt = inputs.Now,
            Devices = devices,
        });
    }

    /// <summary>Whether devices that match the target after the rollout started get the stack: when completed, or in its last wave.</summary>
    public static bool TakesNewDevices(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return rollout.State == RolloutStates.Completed ||
               (rollout.State == RolloutStates.Running && rollout.Waves[^1].StartedAt is not null);
    }

    /// <summary>Appends devices that match the target now (the caller checks they are new to it) to the last wave and assigns them the stack.</summary>
    public static Rollout Join(Rollout rollout, IReadOnlyCollection<string> deviceIds, RolloutInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(deviceIds);
        ArgumentNullException.ThrowIfNull(inputs);
        if (deviceIds.Count == 0)
        {
            return rollout;
        }

        var last = rollout.Waves.Count;
        var devices = new List<RolloutDevice>(rollout.Devices.Count + deviceIds.Count);
        devices.AddRange(rollout.Devices);
        devices.AddRange(deviceIds.Select(id => Assign(rollout, new RolloutDevice(id, last), rollout.Version, inputs)));
        return rollout with { Devices = devices, UpdatedAt = inputs.Now };
    }

    /// <summary>Records that pending assignments were published; other devices are untouched.</summary>
    public static Rollout Confirm(Rollout rollout, IReadOnlyCollection<Confirmation> confirmations)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(confirmations);
        if (confirmations.Count == 0)
        {
            return rollout;
        }

        var devices = rollout.Devices.ToArray();
        foreach (var confirmation in confirmations)
        {
            devices[confirmation.Index] = devices[confirmation.Index] with { Pending = null, Version = confirmation.Version };
        }

        return rollout with { Devices = devices };
    }

    /// <summary>
    /// The rollout as the REST API shows it, with each wave's devices counted by phase, and listed unless
    /// <paramref name="withDevices"/> is false (what a progress view polls: a wave of 10,000 lists 10,000 ids).
    /// </summary>
    public static RolloutInfo Describe(Rollout rollout, Func<string, DeviceView?> device, bool withDevices = true)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var tallies = WaveTally.Count(rollout, device);
        var members = rollout.Waves.Select(_ => new List<string>()).ToArray();
        foreach (var target in withDevices ? rollout.Devices : [])
        {
            members[target.Wave - 1].Add(target.Id);
        }

        return new RolloutInfo
        {
            Id = rollout.Id,
            Stack = rollout.Stack,
            Version = rollout.Version,
            Digest = rollout.Digest,
            Target = rollout.Target,
            State = rollout.State,
            Reason = rollout.Reason,
            CreatedAt = rollout.CreatedAt,
            UpdatedAt = rollout.UpdatedAt,
            WavePlan = rollout.WavePlan,
            MaxFailures = rollout.MaxFailures,
            WaveTimeoutSeconds = (long)rollout.WaveTimeout.TotalSeconds,
            OverrideLocks = rollout.OverrideLocks,
            Waves = rollout.Waves
                .Select((wave, k) => new WaveInfo
                {
                    Number = wave.Number,
                    State = wave.State,
                    StartedAt = wave.StartedAt,
                    Counts = tallies[k].ToCounts(),
                    Devices = members[k],
                })
                .ToList(),
        };
    }

    /// <summary>Index of the last started wave, or -1 before the first.</summary>
    public static int ActiveWave(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        for (var k = rollout.Waves.Count - 1; k >= 0; k--)
        {
            if (rollout.Waves[k].StartedAt is not null)
            {
                return k;
            }
        }

        return -1;
    }

    private static Rollout StartWave(Rollout rollout, int index, RolloutInputs inputs)
    {
        var number = index + 1;
        var devices = rollout.Devices
            .Select(d => d.Wave == number && !d.Reached ? Assign(rollout, d, rollout.Version, inputs) : d)
            .ToArray();
        var wave = rollout.Waves[index] with
        {
            State = WaveStates.Running,
            StartedAt = inputs.Now,
            Deadline = inputs.Now + rollout.WaveTimeout,
        };
        return WithWave(rollout, index, wave) with { Devices = devices, UpdatedAt = inputs.Now };
    }

    private static RolloutDevice Assign(Rollout rollout, RolloutDevice device, int? target, RolloutInputs inputs)
    {
        var before = inputs.AssignedVersion(device.Id, rollout.Stack);
        var baseline = inputs.Device(device.Id)?.DesiredVersion;
        return device with
        {
            Reached = true,
            Previous = device.Reached ? device.Previous : before,
            Pending = new PendingAssignment(target, before, Math.Max(baseline ?? 0, inputs.VersionFloor), baseline),
            Version = null,
        };
    }

    private static Rollout WithWave(Rollout rollout, int index, RolloutWave wave)
    {
        var waves = rollout.Waves.ToArray();
        waves[index] = wave;
        return rollout with { Waves = waves };
    }
}
