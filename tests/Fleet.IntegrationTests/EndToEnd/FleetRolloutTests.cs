using System.Net.Http.Json;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// Three devices, each a real native agent with its own dockerd, against the real controller: rollouts
/// in waves reach every device, and rolling a rollout back puts every device on the version before it.
/// </summary>
public sealed class FleetRolloutTests : IAsyncLifetime
{
    private static readonly TimeSpan RolloutTimeout = TimeSpan.FromMinutes(3);
    private readonly string _stack = $"e2e-{Guid.NewGuid():N}"[..14];
    private readonly List<FleetDevice> _devices = [];
    private RunningController _controller = null!;

    public async Task InitializeAsync()
    {
        _controller = await RunningController.StartAsync();
        await _controller.InitKeysAsync();
        var engines = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeviceEngine.StartAsync(TestImages.Busybox, TestImages.BusyboxV2)));
        for (var i = 0; i < engines.Length; i++)
        {
            _devices.Add(await FleetDevice.EnrollAndStartAsync(_controller, $"{_stack}-d{i}", engines[i], ("e2e", _stack)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var device in _devices)
        {
            await device.DisposeAsync();
        }

        await _controller.DisposeAsync();
    }

    [Fact]
    public async Task RolloutInTwoWaves_ReachesEveryDevice_AndRollingItBack_RestoresThePreviousVersion()
    {
        await _controller.PushStackAsync(_stack, Compose(TestImages.Busybox));
        var first = await DeployAsync(1, ["1", "100%"]);

        Assert.Equal(RolloutStates.Completed, first.State);
        Assert.Equal(2, first.Waves.Count);
        Assert.Single(first.Waves[0].Devices);
        Assert.Equal(3, first.Waves.Sum(w => w.Counts.Committed));
        foreach (var device in _devices)
        {
            Assert.Equal([TestImages.Busybox], device.RunningImages(_stack));
        }

        await _controller.PushStackAsync(_stack, Compose(TestImages.BusyboxV2));
        var second = await DeployAsync(2, ["100%"]);
        Assert.Equal(RolloutStates.Completed, second.State);
        foreach (var device in _devices)
        {
            Assert.Equal([TestImages.BusyboxV2], device.RunningImages(_stack));
        }

        using var rollback = await _controller.Http.PostAsync(new Uri($"/api/v1/rollouts/{second.Id}/rollback", UriKind.Relative), null);
        await RunningController.ExpectAsync(rollback, System.Net.HttpStatusCode.OK);
        var rollingBack = (await rollback.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!;
        Assert.Equal(RolloutStates.RolledBack, rollingBack.State);
        foreach (var device in _devices)
        {
            await Eventually.TrueAsync(
                () => device.RunningImages(_stack).SequenceEqual([TestImages.Busybox]),
                RolloutTimeout,
                () => $"{device.Id} runs the first version again; now {string.Join(",", device.RunningImages(_stack))}; agent:\n{device.Agent.Output}");
        }
    }

    private async Task<RolloutInfo> DeployAsync(int version, IReadOnlyList<string> waves)
    {
        var created = await _controller.PostAsync(
            "/api/v1/rollouts",
            new RolloutRequest { Stack = _stack, Version = version, Target = "e2e=" + _stack, Waves = waves, MaxFailures = "0", WaveTimeoutSeconds = 300 },
            ApiJsonContext.Default.RolloutRequest,
            ApiJsonContext.Default.RolloutInfo);
        RolloutInfo? now = created;
        await Eventually.TrueAsync(
            () => RolloutStates.IsFinal((now = _controller.GetAsync($"/api/v1/rollouts/{created.Id}", ApiJsonContext.Default.RolloutInfo).GetAwaiter().GetResult()).State)
                || now.State == RolloutStates.Paused,
            RolloutTimeout,
            () => $"rollout of version {version} ends; now {now?.State} {now?.Reason}; agents:\n{string.Join("\n", _devices.Select(d => d.Id + ":\n" + d.Agent.Output))}");
        return now!;
    }

    private static string Compose(string image) => $$"""
        services:
          app:
            image: {{image}}
            stop_grace_period: 1s
        """;
}
