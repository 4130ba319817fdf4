using Fleet.Agent.Mqtt;
using Fleet.Agent.Storage;
using Fleet.Protocol.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Agent.Hosting;

/// <summary>
/// The agent's main loop: owns the data directory, keeps the broker session, and beats the
/// heartbeat the watchdog watches. The device keeps running without the broker: a session that
/// cannot connect only retries in the background.
/// </summary>
public sealed partial class AgentWorker(
    IOptions<AgentOptions> options,
    AgentHeartbeat heartbeat,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<AgentWorker>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var opened = AgentDatabase.Open(settings.DataDirectory, timeProvider);
        if (opened.Database is not { } database)
        {
            LogCannotOpen(opened.Error!);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        using (database)
        {
            if (database.SetAsidePath is { } setAside)
            {
                LogSetAside(setAside);
            }

            var deviceId = settings.DeviceId ?? MachineId.Read() ?? "unknown-device";
            var journal = new EventJournal(database, timeProvider);
            LogStarted(deviceId, settings.DataDirectory, journal.PendingCount);

            await using var session = string.IsNullOrWhiteSpace(settings.Broker.Server) ? null : CreateSession(settings, deviceId);
            var sessionRun = session?.RunAsync(stoppingToken) ?? Task.CompletedTask;
            if (session is null)
            {
                LogNoBroker();
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                heartbeat.Beat();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(settings.HeartbeatSeconds, 10)), timeProvider, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }

            await sessionRun;
        }
    }

    private BrokerSession CreateSession(AgentOptions settings, string deviceId)
    {
        var brokerOptions = settings.Broker.ToOptions(deviceId) with
        {
            PresenceTopic = DeviceTopics.Online(deviceId),
            Subscriptions = [DeviceTopics.Desired(deviceId), DeviceTopics.Trust(deviceId), DeviceTopics.Command(deviceId)],
        };
        return new BrokerSession(
            brokerOptions,
            (message, _) =>
            {
                LogReceived(message.Topic, message.Payload.Length);
                return Task.CompletedTask;
            },
            timeProvider,
            loggerFactory.CreateLogger<BrokerSession>());
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot start: {Reason}")]
    private partial void LogCannotOpen(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database could not be read and was set aside as {Path}; starting fresh, the desired state comes back from the broker")]
    private partial void LogSetAside(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "fleet-agent started as device {DeviceId} with data in {DataDirectory} ({Pending} events waiting for the broker)")]
    private partial void LogStarted(string deviceId, string dataDirectory, int pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No broker configured (Broker:Server): running offline from the cached state; enroll the device to connect it")]
    private partial void LogNoBroker();

    [LoggerMessage(Level = LogLevel.Information, Message = "Received {Bytes} bytes on {Topic}")]
    private partial void LogReceived(string topic, int bytes);
}
