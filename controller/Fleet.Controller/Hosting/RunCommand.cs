using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Fleet.Controller.Hosting;

/// <summary><c>fleet-controller run</c>: the REST API, the broker and ingest in one process.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (database, operator token); one controller per directory" };
        var urls = new Option<string?>("--urls") { Description = "Where the REST API listens (default http://127.0.0.1:8080)" };
        var mqttPort = new Option<string?>("--mqtt-port") { Description = "The embedded MQTT broker's port (default 1883)" };
        var config = new Option<string?>("--config") { Description = "Extra JSON settings file, read after appsettings.json" };
        var command = new Command("run", "Run the controller: REST API, MQTT broker, status ingest and desired-state publishing.")
        {
            data, urls, mqttPort, config,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Dictionary<string, string?>
            {
                [nameof(ControllerOptions.DataDirectory)] = parse.GetValue(data),
                [nameof(ControllerOptions.Urls)] = parse.GetValue(urls),
                [nameof(ControllerOptions.MqttPort)] = parse.GetValue(mqttPort),
            },
            parse.GetValue(config),
            cancellationToken));
        return command;
    }

    /// <summary>Settings from appsettings.json beside the binary, a --config file, FLEET_CONTROLLER__* and flags; one line per problem.</summary>
    public static ControllerOptions? Configure(IReadOnlyDictionary<string, string?> flags, string? configFile, out IReadOnlyList<string> problems)
    {
        var options = new ControllerOptions();
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
            if (configFile is not null)
            {
                configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false);
            }

            configuration
                .AddEnvironmentVariables("FLEET_CONTROLLER__")
                .AddInMemoryCollection(flags.Where(f => f.Value is not null));
            configuration.Build().Bind(options);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or FormatException or InvalidOperationException)
        {
            problems = [(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message).ReplaceLineEndings(" ")];
            return null;
        }

        problems = options.Validate();
        return problems.Count == 0 ? options : null;
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> flags, string? configFile, CancellationToken cancellationToken)
    {
        var options = Configure(flags, configFile, out var problems);
        if (options is null)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"fleet-controller: {problem}");
            }

            return 1;
        }

        await using var app = ControllerHost.Build(options, logging: null, out var refusal);
        if (app is null)
        {
            await Console.Error.WriteLineAsync($"fleet-controller: {refusal}");
            return 1;
        }

        try
        {
            await app.Web.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // Kestrel or the broker could not bind its port: one line, not a trace.
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"fleet-controller: cannot listen: {ex.Message}"));
            return 1;
        }

        return 0;
    }
}
