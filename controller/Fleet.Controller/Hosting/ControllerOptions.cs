using System.Net;

namespace Fleet.Controller.Hosting;

/// <summary>
/// The controller's settings, bound from (lowest first) appsettings.json beside the binary, a
/// --config file, FLEET_CONTROLLER__* environment variables and flags; validated before anything starts.
/// </summary>
public sealed class ControllerOptions
{
    public string DataDirectory { get; set; } = "";

    /// <summary>Where the REST API listens (Kestrel URLs, ';'-separated).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>The embedded broker's port.</summary>
    public int MqttPort { get; set; } = 1883;

    public string MqttBindAddress { get; set; } = "0.0.0.0";

    /// <summary>The broker address handed to devices at enrollment; by default mqtt://{the API's host}:{MqttPort}.</summary>
    public string? BrokerUri { get; set; }

    /// <summary>An external MQTT v5 broker (mqtt://host:port) instead of the embedded one; devices' credentials then live in its own password file.</summary>
    public string? ExternalBroker { get; set; }

    public string? ExternalBrokerUsername { get; set; }

    public string? ExternalBrokerPassword { get; set; }

    /// <summary>The external mosquitto's device <c>password_file</c>: enrollment writes each device's line, delete removes it.</summary>
    public string? ExternalBrokerPasswordFile { get; set; }

    /// <summary>mosquitto's pid file, signalled with SIGHUP after each change so it rereads the password file.</summary>
    public string? ExternalBrokerReload { get; set; }

    /// <summary>This instance's name in reply topics; by default a random one per start.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Events kept per device (the newest); older ones are deleted as new ones arrive.</summary>
    public int EventsPerDevice { get; set; } = 200;

    /// <summary>Events older than this are deleted whatever their count.</summary>
    public int EventRetentionDays { get; set; } = 30;

    /// <summary>How often ingested status and events that are due (<see cref="WriteDelayMilliseconds"/>, <see cref="HeartbeatWriteDelayMilliseconds"/>) are written to the store, in one transaction.</summary>
    public int FlushMilliseconds { get; set; } = 250;

    /// <summary>
    /// How long a device's ingested status, presence and events stay in memory after its first unwritten
    /// change: what changes meanwhile goes in the same write (a rollout walks a device through five phases,
    /// ten messages, in about a second). A controller killed loses at most this plus a flush period of them;
    /// devices republish their status and event reconciliation brings the events back.
    /// </summary>
    public int WriteDelayMilliseconds { get; set; } = 5000;

    /// <summary>
    /// The same for a status that changes nothing but that the device is alive (its seq, time and facts, as
    /// a heartbeat or a status sent again): written this long after it instead. A fleet reporting every few
    /// seconds would otherwise rewrite every device every <see cref="WriteDelayMilliseconds"/> for nothing an
    /// operator reads from the store. A controller killed loses at most this much of a device's last-seen
    /// time and facts; the device's next status brings them back. Any other change is written after
    /// <see cref="WriteDelayMilliseconds"/>, with the heartbeats before it.
    /// </summary>
    public int HeartbeatWriteDelayMilliseconds { get; set; } = 60_000;

    /// <summary>
    /// Group commit of desired states: the store's writer waits this long for the publishes around it before
    /// it commits what is queued (or less, once <see cref="DesiredStatePublisher.GatherLimit"/> are), so a rollout
    /// commits tens of desired states at a time instead of a few. A commit costs LiteDB about as much for one
    /// as for fifty: it writes whole pages. Each publish waits this much longer; 0: no wait.
    /// </summary>
    public int StoreGatherMilliseconds { get; set; } = 20;

    /// <summary>How long a command relayed to a device (logs) waits for its reply.</summary>
    public int CommandTimeoutSeconds { get; set; } = 20;

    /// <summary>
    /// How long events a device announced (its status's last seq) or skipped over (a hole) may stay missing
    /// before the device is asked to send them again; a status often arrives a moment before its events.
    /// </summary>
    public int EventResendGraceSeconds { get; set; } = 5;

    /// <summary>The least time between two resend requests to the same device.</summary>
    public int EventResendIntervalSeconds { get; set; } = 30;

    /// <summary>Resend requests waiting for their reply at once, fleet-wide: after a broker outage, thousands of devices may be behind.</summary>
    public int EventResendMaxInFlight { get; set; } = 100;

    /// <summary>How long a device may accept a published desired state (acceptUntil); never limits running it.</summary>
    public int AcceptForHours { get; set; } = 24 * 7;

    public string LogLevel { get; set; } = "Information";

    /// <summary>The first URL in <see cref="Urls"/>.</summary>
    public Uri ApiUri => new(Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0]);

    /// <summary>One line per problem, naming the setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add("DataDirectory: required (--data DIR or FLEET_CONTROLLER__DataDirectory)");
        }

        var urls = Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            problems.Add("Urls: required, e.g. http://127.0.0.1:8080");
        }

        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"Urls: '{url}' must be an http:// or https:// URL");
            }
        }

        if (MqttPort is < 1 or > 65535)
        {
            problems.Add($"MqttPort: {MqttPort} must be between 1 and 65535");
        }

        if (!IPAddress.TryParse(MqttBindAddress, out _))
        {
            problems.Add($"MqttBindAddress: '{MqttBindAddress}' is not an IP address");
        }

        problems.AddRange(ValidateBrokerUri(nameof(BrokerUri), BrokerUri));
        problems.AddRange(ValidateBrokerUri(nameof(ExternalBroker), ExternalBroker));
        if (ExternalBroker is { Length: > 0 } && string.IsNullOrEmpty(ExternalBrokerUsername))
        {
            problems.Add("ExternalBrokerUsername: required with ExternalBroker (the controller's account on that broker)");
        }

        problems.AddRange(ValidatePasswordFile());

        if (InstanceId is { Length: > 0 } instance && Protocol.Topics.DeviceId.Validate(instance) is { } invalid)
        {
            problems.Add($"InstanceId: {invalid.Replace("device id", "instance id", StringComparison.Ordinal)}");
        }

        Range(problems, nameof(EventsPerDevice), EventsPerDevice, 1, 100_000);
        Range(problems, nameof(EventRetentionDays), EventRetentionDays, 1, 3650);
        Range(problems, nameof(FlushMilliseconds), FlushMilliseconds, 10, 60_000);
        Range(problems, nameof(WriteDelayMilliseconds), WriteDelayMilliseconds, 0, 60_000);
        if (HeartbeatWriteDelayMilliseconds < WriteDelayMilliseconds || HeartbeatWriteDelayMilliseconds > 3_600_000)
        {
            problems.Add($"{nameof(HeartbeatWriteDelayMilliseconds)}: {HeartbeatWriteDelayMilliseconds} must be between {nameof(WriteDelayMilliseconds)} ({WriteDelayMilliseconds}) and 3600000");
        }
        Range(problems, nameof(StoreGatherMilliseconds), StoreGatherMilliseconds, 0, 1000);
        Range(problems, nameof(CommandTimeoutSeconds), CommandTimeoutSeconds, 1, 600);
        Range(problems, nameof(AcceptForHours), AcceptForHours, 1, 24 * 365);
        Range(problems, nameof(EventResendGraceSeconds), EventResendGraceSeconds, 1, 3600);
        Range(problems, nameof(EventResendIntervalSeconds), EventResendIntervalSeconds, 1, 86_400);
        Range(problems, nameof(EventResendMaxInFlight), EventResendMaxInFlight, 1, 10_000);
        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(LogLevel, ignoreCase: true, out _))
        {
            problems.Add($"LogLevel: '{LogLevel}' must be Trace, Debug, Information, Warning, Error or Critical");
        }

        return problems;
    }

    private IEnumerable<string> ValidatePasswordFile()
    {
        if (ExternalBrokerPasswordFile is { Length: > 0 } file)
        {
            if (string.IsNullOrEmpty(ExternalBroker))
            {
                yield return "ExternalBrokerPasswordFile: only with ExternalBroker (the embedded broker keeps its own credentials)";
            }

            if (Directory.Exists(file))
            {
                yield return $"ExternalBrokerPasswordFile: '{file}' is a directory, not mosquitto's password_file";
            }
            else if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(file))))
            {
                yield return $"ExternalBrokerPasswordFile: the directory of '{file}' does not exist";
            }
        }

        if (ExternalBrokerReload is { Length: > 0 } reload)
        {
            if (string.IsNullOrEmpty(ExternalBrokerPasswordFile))
            {
                yield return "ExternalBrokerReload: only with ExternalBrokerPasswordFile (it makes mosquitto reread that file)";
            }

            if (!Path.IsPathFullyQualified(reload))
            {
                yield return $"ExternalBrokerReload: '{reload}' must be the absolute path of mosquitto's pid file (its pid_file setting)";
            }
            else if (!Directory.Exists(Path.GetDirectoryName(reload)))
            {
                yield return $"ExternalBrokerReload: the directory of '{reload}' does not exist (mosquitto's pid_file)";
            }
        }
    }

    private static void Range(List<string> problems, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            problems.Add($"{name}: {value} must be between {min} and {max}");
        }
    }

    private static IEnumerable<string> ValidateBrokerUri(string name, string? value)
    {
        if (value is { Length: > 0 } && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "mqtts" && uri.Port > 0))
        {
            yield return $"{name}: '{value}' must be mqtt://host:port or mqtts://host:port";
        }
    }
}
