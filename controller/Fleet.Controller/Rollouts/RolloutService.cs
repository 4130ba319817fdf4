using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Controller.Rollouts;

/// <summary>
/// Drives the rollouts: evaluates them soon after a device changes (gathering a burst of changes into one
/// round) and at least every <see cref="RolloutOptions.EvaluationInterval"/>, when it also looks for
/// devices that newly match a target. A failed round is logged and the next one tries again.
/// </summary>
public sealed partial class RolloutService : BackgroundService
{
    private readonly RolloutCoordinator _coordinator;
    private readonly IFleetView _fleet;
    private readonly TimeProvider _time;
    private readonly RolloutOptions _options;
    private readonly ILogger<RolloutService> _logger;
    private TaskCompletionSource _changed = NewSignal();

    public RolloutService(
        RolloutCoordinator coordinator,
        IFleetView fleet,
        TimeProvider time,
        IOptions<RolloutOptions> options,
        ILogger<RolloutService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _coordinator = coordinator;
        _fleet = fleet;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _fleet.DeviceChanged += OnDeviceChanged;
        _coordinator.PublishRequested += OnPublishRequested;
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _coordinator.PublishRequested -= OnPublishRequested;
            _fleet.DeviceChanged -= OnDeviceChanged;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextFullRound = _time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var full = now >= nextFullRound;
            if (full)
            {
                nextFullRound = now + _options.EvaluationInterval;
            }

            // Taken before the round, so a change during it causes another.
            Interlocked.Exchange(ref _changed, NewSignal());
            try
            {
                await _coordinator.EvaluateAsync(full, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRoundFailed(ex);
            }

            var wait = nextFullRound - _time.GetUtcNow();
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _time, stopWaiting.Token);
            var first = await Task.WhenAny(Volatile.Read(ref _changed).Task, timer);
            await stopWaiting.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            if (first != timer && _options.ChangeDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.ChangeDelay, _time, cancellationToken);
            }
        }
    }

    private void OnDeviceChanged(string deviceId) => Volatile.Read(ref _changed).TrySetResult();

    private void OnPublishRequested() => Volatile.Read(ref _changed).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rollout round failed; the next round tries again")]
    private partial void LogRoundFailed(Exception exception);
}
