using Fleet.Controller.Broker;
using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Controller.Ingest;

/// <summary>
/// Writes the registry's dirty devices that are due (<see cref="ControllerOptions.WriteDelayMilliseconds"/>, or
/// <see cref="ControllerOptions.HeartbeatWriteDelayMilliseconds"/> for a heartbeat) and
/// their queued events every <see cref="ControllerOptions.FlushMilliseconds"/>, and all of them once more at stop; with the embedded broker, also its device-published retained messages.
/// </summary>
public sealed partial class IngestFlusher(
    DeviceRegistry registry, ControllerOptions options, TimeProvider timeProvider, ILogger<IngestFlusher> logger, RetainedMessageStore? retained = null)
    : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        registry.Flush();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.FlushMilliseconds), timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    registry.FlushDue();
                    retained?.Flush();
                }
                catch (LiteDB.LiteException ex)
                {
                    // The batch stays lost only for this tick's history; the next status rewrites the device.
                    LogFlushFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync flushes what is left.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing ingested status and events failed")]
    private partial void LogFlushFailed(Exception exception);
}
