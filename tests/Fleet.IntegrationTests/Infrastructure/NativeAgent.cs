using Fleet.Protocol.Enrollment;
using Fleet.Protocol.Keys;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>Starts the published NativeAOT fleet-agent as a device would run it.</summary>
internal static class NativeAgent
{
    public static string Executable
    {
        get
        {
            Assert.True(File.Exists(RepoPaths.NativeAgent), $"{RepoPaths.NativeAgent} is missing: ./test.sh publishes the NativeAOT agent there");
            return RepoPaths.NativeAgent;
        }
    }

    /// <summary>
    /// <c>fleet-agent run --data DIR</c> as device <paramref name="deviceId"/> against the broker on
    /// <paramref name="brokerPort"/>, with the root key written into the data directory.
    /// </summary>
    /// <param name="useEngine">
    /// False points the agent at a socket where no engine answers: for tests of what happens before
    /// the engine, which must not put containers on the shared engine.
    /// </param>
    /// <param name="settings">FLEET_AGENT__ settings (without the prefix) over the defaults here.</param>
    public static ExternalProcess Start(
        string dataDirectory, string deviceId, int brokerPort, string rootPublicKeyPem, bool useEngine, IReadOnlyDictionary<string, string>? settings = null) =>
        Run(
            dataDirectory,
            rootPublicKeyPem,
            new Dictionary<string, string>
            {
                ["DeviceId"] = deviceId,
                ["Broker__Server"] = $"mqtt://127.0.0.1:{brokerPort}",
                ["Docker"] = useEngine ? "unix:///var/run/docker.sock" : $"unix://{Path.Combine(dataDirectory, "no-engine.sock")}",
            },
            settings);

    /// <summary>
    /// <c>fleet-agent run --data DIR</c> as the device an enrollment answered for, with its broker credentials
    /// and root key, against the engine at <paramref name="dockerUri"/>.
    /// </summary>
    public static ExternalProcess StartEnrolled(
        string dataDirectory, EnrollmentResponse enrolled, string dockerUri, IReadOnlyDictionary<string, string>? settings = null) =>
        Run(
            dataDirectory,
            PublicKeys.ExportPem(enrolled.Root),
            new Dictionary<string, string>
            {
                ["DeviceId"] = enrolled.DeviceId,
                ["Broker__Server"] = enrolled.Broker.Uri.ToString(),
                ["Broker__Username"] = enrolled.Broker.Username,
                ["Broker__Password"] = enrolled.Broker.Password,
                ["Docker"] = dockerUri,
            },
            settings);

    private static ExternalProcess Run(
        string dataDirectory, string rootPublicKeyPem, Dictionary<string, string> identity, IReadOnlyDictionary<string, string>? settings)
    {
        var rootKey = Path.Combine(dataDirectory, "root.pem");
        File.WriteAllText(rootKey, rootPublicKeyPem);
        var all = new Dictionary<string, string>(identity)
        {
            ["RootKey"] = rootKey,
            ["Broker__KeepAliveSeconds"] = "5",
            ["ReconcileSeconds"] = "5",
            // A short health window, so that a test's release commits (or rolls back) in seconds.
            ["HealthWindowSeconds"] = "2",
            ["HealthPollMilliseconds"] = "200",
            // Engines here are shared by concurrent tests (or hold test images that cannot be pulled again):
            // no agent removes images unless its test asks for it on an engine of its own.
            ["KeepReleaseImages"] = "0",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }

        return ExternalProcess.Start(Executable, all.ToDictionary(e => "FLEET_AGENT__" + e.Key, e => e.Value), "run", "--data", dataDirectory);
    }
}
