using System.Globalization;
using CsCheck;
using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutMachinePropertyTests
{
    private enum Outcome
    {
        Commit,
        Fail,
        RollBack,
        GoOffline,
    }

    private static readonly Gen<string[]> WavePlans =
        Gen.Select(Gen.Bool, Gen.Int[1, 99].Array[0, 3])
            .Select((canary, percents) => (canary ? new[] { "1" } : [])
                .Concat(percents.Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture) + "%"))
                .Append("100%")
                .ToArray());

    private static readonly Gen<Outcome> Outcomes = Gen.Int[0, 9].Select(n => n switch
    {
        < 7 => Outcome.Commit,
        7 => Outcome.Fail,
        8 => Outcome.RollBack,
        _ => Outcome.GoOffline,
    });

    [Fact]
    public void Evaluate_DrivenToTheEnd_KeepsWavesInOrderAndPublishesEachDeviceOnce()
    {
        Gen.Select(Gen.Int[0, 30], WavePlans, Gen.Int[0, 3], Outcomes.Array[30]).Sample(
            (count, waves, maxFailures, outcomes) =>
            {
                var world = new RolloutWorld();
                world.Fleet.AddMany(count);
                var rollout = world.Create(new RolloutRequest
                {
                    Stack = "web",
                    Waves = waves,
                    MaxFailures = maxFailures.ToString(CultureInfo.InvariantCulture),
                    WaveTimeoutSeconds = 60,
                });
                var reported = new HashSet<string>(StringComparer.Ordinal);
                for (var step = 0; step < 300 && rollout.State != RolloutStates.Completed; step++)
                {
                    rollout = world.Step(rollout);
                    AssertWavesInOrder(rollout);
                    if (rollout.State == RolloutStates.Paused)
                    {
                        Assert.Contains("failed (max", rollout.Reason, StringComparison.Ordinal);
                        rollout = RolloutMachine.Resume(rollout, world.Inputs).Rollout!;
                    }

                    foreach (var device in rollout.Devices.Where(d => d.Version is not null && reported.Add(d.Id)))
                    {
                        Act(world, rollout, device.Id, outcomes[int.Parse(device.Id[4..], CultureInfo.InvariantCulture)]);
                    }

                    world.Time.Advance(TimeSpan.FromSeconds(10));
                }

                Assert.Equal(RolloutStates.Completed, rollout.State);
                Assert.All(rollout.Devices, d => Assert.Equal(1, world.Publishes[d.Id]));
                var committed = RolloutMachine.Describe(rollout, world.Fleet.Device).Waves.Sum(w => w.Counts.Committed);
                Assert.Equal(outcomes.Take(count).Count(o => o == Outcome.Commit), committed);
            },
            iter: 300);
    }

    private static void Act(RolloutWorld world, Rollout rollout, string id, Outcome outcome)
    {
        switch (outcome)
        {
            case Outcome.Commit:
                world.Report(rollout, id, DeploymentPhases.Committed);
                break;
            case Outcome.Fail:
                world.Report(rollout, id, DeploymentPhases.Failed);
                break;
            case Outcome.RollBack:
                world.Report(rollout, id, DeploymentPhases.RolledBack);
                break;
            default:
                world.Fleet.SetOnline(id, false);
                break;
        }
    }

    private static void AssertWavesInOrder(Rollout rollout)
    {
        var active = RolloutMachine.ActiveWave(rollout);
        for (var k = 0; k < rollout.Waves.Count; k++)
        {
            var expected = k < active ? new[] { WaveStates.Completed, WaveStates.Failed }
                : k == active ? [WaveStates.Running, WaveStates.Completed, WaveStates.Failed]
                : [WaveStates.Pending];
            Assert.Contains(rollout.Waves[k].State, expected);
        }

        Assert.All(rollout.Devices, d => Assert.Equal(d.Wave <= active + 1, d.Reached));
    }
}
