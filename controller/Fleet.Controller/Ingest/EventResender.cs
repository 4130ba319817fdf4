using Fleet.Controller.Devices;
using Fleet.Controller.Hosting;
using Fleet.Controller.Metrics;
using Fleet.Protocol.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fleet.Controller.Ingest;

/// <summary>
/// Asks devices for the events a broker acknowledged but this controller never stored (it was not subscribed
/// yet after a broker restart, or it died before its flush): once a second it takes from the registry the
/// devices whose gap outlived <see cref="ControllerOptions.EventResendGraceSeconds"/> and sends each a
/// <c>resend-events</c> command, at most one per <see cref="ControllerOptions.EventResendIntervalSeconds"/> per
/// device and <see cref="ControllerOptions.EventResendMaxInFlight"/> at a time. The events come back on the
/// device's events topic like any others and fill the holes there; the reply only says what the device no
/// longer holds, which is given up and counted missing. Off the ingest path: ingest only notes the gap.
/// </summary>
public sealed partial class EventResender(
    DeviceRegistry registry,
    ControllerOptions options,
    FleetMetrics metrics,
    TimeProvider timeProvider,
    ILogger<EventResender> logger,
    Func<string, CommandArgs, CancellationToken, Task<DeviceCommandResult?>> send)
    : BackgroundService
{
    private int _inFlight;

    /// <summary>Starts a request for every device due now (as many as free slots allow); the tasks end with their replies.</summary>
    internal IReadOnlyList<Task> AskDue(CancellationToken cancellationToken)
    {
        var free = options.EventResendMaxInFlight - Volatile.Read(ref _inFlight);
        if (free <= 0)
        {
            return [];
        }

        var due = registry.DueResends(
            TimeSpan.FromSeconds(options.EventResendGraceSeconds), TimeSpan.FromSeconds(options.EventResendIntervalSeconds), free);
        var started = new List<Task>(due.Count);
        foreach (var request in due)
        {
            Interlocked.Increment(ref _inFlight);
            started.Add(AskAsync(request, cancellationToken));
        }

        return started;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                AskDue(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; requests in flight end with the token.
        }
    }

    private async Task AskAsync(EventResendRequest request, CancellationToken cancellationToken)
    {
        try
        {
            LogAsking(request.DeviceId, request.AfterSeq, request.ThroughSeq);
            var reply = await send(request.DeviceId, new CommandArgs { AfterSeq = request.AfterSeq, ThroughSeq = request.ThroughSeq }, cancellationToken);
            if (reply is null)
            {
                LogNoReply(request.DeviceId);
            }

            var givenUp = registry.TakeResendReply(request, reply);
            if (givenUp > 0)
            {
                metrics.CountMissingEvents(givenUp);
                LogGivenUp(request.DeviceId, givenUp, reply?.Output ?? reply?.Error?.Message ?? "");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // The broker link is down or refused: the device is asked again after the interval.
            LogAskFailed(request.DeviceId, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: asking for events ({AfterSeq}, {ThroughSeq}] again")]
    private partial void LogAsking(string deviceId, long afterSeq, long throughSeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId}: no reply to resend-events; asking again later")]
    private partial void LogNoReply(string deviceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId}: {Count} events are gone from its journal and counted missing ({Reply})")]
    private partial void LogGivenUp(string deviceId, long count, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId}: could not ask for events again: {Reason}")]
    private partial void LogAskFailed(string deviceId, string reason);
}
