namespace Fleet.Agent.Hosting;

/// <summary>
/// The agent's settings, bound from (lowest first) appsettings.json beside the binary,
/// /etc/fleet/agent.json, a --config file, FLEET_AGENT__* environment variables and flags.
/// Bound by the configuration source generator, so it works under NativeAOT.
/// </summary>
public sealed class AgentOptions
{
    public string DataDirectory { get; set; } = "";

    /// <summary>The Docker engine, e.g. unix:///var/run/docker.sock; DOCKER_HOST or the default socket when empty.</summary>
    public string? Docker { get; set; }

    /// <summary>This device's id; from enrollment, else the machine id.</summary>
    public string? DeviceId { get; set; }

    public BrokerSettings Broker { get; set; } = new();

    /// <summary>The fleet's root public key (PEM), pinned at enrollment: every desired state must chain to it.</summary>
    public string? RootKey { get; set; }

    /// <summary>This device's labels, matched by selectors in desired states and bundles.</summary>
    public Dictionary<string, string> Labels { get; set; } = [];

    /// <summary>A rolling log file besides the console (journald), or none.</summary>
    public string? LogFile { get; set; }

    public string LogLevel { get; set; } = "Information";

    /// <summary>How often the full status is published even when nothing changed.</summary>
    public int HeartbeatSeconds { get; set; } = 60;

    /// <summary>
    /// The least time between two reports to the broker (events, then status): the first change after a quiet
    /// spell goes at once, the changes within this time after it together at its end (0: each at once).
    /// </summary>
    public int ReportIntervalMilliseconds { get; set; } = 1000;

    /// <summary>How often a full reconcile runs besides the one triggered by engine events.</summary>
    public int ReconcileSeconds { get; set; } = 300;

    /// <summary>How long every service of a new release must stay running and healthy before it commits (a stack or service can say otherwise).</summary>
    public int HealthWindowSeconds { get; set; } = 30;

    /// <summary>How often the engine is looked at during the health window.</summary>
    public int HealthPollMilliseconds { get; set; } = 1000;

    /// <summary>The longest wait between attempts at a failed download or rollback (the first is 5 s, then doubling).</summary>
    public int RetryMaxSeconds { get; set; } = 600;

    /// <summary>Committed releases kept in the database (the newest is what a rollback goes back to).</summary>
    public int KeepReleases { get; set; } = 5;

    /// <summary>Committed releases whose images stay on the engine (the current one and the one before by default); 0 never removes images.</summary>
    public int KeepReleaseImages { get; set; } = 2;

    /// <summary>The host directory under which each service gets its update-lock directory; empty: DATA/locks.</summary>
    public string? LockDirectory { get; set; }

    /// <summary>How long an update lock holds after its file was last written (a crashed holder blocks updates no longer).</summary>
    public int LockLeaseSeconds { get; set; } = 900;

    /// <summary>Disk space that must stay free on the engine's data directory for a download to start.</summary>
    public int DiskReserveMegabytes { get; set; } = 512;

    /// <summary>The least time between two <c>pulling</c> progress events of one image (0: every report of the engine).</summary>
    public int PullProgressSeconds { get; set; } = 5;

    /// <summary>The update settings these options give.</summary>
    public Updates.UpdateSettings UpdateSettings() => new()
    {
        HealthWindow = TimeSpan.FromSeconds(HealthWindowSeconds),
        PollInterval = TimeSpan.FromMilliseconds(HealthPollMilliseconds),
        DiskReserveBytes = DiskReserveMegabytes * 1024L * 1024,
        PullProgressInterval = TimeSpan.FromSeconds(PullProgressSeconds),
        KeepReleaseImages = KeepReleaseImages,
        LockDirectory = string.IsNullOrWhiteSpace(LockDirectory) ? Path.Combine(DataDirectory, "locks") : LockDirectory,
        LockLease = TimeSpan.FromSeconds(LockLeaseSeconds),
        Retry = new Mqtt.Backoff(TimeSpan.FromSeconds(Math.Min(5, RetryMaxSeconds)), TimeSpan.FromSeconds(RetryMaxSeconds)),
    };

    /// <summary>One line per problem, naming the setting; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            problems.Add("DataDirectory: required (--data DIR or FLEET_AGENT__DataDirectory)");
        }

        if (Docker is { Length: > 0 } docker && !(Uri.TryCreate(docker, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "https"))
        {
            problems.Add($"Docker: '{docker}' must be a unix:// or tcp:// address");
        }

        if (DeviceId is { Length: > 0 } id && Protocol.Topics.DeviceId.Validate(id) is { } invalid)
        {
            problems.Add($"DeviceId: {invalid}");
        }

        if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(LogLevel, ignoreCase: true, out _))
        {
            problems.Add($"LogLevel: '{LogLevel}' must be Trace, Debug, Information, Warning, Error or Critical");
        }

        if (HeartbeatSeconds is < 5 or > 86400)
        {
            problems.Add($"HeartbeatSeconds: {HeartbeatSeconds} must be between 5 and 86400");
        }

        if (ReportIntervalMilliseconds is < 0 or > 10000)
        {
            problems.Add($"ReportIntervalMilliseconds: {ReportIntervalMilliseconds} must be between 0 and 10000");
        }

        if (ReconcileSeconds is < 5 or > 86400)
        {
            problems.Add($"ReconcileSeconds: {ReconcileSeconds} must be between 5 and 86400");
        }

        if (HealthWindowSeconds is < 0 or > 86400)
        {
            problems.Add($"HealthWindowSeconds: {HealthWindowSeconds} must be between 0 and 86400");
        }

        if (HealthPollMilliseconds is < 50 or > 60000)
        {
            problems.Add($"HealthPollMilliseconds: {HealthPollMilliseconds} must be between 50 and 60000");
        }

        if (RetryMaxSeconds is < 1 or > 86400)
        {
            problems.Add($"RetryMaxSeconds: {RetryMaxSeconds} must be between 1 and 86400");
        }

        if (DiskReserveMegabytes is < 0 or > 1048576)
        {
            problems.Add($"DiskReserveMegabytes: {DiskReserveMegabytes} must be between 0 and 1048576");
        }

        if (PullProgressSeconds is < 0 or > 3600)
        {
            problems.Add($"PullProgressSeconds: {PullProgressSeconds} must be between 0 and 3600");
        }

        if (KeepReleases is < 1 or > 100)
        {
            problems.Add($"KeepReleases: {KeepReleases} must be between 1 and 100");
        }

        if (LockLeaseSeconds is < 1 or > 604800)
        {
            problems.Add($"LockLeaseSeconds: {LockLeaseSeconds} must be between 1 and 604800");
        }

        if (LockDirectory is { Length: > 0 } lockDirectory && !Path.IsPathFullyQualified(lockDirectory))
        {
            problems.Add($"LockDirectory: '{lockDirectory}' must be an absolute path (the engine mounts it into the services)");
        }

        if (KeepReleaseImages < 0 || KeepReleaseImages > KeepReleases)
        {
            problems.Add($"KeepReleaseImages: {KeepReleaseImages} must be between 0 and KeepReleases ({KeepReleases})");
        }

        if (string.IsNullOrWhiteSpace(RootKey))
        {
            problems.Add("RootKey: required: the fleet's root public key (PEM) that every desired state must chain to");
        }
        else if (!File.Exists(RootKey))
        {
            problems.Add($"RootKey: {RootKey} does not exist");
        }

        if (BundleScanSeconds is < 1 or > 3600)
        {
            problems.Add($"BundleScanSeconds: {BundleScanSeconds} must be between 1 and 3600");
        }

        problems.AddRange(Broker.Validate());
        return problems;
    }

    /// <summary>A directory watched for air-gapped bundles (<c>*.bundle</c>), e.g. where a USB stick mounts; none when empty.</summary>
    public string? BundleDirectory { get; set; }

    /// <summary>How often <see cref="BundleDirectory"/> is scanned; a file is imported once it held still over two scans.</summary>
    public int BundleScanSeconds { get; set; } = 5;

    /// <summary>Whether the agent gives back memory once an update has ended (see <see cref="WorkingSet"/>).</summary>
    public bool TrimMemory { get; set; } = true;

    /// <summary>The device id in effect: the configured one (enrollment or explicit), else the machine id.</summary>
    public string ResolveDeviceId() => DeviceId ?? MachineId.Read() ?? "unknown-device";
}
