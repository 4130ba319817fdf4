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
    public static ExternalProcess Start(string dataDirectory, string deviceId, int brokerPort, string rootPublicKeyPem, bool useEngine)
    {
        var rootKey = Path.Combine(dataDirectory, "root.pem");
        File.WriteAllText(rootKey, rootPublicKeyPem);
        return ExternalProcess.Start(
            Executable,
            new Dictionary<string, string>
            {
                ["FLEET_AGENT__DeviceId"] = deviceId,
                ["FLEET_AGENT__RootKey"] = rootKey,
                ["FLEET_AGENT__Broker__Server"] = $"mqtt://127.0.0.1:{brokerPort}",
                ["FLEET_AGENT__Broker__KeepAliveSeconds"] = "5",
                ["FLEET_AGENT__ReconcileSeconds"] = "5",
                ["FLEET_AGENT__Docker"] = useEngine ? "unix:///var/run/docker.sock" : $"unix://{Path.Combine(dataDirectory, "no-engine.sock")}",
            },
            "run", "--data", dataDirectory);
    }

    /// <summary>
    /// <c>fleet-agent run --data DIR</c> as the device an enrollment answered for, with its broker credentials
    /// and root key, against the engine at <paramref name="dockerUri"/>; <paramref name="settings"/> adds or
    /// overrides <c>FLEET_AGENT__</c> settings (e.g. short health windows).
    /// </summary>
    public static ExternalProcess StartEnrolled(
        string dataDirectory, EnrollmentResponse enrolled, string dockerUri, IReadOnlyDictionary<string, string>? settings = null)
    {
        var rootKey = Path.Combine(dataDirectory, "root.pem");
        File.WriteAllText(rootKey, PublicKeys.ExportPem(enrolled.Root));
        var environment = new Dictionary<string, string>
        {
            ["FLEET_AGENT__DeviceId"] = enrolled.DeviceId,
            ["FLEET_AGENT__RootKey"] = rootKey,
            ["FLEET_AGENT__Broker__Server"] = enrolled.Broker.Uri.ToString(),
            ["FLEET_AGENT__Broker__Username"] = enrolled.Broker.Username,
            ["FLEET_AGENT__Broker__Password"] = enrolled.Broker.Password,
            ["FLEET_AGENT__Broker__KeepAliveSeconds"] = "5",
            ["FLEET_AGENT__ReconcileSeconds"] = "5",
            ["FLEET_AGENT__Docker"] = dockerUri,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            environment["FLEET_AGENT__" + name] = value;
        }

        return ExternalProcess.Start(Executable, environment, "run", "--data", dataDirectory);
    }
}
