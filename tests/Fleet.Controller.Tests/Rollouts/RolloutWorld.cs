using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>
/// A world for the pure state machine: a fleet, a clock, and the coordinator's part played by hand
/// (publishing pending assignments synchronously and confirming them).
/// </summary>
public sealed class RolloutWorld
{
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<(string Device, string Stack), int?> _assigned = [];
    private long _version = 100;

    public FakeFleetView Fleet { get; } = new();

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>How many times each device was published to.</summary>
    public Dictionary<string, int> Publishes { get; } = new(StringComparer.Ordinal);

    public RolloutInputs Inputs => new(Time.GetUtcNow(), Fleet.Device, Assigned, _version);

    public int? Assigned(string device, string stack) => _assigned.GetValueOrDefault((device, stack));

    public void Preassign(string device, string stack, int version) => _assigned[(device, stack)] = version;

    public Rollout Create(RolloutRequest request, int stackVersion = 2)
    {
        var spec = RolloutSpec.Validate(request);
        Assert.True(spec.Succeeded, spec.Error);
        var stack = new StackVersionInfo { Name = request.Stack, Version = stackVersion, Digest = "sha256:abc", CreatedAt = Start };
        return RolloutMachine.Create("r1", 1, spec.Value, stack, Fleet.Devices(spec.Value.Selector), Time.GetUtcNow());
    }

    public static RolloutRequest Request(string waves = "100%", string maxFailures = "0", long timeoutSeconds = 60) => new()
    {
        Stack = "web",
        Waves = waves.Split(','),
        MaxFailures = maxFailures,
        WaveTimeoutSeconds = timeoutSeconds,
    };

    public Rollout Step(Rollout rollout) => Publish(RolloutMachine.Evaluate(rollout, Inputs));

    /// <summary>What the coordinator does with pending assignments: publish unless already assigned, then confirm.</summary>
    public Rollout Publish(Rollout rollout)
    {
        var confirmations = new List<Confirmation>();
        for (var i = 0; i < rollout.Devices.Count; i++)
        {
            var device = rollout.Devices[i];
            if (device.Pending is not { } pending)
            {
                continue;
            }

            var version = pending.VersionWithoutPublishing(Assigned(device.Id, rollout.Stack));
            if (version is null)
            {
                version = ++_version;
                _assigned[(device.Id, rollout.Stack)] = pending.Target;
                Publishes[device.Id] = Publishes.GetValueOrDefault(device.Id) + 1;
            }

            confirmations.Add(new Confirmation(i, version.Value));
        }

        return RolloutMachine.Confirm(rollout, confirmations);
    }

    public void Report(Rollout rollout, string id, string phase) =>
        Fleet.Report(id, phase, rollout.Devices.Single(d => d.Id == id).Version ?? throw new InvalidOperationException($"{id} not assigned"));

    public void CommitWave(Rollout rollout, int wave)
    {
        foreach (var device in rollout.Devices.Where(d => d.Wave == wave))
        {
            Report(rollout, device.Id, DeploymentPhases.Committed);
        }
    }

    public static IReadOnlyList<string> Reached(Rollout rollout) =>
        rollout.Devices.Where(d => d.Reached).Select(d => d.Id).ToList();

    public static IReadOnlyList<string> WaveStates(Rollout rollout) => rollout.Waves.Select(w => w.State).ToList();
}
