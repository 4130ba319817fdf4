using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Makes an enrollment (see <see cref="EnrollmentFiles"/>) a configuration source: device id, labels,
/// broker address and credentials, the broker's CA and the pinned root key. Added just above
/// appsettings.json, so /etc/fleet/agent.json, --config, FLEET_AGENT__* and flags all override it.
/// A directory with no enrollment adds nothing; an unreadable one fails the start with the file named.
/// </summary>
public sealed class EnrollmentConfigurationSource(string dataDirectory) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(dataDirectory);

    /// <summary>The settings an enrollment in <paramref name="dataDirectory"/> provides; empty when there is none.</summary>
    public static IReadOnlyDictionary<string, string?> Settings(string dataDirectory)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (EnrollmentFiles.Read(dataDirectory) is not { } read)
        {
            return settings;
        }

        if (!read.Succeeded)
        {
            throw new InvalidDataException(read.Error);
        }

        var enrollment = read.Value;
        var directory = Path.GetFullPath(dataDirectory);
        settings[nameof(AgentOptions.DeviceId)] = enrollment.DeviceId;
        settings[nameof(AgentOptions.RootKey)] = Path.Combine(directory, EnrollmentFiles.RootKeyFileName);
        settings[Key(nameof(AgentOptions.Broker), nameof(BrokerSettings.Server))] = enrollment.Broker.Uri.ToString();
        settings[Key(nameof(AgentOptions.Broker), nameof(BrokerSettings.Username))] = enrollment.Broker.Username;
        settings[Key(nameof(AgentOptions.Broker), nameof(BrokerSettings.Password))] = enrollment.Broker.Password;
        if (enrollment.Broker.CaCertificatePem is { Length: > 0 })
        {
            settings[Key(nameof(AgentOptions.Broker), nameof(BrokerSettings.CaFile))] = Path.Combine(directory, EnrollmentFiles.BrokerCaFileName);
        }

        foreach (var (key, value) in enrollment.Labels)
        {
            settings[Key(nameof(AgentOptions.Labels), key)] = value;
        }

        return settings;
    }

    private static string Key(string section, string name) => string.Create(CultureInfo.InvariantCulture, $"{section}{ConfigurationPath.KeyDelimiter}{name}");

    private sealed class Provider(string dataDirectory) : ConfigurationProvider
    {
        public override void Load() => Data = new Dictionary<string, string?>(Settings(dataDirectory), StringComparer.OrdinalIgnoreCase);
    }
}
