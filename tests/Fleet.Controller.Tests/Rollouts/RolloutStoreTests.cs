using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutStoreTests : IDisposable
{
    private static readonly IReadOnlyList<string> NoPlan = [];
    private static readonly IReadOnlyList<RolloutWave> NoWaves = [];
    private static readonly IReadOnlyList<RolloutDevice> NoDevices = [];
    private readonly TempDatabase _db = new();
    private readonly RolloutWorld _world = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Save_ThenLoadAfterReopeningTheFile_GivesBackEveryField()
    {
        var rollout = RichRollout();
        new RolloutStore(_db.Database).Save(rollout);

        var loaded = new RolloutStore(_db.Reopen()).LoadAll();

        AssertSame(rollout, Assert.Single(loaded));
    }

    [Fact]
    public void Save_WithThePreviousState_StoresTheChangedDevicesAndKeepsTheOthers()
    {
        var store = new RolloutStore(_db.Database);
        _world.Fleet.AddMany(5);
        var created = _world.Create(RolloutWorld.Request("2,100%"));
        store.Save(created);
        var started = RolloutMachine.Evaluate(created, _world.Inputs);
        store.Save(started, created);
        var published = _world.Publish(started);
        store.Save(published, started);

        var loaded = Assert.Single(new RolloutStore(_db.Reopen()).LoadAll());

        AssertSame(published, loaded);
        Assert.Equal(2, loaded.Devices.Count(d => d.Version is not null));
    }

    [Fact]
    public void Save_OfAManyChunkRollout_WithOneDeviceChanged_LoadsBackEveryDeviceInOrder()
    {
        var store = new RolloutStore(_db.Database);
        _world.Fleet.AddMany(1300);
        var started = RolloutMachine.Evaluate(_world.Create(RolloutWorld.Request("700,100%")), _world.Inputs);
        store.Save(started);
        var published = _world.Publish(started);
        store.Save(published, started);
        var devices = published.Devices.ToArray();
        devices[600] = devices[600] with { Version = 4242 };
        var changed = published with { Devices = devices };
        store.Save(changed, published);

        var loaded = Assert.Single(new RolloutStore(_db.Reopen()).LoadAll());

        AssertSame(changed, loaded);
        Assert.Equal(4242, loaded.Devices[600].Version);
    }

    [Fact]
    public void LoadAll_GivesRolloutsInTheOrderTheyWereCreated()
    {
        var store = new RolloutStore(_db.Database);
        var first = _world.Create(RolloutWorld.Request());
        foreach (var sequence in new[] { 3L, 1L, 2L })
        {
            store.Save(first with { Id = "r" + sequence, Sequence = sequence });
        }

        Assert.Equal(["r1", "r2", "r3"], store.LoadAll().Select(r => r.Id));
    }

    private Rollout RichRollout()
    {
        _world.Fleet.AddMany(4);
        _world.Preassign("dev-00000", "web", 1);
        var rollout = _world.Step(_world.Create(new RolloutRequest
        {
            Stack = "web",
            Target = "",
            Waves = ["1", "50%", "100%"],
            MaxFailures = "25%",
            WaveTimeoutSeconds = 90,
            HealthWindowSeconds = 45,
            OverrideLocks = true,
        }));
        _world.Report(rollout, "dev-00000", DeploymentPhases.Failed);
        rollout = _world.Step(rollout);
        Assert.Equal(RolloutStates.Paused, rollout.State);
        rollout = RolloutMachine.Resume(rollout, _world.Inputs).Rollout!;
        rollout = RolloutMachine.Evaluate(rollout, _world.Inputs);
        Assert.Contains(rollout.Devices, d => d.Pending is { Before: null, Target: 2 });
        Assert.Contains(rollout.Devices, d => d is { Previous: 1, Version: not null });
        Assert.Contains(rollout.Devices, d => !d.Reached);
        return rollout with { Reason = "why", HealthWindow = TimeSpan.FromSeconds(45) };
    }

    private static void AssertSame(Rollout expected, Rollout actual)
    {
        Assert.Equal(
            expected with { WavePlan = NoPlan, Waves = NoWaves, Devices = NoDevices },
            actual with { WavePlan = NoPlan, Waves = NoWaves, Devices = NoDevices });
        Assert.Equal(expected.WavePlan, actual.WavePlan);
        Assert.Equal(expected.Waves, actual.Waves);
        Assert.Equal(expected.Devices, actual.Devices);
    }
}
