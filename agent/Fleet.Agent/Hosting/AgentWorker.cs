using Fleet.Agent.Bundles;
using Fleet.Agent.Mqtt;
using Fleet.Agent.Storage;
using Fleet.Agent.Updates;
using Fleet.Protocol.Keys;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using Fleet.Protocol.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Agent.Hosting;

/// <summary>
/// The agent's main loop: owns the data directory, takes desired states and trust documents from
/// the broker, forwards the event journal, and beats the heartbeat the watchdog watches. The
/// device keeps running without the broker: a session that cannot connect only retries.
/// </summary>
public sealed partial class AgentWorker(
    IOptions<AgentOptions> options,
    AgentHeartbeat heartbeat,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AgentWorker>();
    // Wakes the loop early (a message arrived, the session connected); one pending wake is enough.
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (LoadRootKey(settings) is not { } root)
        {
            Fail();
            return;
        }

        var opened = AgentDatabase.Open(settings.DataDirectory, timeProvider);
        if (opened.Database is not { } database)
        {
            LogCannotStart(opened.Error!);
            Fail();
            return;
        }

        using (database)
        {
            if (database.SetAsidePath is { } setAside)
            {
                LogSetAside(setAside);
            }

            var deviceId = settings.ResolveDeviceId();
            var journal = new EventJournal(database, timeProvider);
            var store = new DesiredStateStore(database, timeProvider);
            var trust = new TrustState(root, store);
            if (EnrollmentFiles.SeedTrust(settings.DataDirectory, store, trust) is { IsAccepted: false } seedRefused)
            {
                LogTrustRefused("enrollment: " + seedRefused);
            }
            var device = new DeviceIdentity(deviceId, settings.Labels);
            var intake = new DesiredStateIntake(
                settings.DataDirectory, store, journal, trust, new DesiredStateVerifier(timeProvider),
                device, loggerFactory.CreateLogger<DesiredStateIntake>());
            var forwarder = new EventForwarder(journal, deviceId);
            var reporter = new StatusReporter(
                deviceId, settings.DataDirectory, store, new PersistentCounter(database, "status-seq"), timeProvider,
                TimeSpan.FromSeconds(settings.HeartbeatSeconds))
            {
                LastEventSeq = () => journal.LastSeq,
            };
            var reconcile = new ReconcileLoop(
                string.IsNullOrEmpty(settings.Docker) ? null : new Uri(settings.Docker),
                store, journal, StackApplier.DeviceVariables(deviceId, settings.Labels),
                TimeSpan.FromSeconds(settings.ReconcileSeconds), Backoff.Default, timeProvider, loggerFactory)
            {
                PassCompleted = () => _wake.Writer.TryWrite(true),
                Releases = new ReleaseStore(database, settings.KeepReleases),
                Updates = settings.UpdateSettings(),
            };
            journal.Append(new DeviceEvent { Seq = 0, Time = default, Kind = EventKinds.AgentStarted, Version = store.Current?.Version });
            LogStarted(deviceId, settings.DataDirectory, journal.PendingCount, store.Current?.Version ?? 0);

            using var bundles = new BundleImporter(
                settings.DataDirectory, store, journal, trust, intake, device,
                new EngineImageStore(string.IsNullOrEmpty(settings.Docker) ? null : new Uri(settings.Docker)),
                timeProvider, loggerFactory.CreateLogger<BundleImporter>())
            {
                Accepted = reconcile.Request,
            };

            // The cached desired state is applied at once, broker or not.
            var reconcileRun = reconcile.RunAsync(stoppingToken);
            var bundleServer = BundleImportServer.RunAsync(settings.DataDirectory, ImportAndWake, stoppingToken);
            var bundleWatch = string.IsNullOrWhiteSpace(settings.BundleDirectory)
                ? Task.CompletedTask
                : new BundleDirectoryWatcher(
                    settings.BundleDirectory, ImportAndWake, TimeSpan.FromSeconds(settings.BundleScanSeconds), timeProvider,
                    loggerFactory.CreateLogger<BundleDirectoryWatcher>()).RunAsync(stoppingToken);
            var statusServer = LocalStatusServer.RunAsync(
                settings.DataDirectory,
                () => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                    new LocalStatus
                    {
                        Running = true,
                        Status = reporter.Build(reconcile.State, timeProvider.GetUtcNow()),
                        PendingEvents = journal.PendingCount,
                        RecentEvents = journal.Recent(10),
                    },
                    AgentJsonContext.Default.LocalStatus),
                stoppingToken);
            await using var session = string.IsNullOrWhiteSpace(settings.Broker.Server) ? null : CreateSession(settings, deviceId, intake, trust, reconcile, reporter, journal, stoppingToken);
            if (session is not null)
            {
                session.ConnectedAsync = (_, _) =>
                {
                    reporter.ForceNext();
                    _wake.Writer.TryWrite(true);
                    return Task.CompletedTask;
                };
            }

            Task sessionRun = Task.CompletedTask;
            if (session is null)
            {
                LogNoBroker();
            }
            else
            {
                sessionRun = session.RunAsync(stoppingToken);
            }

            var workingSet = new WorkingSet(TimeSpan.FromSeconds(settings.ReconcileSeconds));
            var pacing = new ReportPacing(TimeSpan.FromMilliseconds(settings.ReportIntervalMilliseconds), timeProvider);
            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat();
                if (settings.TrimMemory && workingSet.TrimAfter(reconcile.State, timeProvider.GetUtcNow()))
                {
                    LogTrimmed(reconcile.State.Phase, Environment.WorkingSet / (1024 * 1024));
                }

                if (session is { IsConnected: true })
                {
                    // At most one report per ReportIntervalMilliseconds: what changes meanwhile goes out together.
                    // Each change wakes the loop, so the report that ends an update goes as soon as it ends.
                    while (pacing.Hold(reconcile.State.Phase, reconcile.State.PhaseVersion) is var hold && hold > TimeSpan.Zero)
                    {
                        if (!await WakeAsync(hold))
                        {
                            break;
                        }
                    }

                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }

                    var state = reconcile.State;
                    var delivered = await forwarder.FlushAsync(session, stoppingToken);
                    if (await reporter.ReportAsync(session, state, stoppingToken) || delivered > 0)
                    {
                        pacing.Reported(state.Phase, state.PhaseVersion);
                    }
                }

                // Until woken or the heartbeat period ends, whichever comes first.
                if (!await WakeAsync(TimeSpan.FromSeconds(Math.Min(settings.HeartbeatSeconds, 10))))
                {
                    break;
                }
            }

            await sessionRun;
            await reconcileRun;
            await statusServer;
            await bundleServer;
            await bundleWatch;

            // Until woken or the time is up; false once the agent is stopping.
            async Task<bool> WakeAsync(TimeSpan wait)
            {
                using var period = new CancellationTokenSource(wait, timeProvider);
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, period.Token);
                try
                {
                    await _wake.Reader.WaitToReadAsync(pause.Token);
                    _wake.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The time is up with nothing to do.
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                return true;
            }

            // A bundle's rejected event (or its desired state's) goes out with the next flush.
            async Task<BundleImportResult> ImportAndWake(string path, CancellationToken cancellationToken)
            {
                try
                {
                    return await bundles.ImportAsync(path, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A bug in an import must not take the agent (or the watcher) down: logged, answered, retried never.
                    LogImportFailed(path, ex);
                    return new BundleImportResult
                    {
                        Outcome = BundleImportOutcome.Rejected, Code = "internal-error", Message = $"{path}: internal error: {ex.GetType().Name}: {ex.Message}",
                    };
                }
                finally
                {
                    _wake.Writer.TryWrite(true);
                }
            }
        }
    }

    private BrokerSession CreateSession(
        AgentOptions settings,
        string deviceId,
        DesiredStateIntake intake,
        TrustState trust,
        ReconcileLoop reconcile,
        StatusReporter reporter,
        EventJournal journal,
        CancellationToken stoppingToken)
    {
        var commands = new CommandHandler(
            deviceId,
            string.IsNullOrEmpty(settings.Docker) ? null : new Uri(settings.Docker),
            () =>
            {
                reporter.ForceNext();
                _wake.Writer.TryWrite(true);
            },
            reconcile.Request,
            journal,
            // The forwarder runs in the main loop: waking it sends the re-queued events now.
            () => _wake.Writer.TryWrite(true));
        BrokerSession? session = null;
        var brokerOptions = settings.Broker.ToOptions(deviceId) with
        {
            PresenceTopic = DeviceTopics.Online(deviceId),
            Subscriptions = [DeviceTopics.Trust(deviceId), DeviceTopics.Desired(deviceId), DeviceTopics.Command(deviceId)],
        };
        session = new BrokerSession(
            brokerOptions,
            (message, deliveryToken) =>
            {
                if (DeviceTopics.TryParse(message.Topic, out var topic))
                {
                    switch (topic.Kind)
                    {
                        case DeviceTopicKind.Desired when intake.Handle(message.Payload.Span) == IntakeOutcome.Accepted:
                            reconcile.Request();
                            break;
                        case DeviceTopicKind.Desired:
                            break;
                        case DeviceTopicKind.Trust when trust.Apply(message.Payload.Span) is { IsAccepted: false } refused:
                            LogTrustRefused(refused.ToString());
                            break;
                        case DeviceTopicKind.Command:
                            // Off the broker's delivery path: fetching logs must not hold up desired states.
                            _ = Task.Run(() => AnswerAsync(commands, session!, message, stoppingToken), stoppingToken);
                            break;
                        default:
                            LogReceived(message.Topic, message.Payload.Length);
                            break;
                    }
                }

                _wake.Writer.TryWrite(true);
                return Task.CompletedTask;
            },
            timeProvider,
            loggerFactory.CreateLogger<BrokerSession>());
        return session;
    }

    private async Task AnswerAsync(CommandHandler commands, BrokerSession session, BrokerMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await commands.HandleAsync(session, message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // A bug in a command must not take the agent down; it is logged and the command times out.
            LogCommandFailed(message.Topic, ex);
        }
    }

    private PublicKeyDocument? LoadRootKey(AgentOptions settings)
    {
        var imported = RootKeyFile.Load(settings.RootKey!);
        if (!imported.Succeeded)
        {
            LogBadRootKey(imported.Error);
            return null;
        }

        return imported.Value;
    }

    private void Fail()
    {
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot start: {Reason}")]
    private partial void LogCannotStart(string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot start: {Reason}")]
    private partial void LogBadRootKey(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Memory given back after the update ended ({Phase}); resident now {Megabytes} MB")]
    private partial void LogTrimmed(string phase, long megabytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database could not be read and was set aside as {Path}; starting fresh, the desired state comes back from the broker")]
    private partial void LogSetAside(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "fleet-agent started as device {DeviceId} with data in {DataDirectory} ({Pending} events waiting for the broker, desired version {Version})")]
    private partial void LogStarted(string deviceId, string dataDirectory, int pending, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No broker configured (Broker:Server): running offline from the cached state; enroll the device to connect it")]
    private partial void LogNoBroker();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trust documents refused: {Reason}")]
    private partial void LogTrustRefused(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command on {Topic} failed")]
    private partial void LogCommandFailed(string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Importing the bundle {Path} failed")]
    private partial void LogImportFailed(string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Received {Bytes} bytes on {Topic}")]
    private partial void LogReceived(string topic, int bytes);
}
