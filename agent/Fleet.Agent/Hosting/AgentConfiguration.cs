using Microsoft.Extensions.Configuration;

namespace Fleet.Agent.Hosting;

/// <summary>
/// Where the agent's settings come from, lowest first: appsettings.json beside the binary, the
/// enrollment in the data directory, /etc/fleet/agent.json, a --config file, FLEET_AGENT__* variables,
/// then flags. Shared by <c>run</c> and the commands that act for the device (<c>bundle import</c>),
/// so they see the same device.
/// </summary>
public static class AgentConfiguration
{
    /// <exception cref="InvalidDataException">A settings file or the enrollment cannot be read (the message names it).</exception>
    public static void AddSources(IConfigurationManager configuration, IReadOnlyDictionary<string, string?> flags, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        var enrollmentIndex = configuration.Sources.Count;
        configuration.AddJsonFile("/etc/fleet/agent.json", optional: true);
        if (configFile is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        configuration
            .AddEnvironmentVariables("FLEET_AGENT__")
            .AddInMemoryCollection(flags.Where(f => f.Value is not null));
        // The enrollment lives in the data directory, which any later source may name: so it is
        // found last but ranks just above appsettings.json, below everything explicit.
        if (configuration[nameof(AgentOptions.DataDirectory)] is { Length: > 0 } dataDirectory)
        {
            configuration.Sources.Insert(enrollmentIndex, new EnrollmentConfigurationSource(dataDirectory));
        }
    }

    /// <summary>The bound settings, or one line per problem (an unreadable file, a bad value).</summary>
    public static (AgentOptions? Options, IReadOnlyList<string> Problems) Load(IReadOnlyDictionary<string, string?> flags, string? configFile)
    {
        using var configuration = new ConfigurationManager();
        var options = new AgentOptions();
        try
        {
            AddSources(configuration, flags, configFile);
            configuration.Bind(options);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or FormatException or InvalidOperationException)
        {
            return (null, [(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message).ReplaceLineEndings(" ")]);
        }

        var problems = options.Validate();
        return (problems.Count == 0 ? options : null, problems);
    }
}
