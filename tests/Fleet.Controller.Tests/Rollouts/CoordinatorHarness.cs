using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Controller.Tests.Rollouts;

/// <summary>A coordinator over fakes and a database file that survives <see cref="Restart"/>.</summary>
public sealed class CoordinatorHarness : IDisposable
{
    private readonly TempDatabase _db = new();

    public CoordinatorHarness() => Coordinator = Open();

    public FakeFleetView Fleet { get; } = new();

    public FakeDesiredStatePublisher Publisher { get; } = new();

    public FakeStackCatalog Catalog { get; } = new();

    public FakeTimeProvider Time { get; } = new(RolloutWorld.Start);

    public RolloutOptions Options { get; } = new() { PublishConcurrency = 4, ChangeDelay = TimeSpan.Zero };

    public RolloutCoordinator Coordinator { get; private set; }

    /// <summary>As a controller killed and started again: a new coordinator over the same file, the fleet and broker unchanged.</summary>
    public RolloutCoordinator Restart()
    {
        Coordinator.Dispose();
        _db.Reopen();
        Coordinator = Open();
        return Coordinator;
    }

    public async Task<RolloutInfo> CreateAsync(string waves = "100%", string target = "", int? version = null, string maxFailures = "0")
    {
        var result = await Coordinator.CreateAsync(
            new RolloutRequest { Stack = "web", Version = version, Target = target, Waves = waves.Split(','), MaxFailures = maxFailures },
            CancellationToken.None);
        Assert.True(result.Rollout is not null, result.Error?.Message);
        Assert.Equal(201, result.Status);

        // What RolloutService does as soon as a rollout is created: a round that publishes its first wave.
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        return result.Rollout;
    }

    /// <summary>Every device that was published to reports committed for the last version it got.</summary>
    public void CommitAllPublished()
    {
        foreach (var device in Publisher.Published.Select(p => p.Device).Distinct())
        {
            Fleet.Report(device, DeploymentPhases.Committed, Publisher.LastVersion(device));
        }
    }

    public void Dispose()
    {
        Coordinator.Dispose();
        _db.Dispose();
    }

    private RolloutCoordinator Open() => new(
        new RolloutStore(_db.Database),
        Fleet,
        Publisher,
        Catalog,
        Time,
        Microsoft.Extensions.Options.Options.Create(Options),
        NullLogger<RolloutCoordinator>.Instance);
}
