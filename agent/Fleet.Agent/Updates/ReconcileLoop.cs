using System.Threading.Channels;
using Docker.DotNet;
using Fleet.Agent.Docker.Engine;
using Fleet.Agent.Docker.Execute;
using Fleet.Agent.Mqtt;
using Fleet.Agent.Storage;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace Fleet.Agent.Updates;

/// <summary>
/// Keeps the engine running the stored desired state: at start (with no broker needed, so a device
/// that boots offline comes back with its stacks), when a new state is stored, when a managed
/// container dies or disappears, and every reconcile period. Loses the engine gracefully: a dockerd
/// that restarts is reconnected with backoff, and the next pass converges again.
/// </summary>
public sealed partial class ReconcileLoop(
    Uri? dockerEndpoint,
    DesiredStateStore store,
    EventJournal journal,
    IReadOnlyDictionary<string, string> deviceVariables,
    TimeSpan period,
    Backoff reconnect,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<ReconcileLoop>();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Random _random = new();

    /// <summary>Asks for a reconcile pass soon; many requests before it runs make one pass.</summary>
    public void Request() => _wake.Writer.TryWrite(true);

    /// <summary>Raised after each pass (the worker forwards events and publishes the status).</summary>
    public Action? PassCompleted { get; set; }

    private DeviceState _state = DeviceState.Initial;

    /// <summary>Where updates and committed releases are kept.</summary>
    public required ReleaseStore Releases { get; init; }

    /// <summary>The health window and retries of updates.</summary>
    public UpdateSettings Updates { get; init; } = UpdateSettings.Default;

    /// <summary>The agent's progress as of the last pass.</summary>
    public DeviceState State => Volatile.Read(ref _state);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        Publish(UpdateRunner.Restore(State, Releases));
        while (!cancellationToken.IsCancellationRequested)
        {
            EngineConnection? engine = null;
            try
            {
                engine = await DockerEngine.ConnectAsync(dockerEndpoint, cancellationToken);
                LogEngine(engine.Endpoint, engine.EngineVersion, engine.ApiVersion);
                attempt = 0;
                using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var watcher = EngineEventWatcher.WatchAsync(engine.Client, Request, watch.Token);
                var compose = new ComposeEngine(engine.Client, EngineOptions.Default, timeProvider);
                var applier = new StackApplier(compose, store, journal, deviceVariables, loggerFactory.CreateLogger<StackApplier>())
                {
                    Locks = Updates.LockDirectory is { } locks ? new UpdateLocks(locks, Updates.LockLease) : null,
                };
                // Every status carries the locks as the lock files say now: a phase published in the middle of
                // a pass (committed, rolled-back) must not show the locks of the phase before it.
                IReadOnlyList<UpdateLock> HeldLocks() =>
                    applier.Locks?.Held([.. store.AppliedStacks, .. store.CurrentDesired?.Stacks.Select(s => s.Name) ?? []], timeProvider.GetUtcNow()) ?? [];
                var runner = new UpdateRunner(
                    engine.Client, compose, applier, store, Releases, journal, Updates, timeProvider,
                    change => Publish(change(State) with { EngineVersion = engine.EngineVersion, Locks = HeldLocks() }),
                    loggerFactory.CreateLogger<UpdateRunner>());
                while (!cancellationToken.IsCancellationRequested && !watcher.IsCompleted)
                {
                    if (store.CurrentDesired is { } desired)
                    {
                        var running = await runner.PassAsync(desired, cancellationToken);
                        Publish(State with
                        {
                            Stacks = await applier.ObserveAsync(running, cancellationToken),
                            Locks = HeldLocks(),
                            EngineVersion = engine.EngineVersion,
                        });
                    }

                    await WaitAsync(runner.NextRetryAt, cancellationToken);
                }

                await watch.CancelAsync();
                await watcher.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is EngineUnavailableException or DockerApiException or HttpRequestException or IOException
                                       or System.Net.Sockets.SocketException or TimeoutException
                                       or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var delay = reconnect.Delay(attempt++, _random);
                LogEngineLost(ex.Message, delay.TotalSeconds);
                await DelayAsync(delay, cancellationToken);
            }
            finally
            {
                engine?.Dispose();
            }
        }
    }

    private void Publish(DeviceState state)
    {
        Volatile.Write(ref _state, state);
        PassCompleted?.Invoke();
    }

    /// <summary>Until woken, the period ends, or a failed update is due to be tried again.</summary>
    private async Task WaitAsync(DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        var wait = period;
        if (retryAt is { } due && due - timeProvider.GetUtcNow() < wait)
        {
            wait = due - timeProvider.GetUtcNow() > TimeSpan.Zero ? due - timeProvider.GetUtcNow() : TimeSpan.Zero;
        }

        using var timeout = new CancellationTokenSource(wait, timeProvider);
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _wake.Reader.WaitToReadAsync(pause.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The period ended: a periodic full reconcile.
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Docker engine {Endpoint}: {Version}, API {Api}")]
    private partial void LogEngine(Uri endpoint, string version, Version api);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Docker engine unavailable ({Reason}); retrying in {Seconds:F1} s")]
    private partial void LogEngineLost(string reason, double seconds);
}
