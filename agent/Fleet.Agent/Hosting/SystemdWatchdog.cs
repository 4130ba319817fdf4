using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Pings systemd's watchdog (WatchdogSec= in the unit) at half its interval, but only while the
/// agent's main loop reports progress: a loop that is stuck gets the process restarted.
/// </summary>
public sealed class SystemdWatchdog(ISystemdNotifier notifier, AgentHeartbeat heartbeat, TimeProvider timeProvider) : BackgroundService
{
    private static readonly ServiceState Ping = new("WATCHDOG=1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || Interval() is not { } interval)
        {
            return;
        }

        var period = interval / 2;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (timeProvider.GetUtcNow() - heartbeat.LastBeat < interval)
            {
                notifier.Notify(Ping);
            }

            await Task.Delay(period, timeProvider, stoppingToken);
        }
    }

    private static TimeSpan? Interval() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
}
