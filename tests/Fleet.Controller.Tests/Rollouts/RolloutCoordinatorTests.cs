using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutCoordinatorTests : IDisposable
{
    private readonly CoordinatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    private RolloutCoordinator Coordinator => _h.Coordinator;

    [Fact]
    public async Task Create_StoresTheRolloutAndAsksForARound_WhichPublishesTheFirstWaveWithTheRolloutAndTheHealthWindow()
    {
        _h.Fleet.AddMany(3);
        var requested = 0;
        Coordinator.PublishRequested += () => requested++;

        var result = await Coordinator.CreateAsync(
            new RolloutRequest { Stack = "web", Waves = ["1", "100%"], HealthWindowSeconds = 30 },
            CancellationToken.None);

        Assert.Equal(201, result.Status);
        Assert.Equal(("r1", 3, "sha256:web3", RolloutStates.Running), (result.Rollout!.Id, result.Rollout.Version, result.Rollout.Digest, result.Rollout.State));
        Assert.Equal(WaveStates.Running, result.Rollout.Waves[0].State);
        Assert.Empty(_h.Publisher.Published);
        Assert.Equal(1, requested);
        Assert.NotNull(Assert.Single(_h.Restart().State("r1")!.Devices, d => d.Pending is not null).Pending);

        await _h.Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        var published = Assert.Single(_h.Publisher.Published);
        Assert.Equal(("dev-00000", "web", 3), (published.Device, published.Stack, published.StackVersion));
        Assert.Equal(new RolloutRef("r1", 1), published.Rollout);
        Assert.Equal(TimeSpan.FromSeconds(30), published.HealthWindow);
    }

    [Fact]
    public async Task Create_WithOverrideLocks_PublishesDesiredStatesThatOverrideUpdateLocks()
    {
        _h.Fleet.AddMany(1);

        var result = await Coordinator.CreateAsync(new RolloutRequest { Stack = "web", OverrideLocks = true }, CancellationToken.None);
        await _h.Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.Equal(201, result.Status);
        Assert.True(result.Rollout!.OverrideLocks);
        Assert.Equal(new RolloutRef("r1", 1) { OverrideLocks = true }, Assert.Single(_h.Publisher.Published).Rollout);
    }

    [Theory]
    [InlineData("web", null, "1,50%", 400, "invalid-request", "waves: the last wave must be 100%, not '50%'")]
    [InlineData("db", null, "100%", 404, "not-found", "stack 'db' not found")]
    [InlineData("web", 9, "100%", 404, "not-found", "stack 'web' has no version 9")]
    public async Task Create_RefusesWithAnApiError(string stack, int? version, string waves, int status, string code, string message)
    {
        var result = await Coordinator.CreateAsync(
            new RolloutRequest { Stack = stack, Version = version, Waves = waves.Split(',') },
            CancellationToken.None);

        Assert.Equal(status, result.Status);
        Assert.Null(result.Rollout);
        Assert.Equal((code, message), (result.Error!.Error, result.Error.Message));
        Assert.Empty(_h.Publisher.Published);
    }

    [Fact]
    public async Task Create_WhileAnotherRolloutOfTheStackRuns_IsAConflict()
    {
        _h.Fleet.AddMany(2);
        await _h.CreateAsync("1,100%");

        var second = await Coordinator.CreateAsync(new RolloutRequest { Stack = "web" }, CancellationToken.None);

        Assert.Equal(409, second.Status);
        Assert.Equal("rollout r1 of stack 'web' is running; abort it or let it complete first", second.Error!.Message);
    }

    [Fact]
    public async Task Evaluate_MovesWaveByWaveAsDevicesCommit()
    {
        _h.Fleet.AddMany(3);
        await _h.CreateAsync("1,100%");
        _h.CommitAllPublished();

        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.Equal(3, _h.Publisher.Published.Count);
        Assert.Equal([1, 2, 2], _h.Publisher.Published.Select(p => p.Rollout!.Wave));
        _h.CommitAllPublished();
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        var info = Coordinator.Find("r1")!;
        Assert.Equal(RolloutStates.Completed, info.State);
        Assert.Equal([1, 2], info.Waves.Select(w => w.Counts.Committed));
    }

    [Fact]
    public async Task Evaluate_WhenNothingChanged_KeepsTheStateItHasSoWritesNothing()
    {
        _h.Fleet.AddMany(3);
        await _h.CreateAsync("1,100%");
        var before = Coordinator.State("r1");

        await Coordinator.EvaluateAsync(lookForNewDevices: true, CancellationToken.None);

        Assert.Same(before, Coordinator.State("r1"));
    }

    [Fact]
    public async Task Restart_InTheMiddleOfARollout_ContinuesWhereItWasWithoutPublishingAgain()
    {
        _h.Fleet.AddMany(3);
        await _h.CreateAsync("1,100%");
        _h.CommitAllPublished();

        var restarted = _h.Restart();
        Assert.Equal(WaveStates.Running, restarted.Find("r1")!.Waves[0].State);
        await restarted.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.Equal(["dev-00000", "dev-00001", "dev-00002"], _h.Publisher.Published.Select(p => p.Device).Order(StringComparer.Ordinal));
        _h.CommitAllPublished();
        await restarted.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        Assert.Equal(RolloutStates.Completed, restarted.Find("r1")!.State);
    }

    [Fact]
    public async Task Restart_AfterAPublishWhoseAnswerWasLost_FinishesItWithoutPublishingAgain()
    {
        _h.Fleet.AddMany(1);
        _h.Publisher.FailAfterPublishing = new IOException("controller killed");
        await _h.CreateAsync();
        Assert.NotNull(Coordinator.State("r1")!.Devices[0].Pending);
        _h.Publisher.FailAfterPublishing = null;

        var restarted = _h.Restart();
        await restarted.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.Single(_h.Publisher.Published);
        Assert.Null(restarted.State("r1")!.Devices[0].Pending);
        _h.CommitAllPublished();
        await restarted.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        Assert.Equal(RolloutStates.Completed, restarted.Find("r1")!.State);
    }

    [Fact]
    public async Task Evaluate_AfterAFailedPublish_PublishesItNextRound()
    {
        _h.Fleet.AddMany(2);
        _h.Publisher.FailBeforePublishing = new IOException("broker down");
        await _h.CreateAsync();
        Assert.Empty(_h.Publisher.Published);
        _h.Publisher.FailBeforePublishing = null;

        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.Equal(2, _h.Publisher.Published.Count);
        Assert.All(Coordinator.State("r1")!.Devices, d => Assert.NotNull(d.Version));
    }

    [Fact]
    public async Task ARoundCancelledWhilePublishing_IsFinishedByTheNextRoundPublishingEachDeviceOnce()
    {
        _h.Fleet.AddMany(6);
        await Coordinator.CreateAsync(new RolloutRequest { Stack = "web" }, CancellationToken.None);
        using var stopping = new CancellationTokenSource();
        _h.Publisher.OnPublish = stopping.Cancel;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Coordinator.EvaluateAsync(lookForNewDevices: false, stopping.Token));
        _h.Publisher.OnPublish = null;
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);

        Assert.All(Coordinator.State("r1")!.Devices, d => Assert.Null(d.Pending));
        Assert.Equal(6, _h.Publisher.Published.Select(p => p.Device).Distinct().Count());
        Assert.Equal(6, _h.Publisher.Published.Count);
    }

    [Fact]
    public async Task Rollback_PublishesEachReachedDevicesPreviousVersionOrRemovesTheStack()
    {
        _h.Fleet.AddMany(3);
        _h.Publisher.Preassign("dev-00000", "web", 1);
        await _h.CreateAsync("2,100%");

        var result = await Coordinator.RollbackAsync("r1", CancellationToken.None);

        Assert.Equal((200, RolloutStates.RolledBack), (result.Status, result.Rollout!.State));
        var published = _h.Publisher.Published.Select(p => (p.Device, p.StackVersion)).ToList();
        Assert.Equal([("dev-00000", (int?)3), ("dev-00001", 3)], published.Take(2).OrderBy(p => p.Device, StringComparer.Ordinal));
        Assert.Equal([("dev-00000", (int?)1), ("dev-00001", null)], published.Skip(2).OrderBy(p => p.Device, StringComparer.Ordinal));
        Assert.Null(_h.Publisher.AssignedVersion("dev-00002", "web"));
    }

    [Fact]
    public async Task Rollback_OfARolloutWithANewerOne_IsAConflict()
    {
        _h.Fleet.AddMany(1);
        await _h.CreateAsync(version: 2);
        _h.CommitAllPublished();
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        await _h.CreateAsync(version: 3);

        var result = await Coordinator.RollbackAsync("r1", CancellationToken.None);

        Assert.Equal(409, result.Status);
        Assert.Equal("rollout r2 of stack 'web' is newer; roll it back first", result.Error!.Message);
    }

    [Fact]
    public async Task Actions_ChangeTheStateOrAnswerConflictOrNotFound()
    {
        _h.Fleet.AddMany(2);
        await _h.CreateAsync("1,100%");

        Assert.Equal(RolloutStates.Paused, (await Coordinator.PauseAsync("r1", CancellationToken.None)).Rollout!.State);
        Assert.Equal(409, (await Coordinator.PauseAsync("r1", CancellationToken.None)).Status);
        Assert.Equal(RolloutStates.Running, (await Coordinator.ResumeAsync("r1", CancellationToken.None)).Rollout!.State);
        Assert.Equal(RolloutStates.Aborted, (await Coordinator.AbortAsync("r1", CancellationToken.None)).Rollout!.State);
        Assert.Equal(409, (await Coordinator.ResumeAsync("r1", CancellationToken.None)).Status);
        var missing = await Coordinator.AbortAsync("r9", CancellationToken.None);
        Assert.Equal((404, "not-found"), (missing.Status, missing.Error!.Error));
        Assert.Equal(RolloutStates.Aborted, _h.Restart().Find("r1")!.State);
    }

    [Fact]
    public async Task NewDevicesMatchingACompletedRollout_GetTheStackOnce()
    {
        _h.Fleet.Add("a", true, ("site", "berlin"));
        _h.Fleet.Add("b", true, ("site", "paris"));
        await _h.CreateAsync(target: "site=berlin");
        _h.CommitAllPublished();
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        _h.Fleet.Add("c", true, ("site", "berlin"));
        _h.Fleet.Add("d", true, ("site", "paris"));

        await Coordinator.EvaluateAsync(lookForNewDevices: true, CancellationToken.None);
        await Coordinator.EvaluateAsync(lookForNewDevices: true, CancellationToken.None);

        Assert.Equal(["a", "c"], _h.Publisher.Published.Select(p => p.Device));
        var info = Coordinator.Find("r1")!;
        Assert.Equal(RolloutStates.Completed, info.State);
        Assert.Equal(["a", "c"], info.Waves[0].Devices);
    }

    [Fact]
    public async Task NewDevices_GetTheStackFromTheNewestRolloutOnly()
    {
        _h.Fleet.AddMany(1);
        await _h.CreateAsync(version: 1);
        _h.CommitAllPublished();
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        await _h.CreateAsync(version: 2);
        _h.CommitAllPublished();
        await Coordinator.EvaluateAsync(lookForNewDevices: false, CancellationToken.None);
        _h.Fleet.Add("late");

        await Coordinator.EvaluateAsync(lookForNewDevices: true, CancellationToken.None);

        var late = Assert.Single(_h.Publisher.Published, p => p.Device == "late");
        Assert.Equal((2, "r2"), (late.StackVersion, late.Rollout!.Id));
    }

    [Fact]
    public async Task TenThousandDevicesInOneWave_AllCommitted_CompletesAndSurvivesARestart()
    {
        _h.Fleet.AddMany(10_000);
        await _h.CreateAsync();
        Assert.Equal(10_000, _h.Publisher.Published.Count);
        _h.CommitAllPublished();

        await Coordinator.EvaluateAsync(lookForNewDevices: true, CancellationToken.None);

        Assert.Equal(RolloutStates.Completed, Coordinator.Find("r1")!.State);
        var info = _h.Restart().Find("r1")!;
        Assert.Equal((RolloutStates.Completed, 10_000), (info.State, info.Waves[0].Counts.Committed));
        Assert.Equal(10_000, _h.Publisher.Published.Count);
    }
}
