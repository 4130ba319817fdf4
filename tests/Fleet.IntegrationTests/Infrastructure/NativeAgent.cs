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
    /// <param name="settings">More FLEET_AGENT__ variables (labels, bundle directory, ...), added to or replacing the defaults.</param>
    public static ExternalProcess Start(
        string dataDirectory, string deviceId, int brokerPort, string rootPublicKeyPem, bool useEngine, IReadOnlyDictionary<string, string>? settings = null)
    {
        var rootKey = Path.Combine(dataDirectory, "root.pem");
        File.WriteAllText(rootKey, rootPublicKeyPem);
        var environment = new Dictionary<string, string>
        {
            ["FLEET_AGENT__DeviceId"] = deviceId,
            ["FLEET_AGENT__RootKey"] = rootKey,
            ["FLEET_AGENT__Broker__Server"] = $"mqtt://127.0.0.1:{brokerPort}",
            ["FLEET_AGENT__Broker__KeepAliveSeconds"] = "5",
            ["FLEET_AGENT__ReconcileSeconds"] = "5",
            ["FLEET_AGENT__Docker"] = useEngine ? "unix:///var/run/docker.sock" : $"unix://{Path.Combine(dataDirectory, "no-engine.sock")}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return ExternalProcess.Start(Executable, environment, "run", "--data", dataDirectory);
    }
}
