using System.CommandLine;
using Fleet.Agent.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Serilog;
using Serilog.Events;

namespace Fleet.Agent.Commands;

/// <summary><c>fleet-agent run</c>: the background service, under systemd or in a terminal.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (database, journal, keys); one agent per directory" };
        var docker = new Option<string?>("--docker") { Description = "Docker engine address, e.g. unix:///var/run/docker.sock (default: DOCKER_HOST or the local socket)" };
        var config = new Option<string?>("--config") { Description = "Extra JSON settings file, read after /etc/fleet/agent.json" };
        var logFile = new Option<string?>("--log-file") { Description = "Also write logs to this rolling file" };
        var command = new Command("run", "Run the agent: keep this device's stacks as the controller wants them, and report back.")
        {
            data, docker, config, logFile,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new Dictionary<string, string?>
            {
                [nameof(AgentOptions.DataDirectory)] = parse.GetValue(data),
                [nameof(AgentOptions.Docker)] = parse.GetValue(docker),
                [nameof(AgentOptions.LogFile)] = parse.GetValue(logFile),
            },
            parse.GetValue(config),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> flags, string? configFile, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "fleet-agent",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var options = new AgentOptions();
        try
        {
            AgentConfiguration.AddSources(builder.Configuration, flags, configFile);
            builder.Configuration.Bind(options);
        }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or FormatException or InvalidOperationException)
        {
            return Fail(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
        }

        if (options.Validate() is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                Console.Error.WriteLine($"fleet-agent: {problem}");
            }

            return 1;
        }

        builder.Services.AddSerilog(CreateLogger(options), dispose: true);
        builder.Services.AddSystemd();
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AgentHeartbeat>();
        builder.Services.AddHostedService<AgentWorker>();
        if (SystemdHelpers.IsSystemdService())
        {
            // AddSystemd registers the notifier only under systemd.
            builder.Services.AddHostedService<SystemdWatchdog>();
        }

        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return Environment.ExitCode;
    }

    private static Serilog.Core.Logger CreateLogger(AgentOptions options)
    {
        var level = Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(options.LogLevel, ignoreCase: true) switch
        {
            Microsoft.Extensions.Logging.LogLevel.Trace => LogEventLevel.Verbose,
            Microsoft.Extensions.Logging.LogLevel.Debug => LogEventLevel.Debug,
            Microsoft.Extensions.Logging.LogLevel.Warning => LogEventLevel.Warning,
            Microsoft.Extensions.Logging.LogLevel.Error => LogEventLevel.Error,
            Microsoft.Extensions.Logging.LogLevel.Critical => LogEventLevel.Fatal,
            _ => LogEventLevel.Information,
        };

        // journald stamps each line itself; a terminal wants the time.
        var template = SystemdHelpers.IsSystemdService()
            ? "[{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"
            : "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: template, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        if (options.LogFile is { Length: > 0 } file)
        {
            configuration.WriteTo.File(
                file,
                outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: 10 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: 7);
        }

        return configuration.CreateLogger();
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fleet-agent: {message.ReplaceLineEndings(" ")}");
        return 1;
    }
}
