using System.Globalization;
using System.Text;

namespace Fleet.Controller.Metrics;

/// <summary>The counters behind <c>/metrics</c>; gauges are read from their owners when scraped.</summary>
public sealed class FleetMetrics
{
    private long _messagesIn;
    private long _messagesOut;
    private long _eventsMissing;

    public long MessagesIn => Interlocked.Read(ref _messagesIn);

    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    /// <summary>Set by the rollout engine when it is registered; 0 until then.</summary>
    public Func<int> RolloutsInProgress { get; set; } = () => 0;

    public void CountIn() => Interlocked.Increment(ref _messagesIn);

    public void CountOut() => Interlocked.Increment(ref _messagesOut);

    public void CountMissingEvents(long count) => Interlocked.Add(ref _eventsMissing, count);

    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public string Render(int devicesOnline, int devicesTotal)
    {
        var text = new StringBuilder();
        Gauge(text, "fleet_devices_online", "Devices whose presence is online.", devicesOnline);
        Gauge(text, "fleet_devices", "Enrolled devices.", devicesTotal);
        Gauge(text, "fleet_rollouts_in_progress", "Rollouts running or paused.", RolloutsInProgress());
        Counter(text, "fleet_mqtt_messages_in_total", "MQTT messages the controller received from devices.", MessagesIn);
        Counter(text, "fleet_mqtt_messages_out_total", "MQTT messages the controller published.", MessagesOut);
        Counter(text, "fleet_events_missing_total", "Device events given up for lost: sequence gaps the device could not fill when asked again.", Interlocked.Read(ref _eventsMissing));
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, long value) => Write(text, name, help, "gauge", value);

    private static void Counter(StringBuilder text, string name, string help, long value) => Write(text, name, help, "counter", value);

    private static void Write(StringBuilder text, string name, string help, string type, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");
}
