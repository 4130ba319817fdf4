using System.Diagnostics;
using Fleet.Controller.Rollouts;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutServiceTests : IAsyncLifetime
{
    private readonly CoordinatorHarness _h = new();
    private RolloutService? _service;

    public async Task InitializeAsync()
    {
        _service = new RolloutService(_h.Coordinator, _h.Fleet, _h.Time, Options.Create(_h.Options), NullLogger<RolloutService>.Instance);
        await _service.StartAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _service!.StopAsync(CancellationToken.None);
        _service.Dispose();
        _h.Dispose();
    }

    [Fact]
    public async Task ADeviceChange_StartsTheNextWaveWithoutWaitingForTheTimer()
    {
        _h.Fleet.AddMany(3);
        await _h.CreateAsync("1,100%");

        _h.Fleet.Report("dev-00000", DeploymentPhases.Committed, _h.Publisher.LastVersion("dev-00000"));

        await WaitUntil(() => _h.Publisher.Published.Count == 3);
        Assert.Equal(RolloutWorld.Start, _h.Time.GetUtcNow());
    }

    [Fact]
    public async Task TheTimer_GivesTheStackToDevicesThatNewlyMatchWithoutAnyChangeEvent()
    {
        await _h.CreateAsync();
        Assert.Equal("completed", _h.Coordinator.Find("r1")!.State);
        _h.Fleet.AddMany(1, raiseChanged: false);

        _h.Time.Advance(_h.Options.EvaluationInterval);

        await WaitUntil(() => _h.Publisher.Published.Count == 1);
    }

    [Fact]
    public async Task TheTimer_PassesAWaveTimeLimitWithoutAnyChangeEvent()
    {
        _h.Fleet.AddMany(2);
        await _h.CreateAsync("1,100%");
        _h.Fleet.Set(_h.Fleet.Device("dev-00000")! with { Online = false }, raiseChanged: false);

        _h.Time.Advance(TimeSpan.FromSeconds(600));

        await WaitUntil(() => _h.Publisher.Published.Count == 2);
    }

    [Fact]
    public async Task ARoundThatThrows_IsLoggedAndTheNextRoundGoesOn()
    {
        _h.Fleet.AddMany(3);
        await _h.CreateAsync("1,100%");
        var version = _h.Publisher.LastVersion("dev-00000");
        _h.Fleet.FailLookups = new InvalidOperationException("store broken");

        _h.Fleet.Report("dev-00000", DeploymentPhases.Verifying, version);
        await WaitUntil(() => _h.Fleet.FailedLookups > 0);
        _h.Fleet.FailLookups = null;
        _h.Fleet.Report("dev-00000", DeploymentPhases.Committed, version);

        await WaitUntil(() => _h.Publisher.Published.Count == 3);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
